/**
 * One client connection: reads frames, dispatches them in order, and writes responses in
 * request order even when later requests finish first (pipelining). A bounded number of
 * responses may be pending; past that the connection stops reading (backpressure).
 * @module
 */
import { FrameDecoder, FrameSizeError } from "./framing.ts";
import type { Dispatcher } from "./dispatch.ts";

/** Limits and hooks for a connection. */
export interface ConnectionOptions {
  maxFrameBytes: number;
  maxInFlight: number;
  connectionId: number;
  /** Called once with the reason when the broker closes the connection itself. */
  onClosedByBroker?(reason: string): void;
  onBytes?(direction: "in" | "out", n: number): void;
}

/** Serves a connection until the peer closes it, it misbehaves, or `signal` aborts. */
export async function serveConnection(
  conn: Deno.Conn,
  dispatcher: Dispatcher,
  options: ConnectionOptions & { signal?: AbortSignal },
): Promise<void> {
  const remote = formatAddr(conn.remoteAddr);
  const frames = new FrameDecoder(options.maxFrameBytes);
  const pending: Promise<Uint8Array[] | null>[] = [];
  let closing = false;
  const waker: { wake: (() => void) | null } = { wake: null };
  const close = (reason: string) => {
    if (closing) return;
    closing = true;
    options.onClosedByBroker?.(reason);
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  const onAbort = () => close("broker shutting down");
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const writerDone = (async () => {
    for (;;) {
      const next = pending[0];
      if (!next) {
        if (closing) return;
        await new Promise<void>((r) => waker.wake = r);
        waker.wake = null;
        continue;
      }
      let chunks: Uint8Array[] | null;
      try {
        chunks = await next;
      } catch (e) {
        close(`request failed: ${e}`);
        return;
      }
      pending.shift();
      if (chunks && !closing) {
        try {
          for (const c of chunks) await writeAll(conn, c);
          for (const c of chunks) options.onBytes?.("out", c.byteLength);
        } catch {
          close("peer stopped reading");
          return;
        }
      }
      if (pending.length === 0 && closing) return;
    }
  })();

  const info = { remote, connectionId: options.connectionId };
  const buf = new Uint8Array(64 * 1024);
  try {
    while (!closing) {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch {
        break;
      }
      if (n === null) break;
      options.onBytes?.("in", n);
      let list: Uint8Array[];
      try {
        list = frames.push(buf.slice(0, n));
      } catch (e) {
        if (e instanceof FrameSizeError) close(e.message);
        else throw e;
        break;
      }
      for (const frame of list) {
        const outcome = await dispatcher.dispatch(frame, info);
        if (outcome.kind === "close") {
          close(outcome.reason);
          break;
        }
        pending.push(outcome.frame);
        waker.wake?.();
        while (pending.length >= options.maxInFlight && !closing) {
          await pending[0]!.catch(() => {});
          await Promise.resolve();
        }
      }
    }
  } finally {
    // Let responses already owed reach the peer, unless the broker closed the connection.
    if (!closing) {
      closing = true;
      waker.wake?.();
      await writerDone;
      try {
        conn.close();
      } catch { /* already closed */ }
    } else {
      waker.wake?.();
      await writerDone.catch(() => {});
    }
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
