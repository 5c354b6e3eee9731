/**
 * The operations HTTP endpoint: `/metrics` (Prometheus text), `/healthz` (process up) and
 * `/readyz` (event loop not blocked lately, stores reachable, registered in the cluster: as
 * reported by the `ready` callback; 503 with the reason otherwise), and the console's routes when
 * it is on (src/console/api.ts).
 * @module
 */
import type { BrokerMetrics } from "./metrics.ts";

/** Endpoint settings. */
export interface OpsHttpOptions {
  hostname: string;
  port: number;
  metrics: BrokerMetrics;
  /** Resolves null when ready, or the reason it is not. */
  ready(): Promise<string | null>;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  tls?: { cert: string; key: string };
  /**
   * Further routes (the console): a response, or null for paths it does not serve; `client`
   * is the peer's address (the ACLs' host).
   */
  extra?: (req: Request, client: { host: string }) => Promise<Response | null>;
}

/** A running endpoint. */
export interface OpsHttpServer {
  port: number;
  close(): Promise<void>;
}

/** Starts the endpoint. */
export function startOpsHttp(options: OpsHttpOptions): OpsHttpServer {
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
    onListen() {},
  }, async (req, info) => {
    const path = new URL(req.url).pathname;
    if (path === "/metrics") {
      const body = await options.metrics.registry.metrics();
      return new Response(body, {
        headers: { "content-type": options.metrics.registry.contentType },
      });
    }
    if (path === "/healthz") return new Response("ok\n");
    if (path === "/readyz") {
      const why = await options.ready();
      return why === null
        ? new Response("ready\n")
        : new Response(`not ready: ${why}\n`, { status: 503 });
    }
    const more = await options.extra?.(req, { host: (info.remoteAddr as Deno.NetAddr).hostname });
    return more ?? new Response("not found\n", { status: 404 });
  });
  return { port: server.addr.port, close: () => server.shutdown() };
}
