/**
 * KafScale against Apache Kafka on the same machine, with the same clients and settings.
 * Starts Apache Kafka 3.7 (single-node KRaft, from the jars scripts/install_test_deps.sh
 * fetched, 1 GiB heap) twice, as configured by default and with an fsync after every append,
 * KafScale on the embedded default, and KafScale on etcd + s3rver; then,
 * round after round with the systems interleaved, runs Kafka's own `ProducerPerformance`
 * (1 KiB records, acks=all) and `ConsumerPerformance` against each, a lone producer at 100
 * records/s (ack latency), and confluent-kafka writing 3 records to each of 1,000 partitions.
 * Prints a table of medians and KafScale/Kafka ratios: produce MB/s and p99, consume MB/s, lone
 * ack latency p50/p99, RSS after the runs, start-to-ready and the 1,000-partition time.
 *
 * Warm-up rounds run the same way first and are not counted: brokers run for days, and both
 * JITs (Kafka's JVM, our V8) speed the broker up over its first rounds.
 *
 * Usage: scripts/bench_vs_kafka.sh [--rounds N] [--warmup N] [--records N]
 */
import { startBroker } from "../tests/_harness.ts";
import { backendEnv, startEtcd, startS3, toolsDir } from "../src/testing/services.ts";
import { startKafka } from "./_kafka_server.ts";

const flag = (name: string, def: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : def;
};
const ROUNDS = flag("rounds", 3);
const WARMUP = flag("warmup", 1);
const RECORDS = flag("records", 200_000);
const KAFKA_DIR = `${toolsDir()}/kafka-3.7.2`;
const CP = [...Deno.readDirSync(KAFKA_DIR)].filter((e) => e.name.endsWith(".jar"))
  .map((e) => `${KAFKA_DIR}/${e.name}`).join(":");
const PY = `${toolsDir()}/venv/bin/python`;
const HERE = new URL("../tests/clients/python/", import.meta.url).pathname;
const dec = new TextDecoder();

/** A system under test. */
interface System {
  name: string;
  bootstrap: string;
  pid: () => Promise<number | undefined>;
  readyMs: number;
  stop(): Promise<void>;
}

async function sh(cmd: string, args: string[], timeoutMs = 600_000): Promise<string> {
  const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  return dec.decode(out.stdout) + dec.decode(out.stderr);
}

/** The pid of the process listening on `port` (from /proc/net/tcp and /proc/<pid>/fd). */
async function pidOn(port: number): Promise<number | undefined> {
  const out = await sh("bash", [
    "-c",
    `ss -ltnp 'sport = :${port}' | grep -o 'pid=[0-9]*' | head -1`,
  ]);
  const m = out.match(/pid=(\d+)/);
  return m ? Number(m[1]) : undefined;
}

async function rssMiB(pid: number | undefined): Promise<number> {
  if (!pid) return NaN;
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? NaN) / 1024;
}

/**
 * Apache Kafka as configured by default (it acknowledges once the page cache has the records),
 * or with `log.flush.interval.messages=1`: an fsync after every append, the durability a
 * KafScale acknowledgement on the embedded default has (the object and metadata fsynced).
 */
async function startApacheKafka(fsync: boolean): Promise<System> {
  const started = performance.now();
  const kafka = await startKafka("1g", fsync ? ["log.flush.interval.messages=1"] : []);
  return {
    name: fsync ? "Apache Kafka 3.7, fsync per append" : "Apache Kafka 3.7",
    bootstrap: kafka.bootstrap,
    pid: () => Promise.resolve(kafka.pid),
    readyMs: performance.now() - started,
    stop: kafka.stop,
  };
}

async function startKafscale(name: string, env: Record<string, string>): Promise<System> {
  const started = performance.now();
  const b = await startBroker({ env });
  const readyMs = performance.now() - started;
  return {
    name,
    bootstrap: b.bootstrap,
    pid: () => pidOn(b.port),
    readyMs,
    async stop() {
      await b.stop("SIGKILL");
      await Deno.remove(b.dataDir, { recursive: true }).catch(() => {});
    },
  };
}

async function createTopic(s: System, topic: string, partitions: number): Promise<void> {
  await sh("java", [
    "-cp",
    CP,
    "org.apache.kafka.tools.TopicCommand",
    "--bootstrap-server",
    s.bootstrap,
    "--create",
    "--topic",
    topic,
    "--partitions",
    String(partitions),
    "--replication-factor",
    "1",
  ]);
}

/** ProducerPerformance: [MB/s, p50 ms, p99 ms]. */
async function produce(s: System, topic: string, records: number, throughput = -1) {
  const out = await sh("java", [
    "-cp",
    CP,
    "org.apache.kafka.tools.ProducerPerformance",
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--record-size",
    "1024",
    "--throughput",
    String(throughput),
    "--producer-props",
    `bootstrap.servers=${s.bootstrap}`,
    "acks=all",
  ]);
  const last = out.trim().split("\n").filter((l) => l.includes("records sent")).at(-1) ?? "";
  const mb = Number(last.match(/\(([\d.]+) MB\/sec\)/)?.[1] ?? NaN);
  const p50 = Number(last.match(/([\d.]+) ms 50th/)?.[1] ?? NaN);
  const p99 = Number(last.match(/([\d.]+) ms 99th/)?.[1] ?? NaN);
  return { mb, p50, p99 };
}

/** ConsumerPerformance: fetch MB/s (without the time to join the group). */
async function consume(s: System, topic: string, records: number): Promise<number> {
  const out = await sh("java", [
    "-cp",
    CP,
    "org.apache.kafka.tools.ConsumerPerformance",
    "--bootstrap-server",
    s.bootstrap,
    "--topic",
    topic,
    "--messages",
    String(records),
    "--timeout",
    "60000",
  ]);
  // The figures follow the header line: start, end, MB, MB/s, msgs, msgs/s, rebalance ms,
  // fetch ms, fetch MB/s, ... MB/s counts the group's join; fetch MB/s is the reading itself.
  const lines = out.split("\n");
  const header = lines.findIndex((l) => l.startsWith("start.time"));
  const fields = (lines[header + 1] ?? "").split(",").map((f) => f.trim());
  if (header < 0 || fields.length < 10) {
    console.error(`ConsumerPerformance said: ${out.slice(-2000)}`);
  }
  return Number(fields[8] ?? NaN);
}

async function thousandPartitions(s: System, prefix: string): Promise<number> {
  const t0 = performance.now();
  const out = await sh(PY, [`${HERE}many_partitions.py`, s.bootstrap, prefix]);
  if (!out.includes("acked 3000")) return NaN;
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

const etcd = await startEtcd();
const s3 = await startS3();
const systems = [
  await startApacheKafka(false),
  await startApacheKafka(true),
  await startKafscale("KafScale embedded", {}),
  await startKafscale("KafScale etcd+s3rver", backendEnv(etcd, s3)),
];
const results = new Map<string, Record<string, number[]>>();
try {
  for (const s of systems) {
    await createTopic(s, "perf", 4);
    results.set(s.name, { ready: [s.readyMs / 1000] });
  }
  for (let round = -WARMUP; round < ROUNDS; round++) {
    for (const s of systems) {
      const r = results.get(s.name)!;
      const p = await produce(s, "perf", RECORDS);
      const c = await consume(s, "perf", RECORDS);
      const lone = await produce(s, "perf", 500, 100);
      if (round < 0) {
        console.error(`warm-up ${s.name}: ${JSON.stringify({ p, c, lone })}`);
        continue;
      }
      (r.produceMb ??= []).push(p.mb);
      (r.produceP99 ??= []).push(p.p99);
      (r.consumeMb ??= []).push(c);
      (r.loneP50 ??= []).push(lone.p50);
      (r.loneP99 ??= []).push(lone.p99);
      console.error(`round ${round} ${s.name}: ${JSON.stringify({ p, c, lone })}`);
    }
  }
  for (const s of systems) {
    const r = results.get(s.name)!;
    r.thousand = [await thousandPartitions(s, "mp")];
    r.rss = [await rssMiB(await s.pid())];
  }
} finally {
  for (const s of systems) await s.stop();
  await s3.destroy();
  await etcd.destroy();
}

const rows: [string, string, boolean][] = [
  ["produce MB/s (acks=all)", "produceMb", true],
  ["produce p99 ms", "produceP99", false],
  ["consume MB/s", "consumeMb", true],
  ["lone producer ack p50 ms", "loneP50", false],
  ["lone producer ack p99 ms", "loneP99", false],
  ["RSS after the runs (MiB)", "rss", false],
  ["start to ready (s)", "ready", false],
  ["1,000 partitions x 3 records (s)", "thousand", false],
];
const header = [
  "",
  ...systems.map((s) => s.name),
  "embedded/Kafka",
  "embedded/Kafka fsync",
  "etcd+s3/Kafka",
];
console.log(`| ${header.join(" | ")} |`);
console.log(`|${header.map(() => "---").join("|")}|`);
for (const [label, key] of rows) {
  // Systems in start order: Kafka, Kafka with fsync, KafScale embedded, KafScale etcd+s3rver.
  const [kafka, kafkaFsync, embedded, etcdS3] = systems.map((s) =>
    median(results.get(s.name)![key] ?? [])
  ) as [number, number, number, number];
  const ratio = (v: number, base: number) => (base ? (v / base).toFixed(2) : "n/a");
  const vals = [kafka, kafkaFsync, embedded, etcdS3].map((v) => v.toFixed(1));
  console.log(
    `| ${label} | ${vals.join(" | ")} | ${ratio(embedded, kafka)} | ${
      ratio(embedded, kafkaFsync)
    } | ${ratio(etcdS3, kafka)} |`,
  );
}
console.log(
  `\n${ROUNDS} rounds of ${RECORDS} records after ${WARMUP} warm-up, medians; ${Deno.build.os} ${Deno.build.arch}, ${navigator.hardwareConcurrency} cores`,
);
