/**
 * Starts the broker's Kafka listeners from the configuration: one per KAFSCALE_LISTENERS entry,
 * TLS for SSL and SASL_SSL (PEM files read here, again on `reloadTls`), and a SASL session per
 * connection for SASL_PLAINTEXT and SASL_SSL. Part of the composition root.
 * @module
 */
import type { Config } from "../config/config.ts";
import { advertisedListeners, type ListenerConfig } from "../config/security.ts";
import type { Dispatcher } from "../server/dispatch.ts";
import { KafkaListener, type TlsPem } from "../server/listener.ts";
import { type AuthenticationEvent, SaslSession } from "../server/sasl_session.ts";
import { createDecoys } from "../auth/sasl.ts";
import type { CredentialLookup } from "../auth/sasl.ts";
import type { BrokerMetrics } from "../metrics/metrics.ts";
import type { Logger } from "../metrics/logger.ts";

/** Pause before a failed authentication is answered (slows password guessing). */
export const SASL_FAILURE_DELAY_MS = 200;

/** The running listeners. */
export interface Listeners {
  /** Bound port by listener name. */
  ports: Record<string, number>;
  /** Re-reads the TLS files and serves new connections with them; throws when they are bad. */
  reloadTls(): Promise<void>;
  stopAccepting(): void;
  stop(): Promise<void>;
}

/** Reads KAFSCALE_TLS_CERT_FILE and KAFSCALE_TLS_KEY_FILE. */
export async function readTlsFiles(config: Config): Promise<TlsPem> {
  const read = async (path: string, setting: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (e) {
      throw new Error(`Cannot read ${setting} ${JSON.stringify(path)}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  };
  return {
    cert: await read(config.tlsCertFile, "KAFSCALE_TLS_CERT_FILE"),
    key: await read(config.tlsKeyFile, "KAFSCALE_TLS_KEY_FILE"),
  };
}

/** What the listeners need besides the configuration. */
export interface ListenerDeps {
  dispatcher: Dispatcher;
  credentials: CredentialLookup;
  metrics: BrokerMetrics;
  log: Logger;
}

/** Binds every listener (all or none: a failure closes those already bound). */
export async function startListeners(config: Config, deps: ListenerDeps): Promise<Listeners> {
  const { metrics, log } = deps;
  const tls = config.listeners.some((l) => l.tls) ? await readTlsFiles(config) : undefined;
  const decoys = createDecoys();
  for (const m of config.saslMechanisms) {
    for (const outcome of ["success", "failure"]) {
      metrics.saslAuthentications.inc({ mechanism: m, outcome }, 0);
    }
  }
  const onAuthentication = (e: AuthenticationEvent) => {
    metrics.saslAuthentications.inc({ mechanism: e.mechanism, outcome: e.outcome });
    const fields = {
      remote: e.remote,
      user: e.user,
      mechanism: e.mechanism,
      reauthentication: e.reauthentication,
      reason: e.reason,
    };
    if (e.outcome === "success") log.debug("SASL authentication succeeded", fields);
    else if (e.outcome === "failure") log.warn("SASL authentication failed", fields);
    else log.error("SASL authentication could not be checked", fields);
  };
  const session = (remote: string) =>
    new SaslSession({
      mechanisms: config.saslMechanisms,
      deps: { credentials: deps.credentials, decoys },
      sessionLifetimeMs: config.saslSessionLifetimeMs,
      failureDelayMs: SASL_FAILURE_DELAY_MS,
      remote,
      onAuthentication,
    });
  const started: [ListenerConfig, KafkaListener][] = [];
  const ports: Record<string, number> = {};
  try {
    for (const l of config.listeners) {
      const listener = new KafkaListener(deps.dispatcher, {
        hostname: l.host,
        port: l.port,
        name: l.name,
        tls: l.tls ? tls : undefined,
        session: l.sasl ? session : undefined,
        maxFrameBytes: config.maxRequestBytes,
        sendTimeoutMs: config.sendTimeoutMs,
        onConnectionChange: (d) => metrics.connections.inc(d),
        onClosedByBroker: (remote, reason) =>
          log.warn("closed connection", { remote, listener: l.name, reason }),
        onBytes: (dir, n) => (dir === "in" ? metrics.bytesIn : metrics.bytesOut).inc(n),
        onAcceptError: (e) => log.warn("accepting a connection failed; retrying", { error: e }),
      });
      ports[l.name] = listener.start();
      started.push([l, listener]);
    }
  } catch (e) {
    for (const [, l] of started) await l.stop();
    throw e;
  }
  warnOpen(config, log);
  return {
    ports,
    async reloadTls() {
      const pem = await readTlsFiles(config);
      for (const [l, listener] of started) if (l.tls) await listener.reloadTls(pem);
      log.info("reloaded the TLS certificate", {
        listeners: started.filter(([l]) => l.tls).map(([l]) => l.name),
        certFile: config.tlsCertFile,
      });
    },
    stopAccepting() {
      for (const [, l] of started) l.stopAccepting();
    },
    async stop() {
      await Promise.all(started.map(([, l]) => l.stop()));
    },
  };
}

/** One warning for listeners without authentication, one for PLAIN in the clear. */
function warnOpen(config: Config, log: Logger): void {
  const open = config.listeners.filter((l) => !l.sasl);
  if (open.length > 0 && config.authorizer === "none") {
    log.warn(
      "listeners accept clients without authentication (no SASL): anyone who can reach them can read and write every topic",
      {
        listeners: advertisedListeners(open),
      },
    );
  } else if (open.length > 0) {
    log.info(
      "listeners accept clients without authentication (no SASL): they are User:ANONYMOUS, allowed what ACLs grant it",
      { listeners: advertisedListeners(open) },
    );
  }
  if (
    config.saslMechanisms.includes("PLAIN") &&
    config.listeners.some((l) => l.sasl && !l.tls)
  ) {
    log.warn("SASL PLAIN is enabled on SASL_PLAINTEXT: passwords cross the network in the clear");
  }
}
