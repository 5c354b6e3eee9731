/**
 * The accept loop survives accept errors (out of file descriptors): before, the first one ended
 * it, and the broker stayed up, and ready, without ever accepting another connection.
 */
import { assertEquals } from "../testing/assert.ts";
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
