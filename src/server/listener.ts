/**
 * A Kafka listener: accepts TCP or TLS connections and serves each with `serveConnection`,
 * giving each connection of a SASL listener its own SASL session.
 * `stop()` stops accepting, closes every connection and waits for them to finish.
 *
 * TLS comes from PEM strings (Deno.listenTls: rustls, TLS 1.2 and 1.3 only; it cannot ask
 * clients for certificates). `reloadTls` swaps the certificate: the new one is checked first
 * (a bad one leaves the old listener serving), then the listening socket is re-created on the
 * same port (connections arriving in that instant are refused); established connections keep
 * going with the certificate they started with.
 * @module
 */
import type { Dispatcher } from "./dispatch.ts";
import { DEFAULT_MAX_IN_FLIGHT, DEFAULT_SEND_TIMEOUT_MS, serveConnection } from "./connection.ts";
import type { SaslSession } from "./sasl_session.ts";

/** A PEM certificate chain and its private key. */
export interface TlsPem {
  cert: string;
  key: string;
}

/** Listener settings. */
export interface ListenerOptions {
  hostname: string;
  port: number;
  maxFrameBytes: number;
  /** The listener's name (its security protocol), seen by handlers; default PLAINTEXT. */
  name?: string;
  /** Serve TLS with this certificate. */
  tls?: TlsPem;
  /** A SASL session for each new connection (SASL listeners). */
  session?(remote: string): SaslSession;
  /** Responses a connection may owe before it stops reading (default 128). */
  maxInFlight?: number;
  /** How long writing one response may take before its connection is closed (ms, default 30 s). */
  sendTimeoutMs?: number;
  onConnectionChange?(delta: 1 | -1): void;
  onClosedByBroker?(remote: string, reason: string): void;
  onBytes?(direction: "in" | "out", n: number): void;
  /** Accepting failed other than by closing (out of file descriptors...); it is retried. */
  onAcceptError?(error: unknown): void;
  /** Opens the listening socket: `Deno.listen` (or `Deno.listenTls`) unless a test passes a fake. */
  listen?(options: { hostname: string; port: number }): Deno.Listener;
}

function open(where: { hostname: string; port: number }, tls?: TlsPem): Deno.Listener {
  return tls ? Deno.listenTls({ ...where, ...tls }) : Deno.listen(where);
}

/** Pause before accepting again after an error, so a persistent one does not spin. */
const ACCEPT_RETRY_MS = 100;
/** Tries at binding the port again after a TLS reload closed it (10 ms apart). */
const REBIND_ATTEMPTS = 200;

/** A running Kafka listener. */
export class KafkaListener {
  private listener: Deno.Listener | null = null;
  private readonly abort = new AbortController();
  private readonly connections = new Set<Promise<void>>();
  private readonly acceptLoops = new Set<Promise<void>>();
  private nextId = 1;
  private boundPort = 0;
  private tls: TlsPem | undefined;
  private currentLoop: Promise<void> | null = null;

  constructor(private readonly dispatcher: Dispatcher, private readonly options: ListenerOptions) {
    this.tls = options.tls;
  }

  /** Binds the port and starts accepting; resolves the bound port (useful with port 0). */
  start(): number {
    const where = { hostname: this.options.hostname, port: this.options.port };
    const l = this.options.listen ? this.options.listen(where) : open(where, this.tls);
    this.boundPort = (l.addr as Deno.NetAddr).port;
    this.serve(l);
    return this.boundPort;
  }

  private serve(l: Deno.Listener): void {
    this.listener = l;
    const loop = this.accept(l).finally(() => this.acceptLoops.delete(loop));
    this.acceptLoops.add(loop);
    this.currentLoop = loop;
  }

  /**
   * Serves new connections with another certificate. Rejects (and keeps the old one serving)
   * when the PEM is unusable; established connections are not touched. New connections are
   * refused for the moment between closing the listening socket and opening it again.
   */
  async reloadTls(tls: TlsPem): Promise<void> {
    if (!this.tls) throw new TypeError("Cannot reload TLS: this listener is plaintext");
    const old = this.listener;
    if (!old) throw new TypeError("Cannot reload TLS: the listener is not running");
    open({ hostname: "127.0.0.1", port: 0 }, tls).close(); // rejects a bad chain or key first
    this.listener = null;
    try {
      old.close();
    } catch { /* closed */ }
    await this.currentLoop; // the socket is released once its pending accept has ended
    const where = { hostname: this.options.hostname, port: this.boundPort };
    for (let attempt = 1;; attempt++) {
      try {
        this.serve(open(where, tls));
        this.tls = tls;
        return;
      } catch (e) {
        if (!(e instanceof Deno.errors.AddrInUse) || attempt === REBIND_ATTEMPTS) {
          throw new Error(
            `Cannot listen on ${where.hostname}:${where.port} again: ${(e as Error).message}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  private async accept(l: Deno.Listener): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await l.accept();
      } catch (e) {
        if (this.listener !== l || e instanceof Deno.errors.BadResource) return; // closed
        // Out of file descriptors and the like: accepting works again once some are freed.
        this.options.onAcceptError?.(e);
        await new Promise((r) => setTimeout(r, ACCEPT_RETRY_MS));
        continue;
      }
      try {
        (conn as Deno.TcpConn).setNoDelay(true);
      } catch { /* not TCP */ }
      const remote = `${(conn.remoteAddr as Deno.NetAddr).hostname}:${
        (conn.remoteAddr as Deno.NetAddr).port
      }`;
      this.options.onConnectionChange?.(1);
      const session = this.options.session?.(remote) ?? null;
      const served = serveConnection(conn, this.dispatcher, {
        maxFrameBytes: this.options.maxFrameBytes,
        maxInFlight: this.options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
        sendTimeoutMs: this.options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
        connectionId: this.nextId++,
        listener: this.options.name ?? "PLAINTEXT",
        session,
        signal: this.abort.signal,
        onClosedByBroker: (reason) => this.options.onClosedByBroker?.(remote, reason),
        onBytes: this.options.onBytes,
      }).catch(() => {}).finally(() => {
        this.connections.delete(served);
        this.options.onConnectionChange?.(-1);
      });
      this.connections.add(served);
    }
  }

  /** Stops accepting new connections (in-flight requests continue). */
  stopAccepting(): void {
    try {
      this.listener?.close();
    } catch { /* closed */ }
    this.listener = null;
  }

  /** Stops accepting, closes all connections, and waits for them. */
  async stop(): Promise<void> {
    this.stopAccepting();
    await Promise.all([...this.acceptLoops]);
    this.abort.abort();
    await Promise.all([...this.connections]);
  }
}
