/**
 * One client connection: reads frames, dispatches them in order, and writes responses in
 * request order even when later requests finish first (pipelining).
 *
 * Back-pressure: at most `maxInFlight` responses are owed at a time (the one being written
 * included). Past that the reader stops reading and waits for the writer to signal that it has
 * written a response and removed it, so waiting always ends in real socket I/O, never in a loop
 * over promises that have already settled (which would starve the whole event loop).
 * A response that cannot be written within `sendTimeoutMs` (the client does not read) closes
 * the connection, so a stalled client holds bounded memory for a bounded time.
 * @module
 */
import { FrameDecoder, FrameSizeError } from "./framing.ts";
import type { ConnectionInfo, Dispatcher } from "./dispatch.ts";
import type { SaslSession } from "./sasl_session.ts";

/** Responses a connection may owe before it stops reading requests. */
export const DEFAULT_MAX_IN_FLIGHT = 128;
/** How long one response may take to reach the socket before the connection is closed (ms). */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;
/**
 * Largest frame a connection may send before its SASL login completes (Kafka's default
 * `sasl.server.max.receive.size`), so an unauthenticated client cannot make the broker buffer
 * a full-size request.
 */
export const MAX_UNAUTHENTICATED_FRAME_BYTES = 512 * 1024;

/** Limits and hooks for a connection. */
export interface ConnectionOptions {
  maxFrameBytes: number;
  maxInFlight: number;
  /** Longest time writing one response may take; past it the connection is closed (ms). */
  sendTimeoutMs: number;
  connectionId: number;
  /** The listener's name (default PLAINTEXT). */
  listener?: string;
  /** The connection's SASL session (SASL listeners). */
  session?: SaslSession | null;
  /** Called once with the reason when the broker closes the connection itself. */
  onClosedByBroker?(reason: string): void;
  onBytes?(direction: "in" | "out", n: number): void;
}

type Response = Promise<Uint8Array[] | null>;
/** A response's outcome as the writer sees it. */
type Settled = { chunks: Uint8Array[] | null } | { error: unknown };

/** Wakes whoever waits; a loop waits on it only after checking its condition. */
class Signal {
  private waiters: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** The state shared by a connection's reader and writer. */
class ServedConnection {
  /** Responses owed, in request order; the head is removed once it has been written. */
  private readonly pending: Response[] = [];
  private readonly frames: FrameDecoder;
  /** The broker closed the connection: owed responses are dropped. */
  private closed = false;
  /** The peer sent everything it will send: write what is owed, then close. */
  private readDone = false;
  private readonly queued = new Signal();
  private readonly space = new Signal();
  /** Ends the writer's wait for the response at the head when the connection closes. */
  private stopWaiting: (() => void) | null = null;

  constructor(private readonly conn: Deno.Conn, private readonly options: ConnectionOptions) {
    const session = options.session;
    this.frames = new FrameDecoder(
      session
        ? () =>
          session.principal === null
            ? Math.min(MAX_UNAUTHENTICATED_FRAME_BYTES, options.maxFrameBytes)
            : options.maxFrameBytes
        : options.maxFrameBytes,
    );
  }

  /** Closes the connection from the broker's side (once) and wakes both loops. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.options.onClosedByBroker?.(reason);
    this.release();
    this.stopWaiting?.();
    this.queued.notify();
    this.space.notify();
  }

  /** Closes the socket (idempotent). */
  release(): void {
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }

  /** The peer is done sending (or reading failed): the writer finishes what is owed. */
  finishReading(): void {
    this.readDone = true;
    this.queued.notify();
  }

  /** Reads and dispatches requests until the peer stops sending or the connection closes. */
  async readLoop(dispatcher: Dispatcher, info: ConnectionInfo): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    while (!this.closed) {
      let n: number | null;
      try {
        n = await this.conn.read(buf);
      } catch {
        return;
      }
      if (n === null) return;
      this.options.onBytes?.("in", n);
      let list: Uint8Array[];
      try {
        list = this.frames.push(buf.slice(0, n));
      } catch (e) {
        if (!(e instanceof FrameSizeError)) throw e;
        this.close(e.message);
        return;
      }
      for (const frame of list) {
        if (!await this.handle(frame, dispatcher, info)) return;
      }
    }
  }

  /** Dispatches one frame and queues its response; false once the connection is closed. */
  private async handle(
    frame: Uint8Array,
    dispatcher: Dispatcher,
    info: ConnectionInfo,
  ): Promise<boolean> {
    const outcome = await dispatcher.dispatch(frame, info);
    if (outcome.kind === "close") {
      this.close(outcome.reason);
      return false;
    }
    // The writer reports a failed response; one dropped by a closed connection is ignored.
    outcome.frame.catch(() => {});
    if (this.closed) return false;
    this.pending.push(outcome.frame);
    this.queued.notify();
    if (outcome.closeAfter) {
      // The answer is the last thing sent: stop reading; the writer sends what is owed, then
      // the connection closes.
      this.options.onClosedByBroker?.(outcome.closeAfter);
      return false;
    }
    // Wait for the writer to write and remove a response: that takes socket I/O (or a
    // response that needs no bytes), so this never spins on settled promises.
    while (this.pending.length >= this.options.maxInFlight && !this.closed) {
      await this.space.wait();
    }
    return !this.closed;
  }

  /** Writes responses in request order until the connection closes or nothing more is owed. */
  async writeLoop(): Promise<void> {
    while (!this.closed) {
      const next = this.pending[0];
      if (!next) {
        if (this.readDone) return;
        await this.queued.wait();
        continue;
      }
      const settled = await this.settle(next);
      if (this.closed) return;
      if ("error" in settled) {
        this.close(`Cannot answer a request: ${settled.error}`);
        return;
      }
      if (settled.chunks && !await this.send(settled.chunks)) return;
      this.pending.shift();
      this.space.notify();
    }
  }

  /**
   * Waits for a response to be ready, or for the connection to close. (Not `Promise.race`
   * with a long-lived promise: each race would leave a reaction on it for the connection's life.)
   */
  private async settle(next: Response): Promise<Settled> {
    try {
      return await new Promise<Settled>((resolve) => {
        this.stopWaiting = () => resolve({ chunks: null });
        next.then((chunks) => resolve({ chunks }), (error) => resolve({ error }));
      });
    } finally {
      this.stopWaiting = null;
    }
  }

  /** Writes one response within the send timeout; false (connection closed) when it cannot. */
  private async send(chunks: Uint8Array[]): Promise<boolean> {
    const ms = this.options.sendTimeoutMs;
    const timer = setTimeout(
      () => this.close(`Cannot send a response within ${ms} ms: the client is not reading`),
      ms,
    );
    try {
      for (const c of chunks) await writeAll(this.conn, c);
    } catch (e) {
      this.close(`Cannot send a response: ${(e as Error).message}`);
      return false;
    } finally {
      clearTimeout(timer);
    }
    for (const c of chunks) this.options.onBytes?.("out", c.byteLength);
    return true;
  }
}

/** Serves a connection until the peer closes it, it misbehaves, or `signal` aborts. */
export async function serveConnection(
  conn: Deno.Conn,
  dispatcher: Dispatcher,
  options: ConnectionOptions & { signal?: AbortSignal },
): Promise<void> {
  const served = new ServedConnection(conn, options);
  const onAbort = () => served.close("broker shutting down");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const writing = served.writeLoop();
  try {
    const info = {
      remote: formatAddr(conn.remoteAddr),
      connectionId: options.connectionId,
      listener: options.listener,
      session: options.session,
    };
    await served.readLoop(dispatcher, info);
  } finally {
    // Responses already owed still reach the peer (each within the send timeout), unless the
    // broker closed the connection.
    served.finishReading();
    await writing;
    served.release();
    options.signal?.removeEventListener("abort", onAbort);
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.byteLength) at += await conn.write(bytes.subarray(at));
}

function formatAddr(addr: Deno.Addr): string {
  return addr.transport === "tcp" || addr.transport === "udp"
    ? `${addr.hostname}:${addr.port}`
    : addr.transport;
}
