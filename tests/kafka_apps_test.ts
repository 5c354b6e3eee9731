/**
 * Kafka Connect and Kafka Streams 4.0 (Maven Central jars) run unchanged against the broker,
 * with their compacted internal topics compacted under them:
 *
 * - Connect in distributed mode creates its config, offsets and status topics (cleanup.policy
 *   compact, checked by Connect itself and here), runs FileStreamSource and FileStreamSink,
 *   and, killed (-9) once its source offsets and the sink's group offsets are committed, comes
 *   back without re-delivering anything: the output file equals the input after more lines.
 * - Streams' WordCountDemo counts words into a compacted changelog; stopped, its local state
 *   deleted and restarted, it restores the counts from the compacted changelog and goes on
 *   counting from them. Again exactly once, where every record it writes is transactional.
 *
 * Compaction runs every half second with segment.ms=100 on those topics (Connect's
 * `*.storage.` and Streams' `topic.` prefixes pass topic configs through), so every restart
 * reads logs with gaps. Waits are for what the clients write or read, with generous deadlines.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import {
  type BrokerProcess,
  freePort,
  removeDir,
  requireTool,
  run,
  startBroker,
  toolsDir,
  until,
} from "./_harness.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import {
  DescribeConfigs,
  type DescribeConfigsResponse,
} from "../src/protocol/messages/32_describe_configs.ts";
import { OffsetFetch, type OffsetFetchResponse } from "../src/protocol/messages/09_offset_fetch.ts";
import { createTopic } from "./_setup.ts";

const BROKER_ENV = {
  KAFSCALE_COMPACTION_CHECK_MS: "500",
  KAFSCALE_RETENTION_CHECK_MS: "1000",
};

/** A Java program on the Kafka 4 classpath (Connect, Streams and their examples). */
class JavaApp {
  private readonly child: Deno.ChildProcess;
  readonly exited: Promise<Deno.CommandStatus>;

  constructor(main: string, args: string[], logFile: string) {
    const jars = requireTool(`${toolsDir()}/kafka-4.0.0`);
    requireTool(`${jars}/.apps-complete`);
    const log = Deno.openSync(logFile, { write: true, create: true, append: true });
    this.child = new Deno.Command("java", {
      args: ["-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp", `${jars}/*`, main, ...args],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    const copy = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) log.writeSync(chunk);
    };
    const copied = Promise.all([copy(this.child.stdout), copy(this.child.stderr)]);
    this.exited = this.child.status.then(async (s) => {
      await copied;
      log.close();
      return s;
    });
  }

  /** Signals the program and waits for it to exit. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    try {
      this.child.kill(signal);
    } catch { /* already gone */ }
    await this.exited;
  }
}

async function compactedPolicy(
  bootstrap: string,
  topic: string,
): Promise<string | null | undefined> {
  const c = await KafkaConnection.connect(bootstrap);
  try {
    const r = await c.request<DescribeConfigsResponse>(DescribeConfigs, 4, {
      resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ["cleanup.policy"] }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    return r.results[0]!.configs.find((c) => c.name === "cleanup.policy")?.value;
  } finally {
    await c.close();
  }
}

/** Records of a topic partition read from the beginning with kcat: [offset, key, value]. */
async function kcatRead(
  bootstrap: string,
  topic: string,
  partition: number,
  extra: string[] = [],
): Promise<[number, string, string][]> {
  const r = await run("kcat", [
    "-b",
    bootstrap,
    "-C",
    "-t",
    topic,
    "-p",
    String(partition),
    "-o",
    "beginning",
    "-e",
    "-q",
    "-f",
    "%o\t%k\t%s\n",
    ...extra,
  ], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kcat failed: ${r.stderr}`);
  return r.stdout.split("\n").filter(Boolean).map((l) => {
    const [o, k, v] = l.split("\t");
    return [Number(o), k!, v ?? ""];
  });
}

/** Whether every key appears once in a partition (compaction caught up). */
async function compactedOnce(bootstrap: string, topic: string, partitions: number) {
  for (let p = 0; p < partitions; p++) {
    const keys = (await kcatRead(bootstrap, topic, p)).map((r) => r[1]);
    if (new Set(keys).size !== keys.length) return false;
  }
  return true;
}

async function committed(bootstrap: string, group: string, topic: string): Promise<number> {
  const c = await KafkaConnection.connect(bootstrap);
  try {
    const r = await c.request<OffsetFetchResponse>(OffsetFetch, 8, {
      groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: [0] }] }],
      requireStable: false,
    });
    return Number(r.groups![0]!.topics![0]?.partitions?.[0]?.committedOffset ?? -1);
  } finally {
    await c.close();
  }
}

async function metric(b: BrokerProcess, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${b.metricsPort}/metrics`)).text();
  const escaped = series.replace(/[{}"=]/g, (c) => `\\${c}`);
  return Number(text.match(new RegExp(`^${escaped} (\\S+)`, "m"))?.[1] ?? NaN);
}

Deno.test("kafka connect 4.0 distributed: compacted internal topics, file source and sink, a killed worker re-delivers nothing", async () => {
  const broker = await startBroker({ env: BROKER_ENV });
  const dir = await Deno.makeTempDir({ prefix: "kafscale-connect-" });
  const rest = `http://127.0.0.1:${freePort()}`;
  let worker: JavaApp | null = null;
  try {
    const settings = [
      `bootstrap.servers=${broker.bootstrap}`,
      "group.id=connect-cluster",
      "key.converter=org.apache.kafka.connect.storage.StringConverter",
      "value.converter=org.apache.kafka.connect.storage.StringConverter",
      "offset.storage.topic=connect-offsets",
      "config.storage.topic=connect-configs",
      "status.storage.topic=connect-status",
      ...["offset", "config", "status"].flatMap((s) => [
        `${s}.storage.replication.factor=1`,
        `${s}.storage.segment.ms=100`,
        `${s}.storage.min.cleanable.dirty.ratio=0.01`,
      ]),
      "offset.storage.partitions=3",
      "status.storage.partitions=3",
      `listeners=${rest}`,
      "offset.flush.interval.ms=500",
    ];
    await Deno.writeTextFile(`${dir}/worker.properties`, settings.join("\n") + "\n");
    const lines = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `line-${from + i}\n`).join("");
    await Deno.writeTextFile(`${dir}/in.txt`, lines(1, 1000));
    const start = () =>
      new JavaApp(
        "org.apache.kafka.connect.cli.ConnectDistributed",
        [`${dir}/worker.properties`],
        `${dir}/connect.log`,
      );
    worker = start();
    await until(
      "the Connect worker's REST API",
      async () => (await fetch(`${rest}/connectors`)).status,
      (s) => s === 200,
      180_000,
    );
    for (const t of ["connect-configs", "connect-offsets", "connect-status"]) {
      assertEquals(await compactedPolicy(broker.bootstrap, t), "compact", t);
    }
    const create = async (name: string, config: Record<string, string>) => {
      const r = await fetch(`${rest}/connectors`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name, config: { "tasks.max": "1", ...config } }),
      });
      assertEquals(r.status, 201, await r.text());
    };
    await create("src", {
      "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
      file: `${dir}/in.txt`,
      topic: "connect-data",
    });
    await create("sink", {
      "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
      file: `${dir}/out.txt`,
      topics: "connect-data",
    });
    const output = () => Deno.readTextFile(`${dir}/out.txt`).catch(() => "");
    await until("1000 lines through Connect", output, (s) => s === lines(1, 1000), 120_000);
    // Committed: the source's file position (in the compacted offsets topic) and the sink's
    // group offsets, so a kill now must not re-deliver anything.
    const size = (await Deno.stat(`${dir}/in.txt`)).size;
    await until(
      "the source offset commit",
      async () => {
        const all = (await Promise.all([0, 1, 2].map((p) =>
          kcatRead(broker.bootstrap, "connect-offsets", p)
        ))).flat();
        return all.filter(([, k]) =>
          k.includes('"src"')
        ).at(-1)?.[2] ?? "";
      },
      (v) => v === `{"position":${size}}`,
      60_000,
    );
    await until(
      "the sink's offset commit",
      () => committed(broker.bootstrap, "connect-sink", "connect-data"),
      (o) => o === 1000,
      60_000,
    );
    // Connect's topics were compacted under it (the status topic repeats its keys).
    await until(
      "compaction of connect-status",
      () => compactedOnce(broker.bootstrap, "connect-status", 3),
      (ok) => ok,
      60_000,
    );
    await worker.stop("SIGKILL");
    await Deno.writeTextFile(`${dir}/in.txt`, lines(1001, 500), { append: true });
    worker = start();
    await until("1500 lines after the restart", output, (s) => s === lines(1, 1500), 180_000);
    assert(await metric(broker, 'kafscale_compaction_passes_total{outcome="ok"}') > 0);
    assertEquals(await metric(broker, 'kafscale_compaction_passes_total{outcome="error"}'), 0);
  } finally {
    await worker?.stop();
    await broker.stop();
    await removeDir(broker.dataDir);
    await removeDir(dir);
  }
});

Deno.test("kafka streams 4.0 word count: the compacted changelog restores the counts after the state is lost", async () => {
  await wordCount({ exactlyOnce: false });
});

Deno.test("kafka streams 4.0 word count, exactly once: the transactional changelog is compacted and restores the counts", async () => {
  await wordCount({ exactlyOnce: true });
});

/**
 * WordCountDemo, stopped, its state deleted and restarted. Exactly once (`exactly_once_v2`),
 * every record Streams writes is transactional: the changelog compacts only if compaction maps
 * and filters committed transactions' records.
 */
async function wordCount(o: { exactlyOnce: boolean }): Promise<void> {
  const broker = await startBroker({ env: BROKER_ENV });
  const dir = await Deno.makeTempDir({ prefix: "kafscale-streams-" });
  let app: JavaApp | null = null;
  try {
    await createTopic(broker.bootstrap, "streams-plaintext-input", 1);
    await createTopic(broker.bootstrap, "streams-wordcount-output", 1);
    await Deno.writeTextFile(
      `${dir}/streams.properties`,
      [
        `bootstrap.servers=${broker.bootstrap}`,
        "application.id=streams-wordcount",
        `state.dir=${dir}/state`,
        "commit.interval.ms=500",
        "topic.segment.ms=100",
        "topic.min.cleanable.dirty.ratio=0.01",
        ...(o.exactlyOnce ? ["processing.guarantee=exactly_once_v2"] : []),
      ].join("\n") + "\n",
    );
    const start = () =>
      new JavaApp(
        "org.apache.kafka.streams.examples.wordcount.WordCountDemo",
        [`${dir}/streams.properties`],
        `${dir}/streams.log`,
      );
    const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
    const counts = new Map<string, number>();
    const produce = async (from: number, n: number) => {
      const text = Array.from({ length: n }, (_, i) => {
        const line = [words[(from + i) % 8]!, words[(from + i * 3) % 8]!, words[(from + i) % 5]!];
        for (const w of line) counts.set(w, (counts.get(w) ?? 0) + 1);
        return line.join(" ");
      }).join("\n") + "\n";
      const r = await run("kcat", ["-b", broker.bootstrap, "-t", "streams-plaintext-input", "-P"], {
        stdin: text,
      });
      assertEquals(r.code, 0, r.stderr);
    };
    /** The latest count of each word in the output topic. */
    const output = async () => {
      const latest = new Map<string, number>();
      for (
        const [, k, v] of await kcatRead(broker.bootstrap, "streams-wordcount-output", 0, [
          "-s",
          "value=q",
        ])
      ) {
        latest.set(k, Number(v));
      }
      return latest;
    };
    const expected = () => JSON.stringify([...counts].sort());
    const current = async () => JSON.stringify([...await output()].sort());
    app = start();
    await produce(0, 300);
    await until("the first counts", current, (c) => c === expected(), 180_000);
    const changelog = "streams-wordcount-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog";
    assertEquals(await compactedPolicy(broker.bootstrap, changelog), "compact");
    await until(
      "the changelog compacted to one record per word",
      () => kcatRead(broker.bootstrap, changelog, 0),
      (records) =>
        records.length === words.length && new Set(records.map((r) => r[1])).size === words.length,
      60_000,
    );
    // The state is lost with the application; the changelog restores it.
    await app.stop();
    await removeDir(`${dir}/state`);
    await produce(300, 200);
    app = start();
    await until(
      "counts going on from the restored state",
      current,
      (c) => c === expected(),
      240_000,
    );
    assert(
      await metric(broker, 'kafscale_compaction_removed_records_total{reason="superseded"}') > 0,
    );
  } finally {
    await app?.stop();
    await broker.stop();
    await removeDir(broker.dataDir);
    await removeDir(dir);
  }
}
