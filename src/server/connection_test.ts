/**
 * The connection's back-pressure and send timeout, over a fake socket whose writes can be held.
 * Regression tests for the reader that waited on already-settled promises: with the writer stuck
 * on a client that does not read, that loop never yielded to I/O or timers and froze the broker.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { serveConnection } from "./connection.ts";
import type { Dispatcher, Outcome } from "./dispatch.ts";

/** A socket: reads come from `feed`, writes are kept, or held forever when `stuck`. */
class FakeConn {
  readonly written: Uint8Array[] = [];
  private input: (Uint8Array | null)[] = [];
  private reading: ((v: Uint8Array | null) => void) | null = null;
  private held: ((e: Error) => void)[] = [];
  private closed = false;
  readonly remoteAddr: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 1 };
  readonly localAddr: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 2 };

  constructor(private readonly stuck: boolean) {}

  /** Data the peer sends; `null` ends its side. */
  feed(data: Uint8Array | null): void {
    if (this.reading) {
      const r = this.reading;
      this.reading = null;
      r(data);
    } else {
      this.input.push(data);
    }
  }

  async read(buf: Uint8Array): Promise<number | null> {
    if (this.closed) throw new Deno.errors.BadResource("closed");
    let data = this.input.length
      ? this.input.shift()!
      : await new Promise<Uint8Array | null>((r) => this.reading = r);
    if (data === null) return null;
    if (data.byteLength > buf.byteLength) {
      this.input.unshift(data.subarray(buf.byteLength));
      data = data.subarray(0, buf.byteLength);
    }
    buf.set(data);
    return data.byteLength;
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(new Deno.errors.BadResource("closed"));
    if (this.stuck) return new Promise((_, reject) => this.held.push(reject));
    this.written.push(bytes.slice());
    return Promise.resolve(bytes.byteLength);
  }

  close(): void {
    if (this.closed) throw new Deno.errors.BadResource("closed");
    this.closed = true;
    for (const reject of this.held) reject(new Deno.errors.Interrupted("operation canceled"));
    this.held = [];
    this.reading?.(null);
    this.reading = null;
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

function frame(id: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setInt32(0, 4);
  new DataView(b.buffer).setInt32(4, id);
  return b;
}

function frames(from: number, n: number): Uint8Array {
  const out = new Uint8Array(8 * n);
  for (let i = 0; i < n; i++) out.set(frame(from + i), 8 * i);
  return out;
}

/** Echoes each request's id as its response, after `respond` resolves. */
function echo(
  respond: (id: number) => Promise<void> = () => Promise.resolve(),
  onDispatch: (id: number) => void = () => {},
): Dispatcher {
  const d = {
    dispatch(body: Uint8Array): Promise<Outcome> {
      const id = new DataView(body.buffer, body.byteOffset, 4).getInt32(0);
      onDispatch(id);
      return Promise.resolve({ kind: "respond", frame: respond(id).then(() => [frame(id)]) });
    },
  };
  return d as unknown as Dispatcher;
}

function serve(conn: FakeConn, dispatcher: Dispatcher, o: {
  maxInFlight?: number;
  sendTimeoutMs?: number;
  signal?: AbortSignal;
  onClosed?(reason: string): void;
} = {}): Promise<void> {
  return serveConnection(conn as unknown as Deno.Conn, dispatcher, {
    maxFrameBytes: 1024,
    maxInFlight: o.maxInFlight ?? 4,
    sendTimeoutMs: o.sendTimeoutMs ?? 60_000,
    connectionId: 1,
    signal: o.signal,
    onClosedByBroker: o.onClosed,
  });
}

Deno.test("connection: a client that does not read fills its in-flight limit and stops being read while timers still fire", async () => {
  const conn = new FakeConn(true);
  let dispatched = 0;
  const full = Promise.withResolvers<void>();
  const abort = new AbortController();
  const reasons: string[] = [];
  const served = serve(
    conn,
    echo(undefined, () => {
      if (++dispatched === 4) full.resolve();
    }),
    { maxInFlight: 4, signal: abort.signal, onClosed: (r) => reasons.push(r) },
  );
  conn.feed(frames(0, 40)); // ten times the limit, all settled at once
  await full.promise;
  // Before the fix the reader spun on settled promises here and this timer never fired.
  await new Promise((r) => setTimeout(r, 50));
  assertEquals(dispatched, 4, "the reader stops at the in-flight limit");
  abort.abort();
  await served;
  assertEquals(reasons, ["broker shutting down"]);
  assert(conn.isClosed);
});

Deno.test("connection: a response not written within the send timeout closes that connection only", async () => {
  const stuck = new FakeConn(true);
  const healthy = new FakeConn(false);
  const stuckClosed = Promise.withResolvers<string>();
  const healthyReasons: string[] = [];
  const answered = Promise.withResolvers<void>();
  const servedStuck = serve(stuck, echo(), {
    sendTimeoutMs: 200,
    onClosed: (r) => stuckClosed.resolve(r),
  });
  const servedHealthy = serve(healthy, echo(undefined, (id) => id === 7 && answered.resolve()), {
    sendTimeoutMs: 200,
    onClosed: (r) => healthyReasons.push(r),
  });
  stuck.feed(frames(0, 40));
  const reason = await stuckClosed.promise;
  assert(reason.startsWith("Cannot send a response within 200 ms"), reason);
  await servedStuck;
  healthy.feed(frames(5, 3));
  await answered.promise;
  healthy.feed(null); // the client is done: owed responses are written, then it closes
  await servedHealthy;
  assertEquals(healthyReasons, []);
  const ids = healthy.written.map((b) => new DataView(b.buffer).getInt32(4));
  assertEquals(ids, [5, 6, 7]);
});

Deno.test("connection: responses owed when the client stops sending are still written, in order", async () => {
  const conn = new FakeConn(false);
  const release = Promise.withResolvers<void>();
  const dispatched = Promise.withResolvers<void>();
  const served = serve(
    conn,
    echo(() => release.promise, (id) => id === 4 && dispatched.resolve()),
    {
      maxInFlight: 8,
    },
  );
  conn.feed(frames(0, 5));
  await dispatched.promise;
  conn.feed(null);
  // One macrotask: the reader has seen the end of input while all five responses are owed.
  await new Promise((r) => setTimeout(r, 0));
  assertEquals(conn.written.length, 0);
  release.resolve();
  await served;
  const ids = conn.written.map((b) => new DataView(b.buffer).getInt32(4));
  assertEquals(ids, [0, 1, 2, 3, 4]);
});

Deno.test("connection: a failed response closes the connection; later failures are not unhandled rejections", async () => {
  const conn = new FakeConn(false);
  const fail = Promise.withResolvers<void>();
  fail.promise.catch(() => {});
  const reasons: string[] = [];
  const served = serve(conn, echo(() => fail.promise), {
    maxInFlight: 8,
    onClosed: (r) => reasons.push(r),
  });
  conn.feed(frames(0, 5));
  fail.reject(new Error("disk on fire"));
  await served;
  assertEquals(reasons.length, 1);
  assert(reasons[0]!.startsWith("Cannot answer a request: Error: disk on fire"), reasons[0]);
  // Let the other four rejected responses settle inside the test (the sanitizers would see an
  // unhandled rejection).
  await new Promise((r) => setTimeout(r, 0));
});
