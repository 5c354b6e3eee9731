/**
 * Acknowledgement latency benchmark: confluent-kafka (librdkafka) producers send 200-byte records
 * with acks=1 and acks=all, linger.ms 0 and 5, one producer (one partition) and ten producers
 * (one partition each), at a fixed rate per producer; a record's latency runs from
 * produce() to its delivery callback (scripts/bench_acks_client.py). Each case warms up for 1 s
 * before its measured window, and each setup first runs an unreported warm-up case. Prints
 * p50/p99/max latency per case next to the broker's object PUTs and metadata transactions per
 * second over the window (from its /metrics; compaction's PUTs included). About 3 minutes.
 *
 * Setups (`--setups`, comma-separated):
 * - `embedded`: the embedded default (local data directory; flush spacing 0 by default);
 * - `etcd-s3`: a real etcd and s3rver (scripts/install_test_deps.sh; spacing 10 ms by default);
 * - a setup with `:N` runs with KAFSCALE_FLUSH_INTERVAL_MS=N, e.g. `etcd-s3:0`, `embedded:10`;
 * - `kafka`: Apache Kafka 3.7 in KRaft mode (the jars in ~/.cache/kafscale/kafka-3.7.2), for
 *   comparison with the same client settings.
 * Usage: deno run -A scripts/bench_acks.ts [--setups embedded,etcd-s3,etcd-s3:0]
 *   [--seconds S] [--rate MSGS_PER_S] [--rate10 MSGS_PER_S]   (rates are per producer)
 *   [--acks 1,all] [--linger 0,5] [--producers 1,10]          (the cases to run)
 *   [--client KEY=VALUE]...    (librdkafka settings, e.g. socket.nagle.disable=true)
 */
import { parseConfig } from "../src/config/config.ts";
import { startBroker } from "../src/cli/broker.ts";
import { silentLogger } from "../src/metrics/logger.ts";
import {
  backendEnv,
  etcdMissing,
  s3Missing,
  type Service,
  startEtcd,
  startS3,
  toolsDir,
} from "../src/testing/services.ts";
import { freePort, startKafka } from "./_kafka_server.ts";

const flag = (name: string, def: string): string => {
  const i = Deno.args.lastIndexOf(`--${name}`);
  return i >= 0 && Deno.args[i + 1] !== undefined ? Deno.args[i + 1]! : def;
};
const SETUPS = flag("setups", "embedded,etcd-s3,etcd-s3:0").split(",").filter(Boolean);
const SECONDS = flag("seconds", "4");
const RATE = Number(flag("rate", "500"));
const RATE_10 = Number(flag("rate10", "200"));
const list = (name: string, def: string) => flag(name, def).split(",").filter(Boolean);
const ACKS = list("acks", "1,all");
const LINGERS = list("linger", "0,5").map(Number);
const PRODUCERS = list("producers", "1,10").map(Number);
/** Extra librdkafka settings for every producer (`--client key=value`, repeatable). */
const CLIENT_SETTINGS = Deno.args.flatMap((a, i) =>
  Deno.args[i - 1] === "--client" ? ["--client", a] : []
);
const CLIENT = new URL("./bench_acks_client.py", import.meta.url).pathname;

/** One case's figures, as the client prints them. */
interface CaseResult {
  acks: string;
  linger: number;
  producers: number;
  count: number;
  errors: number;
  error?: string;
  p50?: number;
  p99?: number;
  max?: number;
  puts_per_s?: number;
  txns_per_s?: number;
}

/** Where a setup's broker listens, and how to stop everything it started. */
interface Target {
  bootstrap: string;
  metrics: string;
  spacing: string;
  stop(): Promise<void>;
}

/** Starts a KafScale broker in this process on `backend`, with an optional flush spacing. */
async function startKafScale(backend: string, spacing: string | undefined): Promise<Target> {
  const services: Service[] = [];
  const dir = await Deno.makeTempDir({ prefix: "kafscale-bench-acks-" });
  if (backend === "etcd-s3") {
    const missing = etcdMissing() ?? s3Missing();
    if (missing) throw new Error(`Cannot run the etcd-s3 setup: ${missing}`);
    services.push(await startEtcd(), await startS3());
  } else if (backend !== "embedded") {
    throw new TypeError(`Cannot run setup ${backend}: expected embedded, etcd-s3 or kafka`);
  }
  const config = parseConfig({
    KAFSCALE_BROKER_ADDR: `127.0.0.1:${freePort()}`, // advertised to the clients: not 0
    KAFSCALE_METRICS_ADDR: "127.0.0.1:0",
    KAFSCALE_DATA_DIR: dir,
    ...(services.length === 2 ? backendEnv(services[0]!, services[1]!) : {}),
    ...(spacing === undefined ? {} : { KAFSCALE_FLUSH_INTERVAL_MS: spacing }),
  });
  const broker = await startBroker(config, silentLogger);
  return {
    bootstrap: `127.0.0.1:${broker.port}`,
    metrics: `http://127.0.0.1:${broker.metricsPort}/metrics`,
    spacing: `${config.flushIntervalMs} ms`,
    async stop() {
      await broker.stop();
      for (const s of services) await s.destroy();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Runs one case with its own client; resolves what the client printed. */
async function runCase(
  target: Target,
  c: { acks: string; linger: number; producers: number },
  o: { seconds: string; warmup: string },
): Promise<CaseResult> {
  const child = new Deno.Command(`${toolsDir()}/venv/bin/python`, {
    args: [
      CLIENT,
      ...["--bootstrap", target.bootstrap, "--cases", JSON.stringify([c])],
      ...(target.metrics ? ["--metrics", target.metrics] : []),
      ...["--seconds", o.seconds, "--warmup", o.warmup],
      ...["--rate", String(c.producers === 1 ? RATE : RATE_10)],
      ...CLIENT_SETTINGS,
    ],
    stdout: "piped",
    stderr: "inherit",
  });
  const out = await child.output();
  const lines = new TextDecoder().decode(out.stdout).split("\n").filter(Boolean);
  if (!out.success || lines.length !== 1) {
    throw new Error(`Cannot run the client for ${JSON.stringify(c)} at ${target.bootstrap}`);
  }
  return JSON.parse(lines[0]!) as CaseResult;
}

/**
 * Runs every case against a target, after a warm-up case that is not reported (the first
 * seconds after start-up run slower: compilers, caches, the first rolls); prints and returns
 * each result as it arrives.
 */
async function runCases(target: Target, setup: string): Promise<CaseResult[]> {
  await runCase(target, { acks: "1", linger: 0, producers: 1 }, { seconds: "3", warmup: "2" });
  const cases = ACKS.flatMap((acks) =>
    LINGERS.flatMap((linger) => PRODUCERS.map((producers) => ({ acks, linger, producers })))
  );
  const results: CaseResult[] = [];
  for (const c of cases) { // a client per case: its rate depends on the producer count
    const r = await runCase(target, c, { seconds: SECONDS, warmup: "1" });
    console.log(row(setup, target.spacing, r));
    results.push(r);
  }
  return results;
}

const HEADER = [
  "| setup | flush spacing | acks | linger.ms | producers | msgs/s | p50 ms | p99 ms | max ms | PUTs/s | txns/s |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
];

/** One Markdown table row. */
function row(setup: string, spacing: string, r: CaseResult): string {
  const ms = (v?: number) => v === undefined ? "-" : v.toFixed(1);
  const rate = (v?: number) => v === undefined ? "-" : v.toFixed(0);
  const sent = r.count / Number(SECONDS);
  const errors = r.errors ? ` (${r.errors} errors: ${r.error})` : "";
  return `| ${setup} | ${spacing} | ${r.acks} | ${r.linger} | ${r.producers} | ${
    sent.toFixed(0)
  } | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${rate(r.puts_per_s)} | ${
    rate(r.txns_per_s)
  }${errors} |`;
}

const rows: string[] = [];
console.log(
  `ack latency: records of 200 bytes, ${SECONDS} s per case, ${RATE} msgs/s for one producer, ` +
    `${RATE_10} msgs/s each for ten (confluent-kafka, produce() to delivery callback)` +
    (CLIENT_SETTINGS.length ? `, client settings ${CLIENT_SETTINGS.join(" ")}` : ""),
);
console.log(HEADER.join("\n"));
for (const setup of SETUPS) {
  const [backend, spacing] = setup.split(":") as [string, string | undefined];
  const target = backend === "kafka"
    ? { ...await startKafka(), metrics: "", spacing: "-" }
    : await startKafScale(backend, spacing);
  try {
    const name = backend === "kafka" ? "Apache Kafka 3.7" : backend;
    for (const r of await runCases(target, name)) rows.push(row(name, target.spacing, r));
  } finally {
    await target.stop();
  }
}
console.log(["", "summary:", ...HEADER, ...rows].join("\n"));
