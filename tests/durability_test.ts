/**
 * Acknowledged means durable: records acknowledged to kcat (acks=all) survive a graceful stop
 * (SIGTERM: exit 0) and a kill -9, with the same offsets, exactly once.
 */
import { assertEquals } from "../src/testing/assert.ts";
import { removeDir, run, startBroker } from "./_harness.ts";

async function produce(bootstrap: string, topic: string, from: number, n: number) {
  const lines = Array.from({ length: n }, (_, i) => `v${from + i}`).join("\n") + "\n";
  const p = await run("kcat", ["-b", bootstrap, "-t", topic, "-P", "-X", "acks=all"], {
    stdin: lines,
  });
  assertEquals(p.code, 0, p.stderr);
}

async function consumeAll(bootstrap: string, topic: string): Promise<string[]> {
  const c = await run("kcat", ["-b", bootstrap, "-t", topic, "-C", "-e", "-q", "-f", "%o %s\n"], {
    timeoutMs: 60_000,
  });
  assertEquals(c.code, 0, c.stderr);
  return c.stdout.split("\n").filter(Boolean);
}

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  Deno.test(`durability: acknowledged records survive ${signal} and a restart, same offsets, exactly once`, async () => {
    let broker = await startBroker();
    const { dataDir, port } = broker;
    try {
      await produce(broker.bootstrap, "durable", 0, 5000);
      const code = await broker.stop(signal);
      if (signal === "SIGTERM") assertEquals(code, 0, broker.stderr());
      broker = await startBroker({ dataDir, port });
      await produce(broker.bootstrap, "durable", 5000, 1000);
      const got = await consumeAll(broker.bootstrap, "durable");
      assertEquals(got.length, 6000);
      assertEquals(got, Array.from({ length: 6000 }, (_, i) => `${i} v${i}`));
    } finally {
      await broker.stop();
      await removeDir(dataDir);
    }
  });
}
