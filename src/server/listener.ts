/**
 * The Kafka TCP listener: accepts connections and serves each with `serveConnection`.
 * `stop()` stops accepting, closes every connection and waits for them to finish.
 * @module
 */
import type { Dispatcher } from "./dispatch.ts";
import { DEFAULT_MAX_IN_FLIGHT, DEFAULT_SEND_TIMEOUT_MS, serveConnection } from "./connection.ts";

/** Listener settings. */
export interface ListenerOptions {
  hostname: string;
  port: number;
  maxFrameBytes: number;
  /** Responses a connection may owe before it stops reading (default 128). */
  maxInFlight?: number;
  /** How long writing one response may take before its connection is closed (ms, default 30 s). */
  sendTimeoutMs?: number;
  onConnectionChange?(delta: 1 | -1): void;
  onClosedByBroker?(remote: string, reason: string): void;
  onBytes?(direction: "in" | "out", n: number): void;
  /** Accepting failed other than by closing (out of file descriptors...); it is retried. */
  onAcceptError?(error: unknown): void;
  /** Opens the listening socket: `Deno.listen` unless a test passes a fake. */
  listen?(options: { hostname: string; port: number }): Deno.Listener;
}

/** Pause before accepting again after an error, so a persistent one does not spin. */
const ACCEPT_RETRY_MS = 100;

/** A running Kafka listener. */
export class KafkaListener {
  private listener: Deno.Listener | null = null;
  private readonly abort = new AbortController();
  private readonly connections = new Set<Promise<void>>();
  private acceptLoop: Promise<void> | null = null;
  private nextId = 1;

  constructor(private readonly dispatcher: Dispatcher, private readonly options: ListenerOptions) {}

  /** Binds the port and starts accepting; resolves the bound port (useful with port 0). */
  start(): number {
    const where = { hostname: this.options.hostname, port: this.options.port };
    const l = this.options.listen ? this.options.listen(where) : Deno.listen(where);
    this.listener = l;
    this.acceptLoop = this.accept(l);
    return (l.addr as Deno.NetAddr).port;
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
      const served = serveConnection(conn, this.dispatcher, {
        maxFrameBytes: this.options.maxFrameBytes,
        maxInFlight: this.options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
        sendTimeoutMs: this.options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
        connectionId: this.nextId++,
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
    await this.acceptLoop;
    this.abort.abort();
    await Promise.all([...this.connections]);
  }
}
