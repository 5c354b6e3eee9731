/**
 * Compaction of snappy and lz4 batches as real clients write them: librdkafka (kcat: raw snappy,
 * LZ4 frames) and the Java client's console producer (xerial snappy, Kafka's LZ4 frames) write
 * the same keys over and over into a compacted topic; the compactor opens every batch, keeps one
 * record per key (the latest), and the rewritten batches read back through kcat and the Java
 * console consumer. Waits are for what a consumer reads, with generous deadlines.
 */
import { assertEquals } from "../src/testing/assert.ts";
import { removeDir, requireTool, run, startBroker, toolsDir, until } from "./_harness.ts";
import { createTopic } from "./_setup.ts";

const TOPIC = "codecs";
const KEYS = 20;

/** A Kafka 3.7 command-line tool (kafka.tools.*) with `args`, `stdin` as its input. */
async function kafkaTool(main: string, args: string[], stdin?: string) {
  const jars = requireTool(`${toolsDir()}/kafka-3.7.2`);
  const r = await run("java", ["-cp", `${jars}/*`, main, ...args], { stdin, timeoutMs: 120_000 });
  assertEquals(r.code, 0, `${main}: ${r.stderr}`);
  return r.stdout;
}

async function metric(metricsPort: number, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const escaped = series.replace(/[{}"=]/g, (c) => `\\${c}`);
  return Number(text.match(new RegExp(`^${escaped} (\\S+)`, "m"))?.[1] ?? NaN);
}

Deno.test("compaction: snappy and lz4 batches of librdkafka and the Java client compact to one record per key, readable by both", async () => {
  const broker = await startBroker({ env: { KAFSCALE_COMPACTION_CHECK_MS: "500" } });
  try {
    await createTopic(broker.bootstrap, TOPIC, 1, {}, {
      "cleanup.policy": "compact",
      "segment.ms": "100",
      "min.cleanable.dirty.ratio": "0.01",
    });
    const latest = new Map<string, string>();
    const producers: [string, (lines: string) => Promise<unknown>][] = [];
    for (const codec of ["snappy", "lz4"]) {
      producers.push([`kcat ${codec}`, async (lines) => {
        const r = await run(
          "kcat",
          ["-b", broker.bootstrap, "-t", TOPIC, "-P", "-z", codec, "-K", ":"],
          { stdin: lines },
        );
        assertEquals(r.code, 0, r.stderr);
      }]);
      producers.push([`java ${codec}`, (lines) =>
        kafkaTool("kafka.tools.ConsoleProducer", [
          "--bootstrap-server",
          broker.bootstrap,
          "--topic",
          TOPIC,
          "--compression-codec",
          codec,
          "--property",
          "parse.key=true",
          "--property",
          "key.separator=:",
          "--producer-property",
          "linger.ms=100",
        ], lines)]);
    }
    for (let round = 0; round < 2; round++) {
      for (const [name, produce] of producers) {
        const lines = Array.from({ length: KEYS }, (_, k) => {
          const value = `${name.replace(" ", "-")}-${round}-${"x".repeat(200)}`;
          latest.set(`k${k}`, value);
          return `k${k}:${value}`;
        });
        await produce(lines.join("\n") + "\n");
      }
    }
    const expected = [...latest].sort();
    const kcat = async () => {
      const r = await run("kcat", [
        "-b",
        broker.bootstrap,
        "-C",
        "-t",
        TOPIC,
        "-o",
        "beginning",
        "-e",
        "-q",
        "-f",
        "%k\t%s\n",
      ], { timeoutMs: 60_000 });
      assertEquals(r.code, 0, r.stderr);
      return r.stdout.split("\n").filter(Boolean).map((l) => l.split("\t") as [string, string]);
    };
    const compacted = await until(
      "one record per key, the latest",
      kcat,
      (records) => records.length === KEYS,
      90_000,
    );
    assertEquals(compacted.sort(), expected);
    const java = await kafkaTool("kafka.tools.ConsoleConsumer", [
      "--bootstrap-server",
      broker.bootstrap,
      "--topic",
      TOPIC,
      "--from-beginning",
      "--max-messages",
      String(KEYS),
      "--property",
      "print.key=true",
      "--timeout-ms",
      "60000",
    ]);
    const javaRead = java.split("\n").filter(Boolean).map((l) => l.split("\t"));
    assertEquals(javaRead.sort(), expected);
    const superseded = 'kafscale_compaction_removed_records_total{reason="superseded"}';
    assertEquals(await metric(broker.metricsPort, superseded), KEYS * (producers.length * 2 - 1));
    assertEquals(
      await metric(broker.metricsPort, "kafscale_compaction_unreadable_batches_total"),
      0,
    );
  } finally {
    await broker.stop();
    await removeDir(broker.dataDir);
  }
});
