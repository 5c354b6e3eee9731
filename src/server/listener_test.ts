/**
 * The accept loop survives accept errors (out of file descriptors): before, the first one ended
 * it, and the broker stayed up, and ready, without ever accepting another connection.
 */
import { assertEquals, assertRejects } from "../testing/assert.ts";
import { makeTestCerts } from "../testing/services.ts";
import type { Dispatcher } from "./dispatch.ts";
import { KafkaListener } from "./listener.ts";

/** A listener whose first accept fails as it does when the process is out of descriptors. */
function flaky(real: Deno.Listener): Deno.Listener {
  let failed = false;
  return new Proxy(real, {
    get(target, key) {
      if (key === "accept" && !failed) {
        failed = true;
        return () => Promise.reject(new Error("Too many open files (os error 24)"));
      }
      const v = Reflect.get(target, key);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

Deno.test("listener: an accept error is reported and accepting goes on", async () => {
  const errors: unknown[] = [];
  const accepted = Promise.withResolvers<void>();
  const idle = { dispatch: () => new Promise(() => {}) } as unknown as Dispatcher;
  const listener = new KafkaListener(idle, {
    hostname: "127.0.0.1",
    port: 0,
    maxFrameBytes: 1024,
    listen: (o) => flaky(Deno.listen(o)),
    onAcceptError: (e) => errors.push(e),
    onConnectionChange: (d) => d === 1 && accepted.resolve(),
  });
  const port = listener.start();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      accepted.promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("Cannot accept within 30 s")), 30_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    conn.close();
    await listener.stop();
  }
  assertEquals(errors.map(String), ["Error: Too many open files (os error 24)"]);
});

/** A dispatcher answering every request with a 4-byte body (its length prefix included). */
const pong = {
  dispatch: () =>
    Promise.resolve({
      kind: "respond",
      frame: Promise.resolve([new Uint8Array([0, 0, 0, 4, 0, 0, 0, 7])]),
    }),
} as unknown as Dispatcher;

async function ping(conn: Deno.Conn): Promise<number> {
  await conn.write(new Uint8Array([0, 0, 0, 1, 9]));
  const buf = new Uint8Array(8);
  let at = 0;
  while (at < 8) {
    const n = await conn.read(buf.subarray(at));
    if (n === null) throw new Error("closed");
    at += n;
  }
  return buf[7]!;
}

Deno.test("listener: reloadTls serves the new certificate to new connections only, and refuses a bad one", async () => {
  const dirs = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  const pems = [];
  for (const d of dirs) {
    await makeTestCerts(d);
    pems.push({
      cert: await Deno.readTextFile(`${d}/server.pem`),
      key: await Deno.readTextFile(`${d}/server-key.pem`),
      ca: await Deno.readTextFile(`${d}/ca.pem`),
    });
  }
  const [a, b] = pems as [typeof pems[0], typeof pems[0]];
  const listener = new KafkaListener(pong, {
    hostname: "127.0.0.1",
    port: 0,
    maxFrameBytes: 1024,
    tls: { cert: a.cert, key: a.key },
  });
  const port = listener.start();
  const connect = (ca: string) => Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [ca] });
  const before = await connect(a.ca);
  try {
    assertEquals(await ping(before), 7);
    await listener.reloadTls({ cert: b.cert, key: b.key });
    const after = await connect(b.ca);
    assertEquals(await ping(after), 7);
    after.close();
    const stale = await connect(a.ca);
    await assertRejects(() => stale.handshake(), Error, "certificate");
    stale.close();
    assertEquals(await ping(before), 7, "a connection made before the reload goes on");
    await assertRejects(() => listener.reloadTls({ cert: "junk", key: b.key }), Error);
    const still = await connect(b.ca);
    assertEquals(await ping(still), 7, "a bad certificate leaves the last good one serving");
    still.close();
    const plain = new KafkaListener(pong, { hostname: "127.0.0.1", port: 0, maxFrameBytes: 1024 });
    await assertRejects(
      () => plain.reloadTls({ cert: b.cert, key: b.key }),
      TypeError,
      "plaintext",
    );
  } finally {
    before.close();
    await listener.stop();
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});
