/**
 * End-to-end produce/consume benchmark: several connections produce 1 KiB records with
 * acks=all, then one consumer fetches everything. `--backend embedded` (the default) runs on the
 * local data directory; `--backend etcd-s3` starts a real etcd and s3rver (installed by
 * scripts/install_test_deps.sh) and configures the broker as tests/durable_backends_test.ts does.
 * Prints produce MB/s and records/s, p50/p99 produce latency, object PUTs and metadata
 * transactions per second during the produce phase (from the broker's request counters), and
 * consume MB/s. `--security both` runs the same load over a PLAINTEXT and a SASL_SSL listener
 * of one broker (TLS with a throwaway CA, SCRAM-SHA-512 logins), one after the other, so the cost
 * of TLS and SASL shows next to plaintext in the same run (`sasl_ssl` runs only that one).
 * Usage: deno run -A scripts/bench_produce.ts [--backend embedded|etcd-s3] [--records N]
 *   [--batch N] [--connections N] [--partitions N] [--security plaintext|sasl_ssl|both]
 *   (a later flag overrides an earlier one)
 */
import { parseConfig } from "../src/config/config.ts";
import { startBroker } from "../src/cli/broker.ts";
import type { BrokerMetrics } from "../src/metrics/metrics.ts";
import { silentLogger } from "../src/metrics/logger.ts";
import { type ConnectOptions, KafkaConnection } from "../src/client/connection.ts";
import { makeCredential } from "../src/auth/scram.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import { CreateTopics } from "../src/protocol/messages/19_create_topics.ts";
import { splitBatches } from "../src/protocol/records/record_batch.ts";
import {
  backendEnv,
  etcdMissing,
  makeTestCerts,
  s3Missing,
  type Service,
  startEtcd,
  startS3,
} from "../src/testing/services.ts";

const flag = (name: string): string | undefined => {
  const i = Deno.args.lastIndexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
};
const arg = (name: string, def: number) => {
  const v = flag(name);
  return v === undefined ? def : Number(v);
};
const BACKEND = flag("backend") ?? "embedded";
const RECORDS = arg("records", 200_000);
const PER_BATCH = arg("batch", 100);
const CONNECTIONS = arg("connections", 4);
const PARTITIONS = arg("partitions", 4);
const IN_FLIGHT = 5;
const SECURITY = flag("security") ?? "plaintext";

if (BACKEND !== "embedded" && BACKEND !== "etcd-s3") {
  throw new TypeError(`Cannot run the benchmark: unknown --backend ${BACKEND} (embedded|etcd-s3)`);
}
if (!["plaintext", "sasl_ssl", "both"].includes(SECURITY)) {
  throw new TypeError(`Cannot run the benchmark: unknown --security ${SECURITY}`);
}

/** One listener to load: its name, address and how clients connect to it. */
interface Target {
  name: string;
  address: string;
  connect: ConnectOptions;
}

/** Object PUTs and metadata transactions so far. */
async function storeCounts(metrics: BrokerMetrics): Promise<{ puts: number; txns: number }> {
  const of = async (c: typeof metrics.objectStoreRequests, op: string) =>
    (await c.get()).values.find((v) => v.labels.op === op)?.value ?? 0;
  return {
    puts: await of(metrics.objectStoreRequests, "put"),
    txns: await of(metrics.metadataRequests, "txn"),
  };
}

/** Produces RECORDS records; returns seconds taken and sorted per-request latencies (ms). */
async function produce(
  target: Target,
  topic: string,
): Promise<{ seconds: number; latencies: number[] }> {
  const value = new Uint8Array(1024).map((_, i) => i & 0xff);
  const batch = buildRecordBatch(Array.from({ length: PER_BATCH }, () => ({ value })));
  const latencies: number[] = [];
  const batches = Math.ceil(RECORDS / PER_BATCH);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async (_, c) => {
    const conn = await KafkaConnection.connect(target.address, "bench", target.connect);
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= batches) return;
        const t0 = performance.now();
        const r = await conn.request<ProduceResponse>(Produce, 9, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 30000,
          topicData: [{
            name: topic,
            partitionData: [{ index: (i + c) % PARTITIONS, records: batch.slice() }],
          }],
        });
        const code = r.responses[0]!.partitionResponses[0]!.errorCode;
        if (code !== 0) throw new Error(`Cannot produce: error code ${code}`);
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await conn.close();
  }));
  return {
    seconds: (performance.now() - started) / 1000,
    latencies: latencies.sort((a, b) => a - b),
  };
}

/** Fetches every partition from offset 0 to the end over one connection. */
async function consume(
  conn: KafkaConnection,
  topic: string,
): Promise<{ bytes: number; count: number }> {
  let bytes = 0;
  let count = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    let offset = 0;
    for (;;) {
      const r = await conn.request<FetchResponse>(Fetch, 11, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 8 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{
          topic,
          partitions: [{
            partition: p,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            logStartOffset: -1,
            partitionMaxBytes: 8 << 20,
          }],
        }],
        forgottenTopicsData: [],
        rackId: "",
      });
      const recs = r.responses[0]!.partitions[0]!.records;
      if (!recs || recs.byteLength === 0) break;
      bytes += recs.byteLength;
      for (const b of splitBatches(recs)) {
        count += b.recordCount;
        offset = b.lastOffset + 1;
      }
    }
  }
  return { bytes, count };
}

/** Runs the benchmark against a started broker and prints the figures. */
async function bench(target: Target, metrics: BrokerMetrics): Promise<void> {
  const admin = await KafkaConnection.connect(target.address, "bench", target.connect);
  const topic = `bench-${target.name.toLowerCase()}`;
  const label = `${BACKEND}, ${target.name}`;
  try {
    await admin.request(CreateTopics, 5, {
      topics: [{
        name: topic,
        numPartitions: PARTITIONS,
        replicationFactor: 1,
        assignments: [],
        configs: [],
      }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const before = await storeCounts(metrics);
    const { seconds, latencies } = await produce(target, topic);
    const after = await storeCounts(metrics);
    const totalRecords = Math.ceil(RECORDS / PER_BATCH) * PER_BATCH;
    const mb = (totalRecords * 1024) / 1e6;
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1);
    const puts = after.puts - before.puts;
    const txns = after.txns - before.txns;
    console.log(
      `produce [${label}]: ${totalRecords} x 1 KiB records, acks=all, ${CONNECTIONS} connections x ${IN_FLIGHT} in flight, ${PER_BATCH} records/batch, ${PARTITIONS} partitions`,
    );
    console.log(
      `  ${(mb / seconds).toFixed(1)} MB/s, ${(totalRecords / seconds).toFixed(0)} records/s, p50 ${
        pct(0.5)
      } ms, p99 ${pct(0.99)} ms`,
    );
    console.log(
      `  ${(puts / seconds).toFixed(1)} object PUTs/s (${puts}), ${
        (txns / seconds).toFixed(1)
      } metadata txns/s (${txns})`,
    );
    const consumeStart = performance.now();
    const { bytes, count } = await consume(admin, topic);
    const consumeSec = (performance.now() - consumeStart) / 1000;
    console.log(
      `consume [${label}]: ${count} records, ${
        (bytes / 1e6 / consumeSec).toFixed(1)
      } MB/s (warm cache, one connection)`,
    );
  } finally {
    await admin.close();
  }
}

const services: Service[] = [];
const dir = await Deno.makeTempDir({ prefix: "kafscale-bench-" });
try {
  if (BACKEND === "etcd-s3") {
    const missing = etcdMissing() ?? s3Missing();
    if (missing) throw new Error(`Cannot run the etcd-s3 benchmark: ${missing}`);
    services.push(await startEtcd());
    services.push(await startS3());
  }
  const secure = SECURITY !== "plaintext";
  if (secure) await makeTestCerts(dir);
  const listeners = [
    ...(SECURITY !== "sasl_ssl" ? ["PLAINTEXT://127.0.0.1:0"] : []),
    ...(secure ? ["SASL_SSL://127.0.0.1:0"] : []),
  ];
  const broker = await startBroker(
    parseConfig({
      KAFSCALE_LISTENERS: listeners.join(","),
      KAFSCALE_METRICS_ADDR: "127.0.0.1:0",
      KAFSCALE_DATA_DIR: `${dir}/data`,
      ...(secure
        ? {
          KAFSCALE_TLS_CERT_FILE: `${dir}/server.pem`,
          KAFSCALE_TLS_KEY_FILE: `${dir}/server-key.pem`,
        }
        : {}),
      ...(services.length === 2 ? backendEnv(services[0]!, services[1]!) : {}),
    }),
    silentLogger,
  );
  try {
    const targets: Target[] = [];
    if (broker.ports.PLAINTEXT) {
      targets.push({
        name: "PLAINTEXT",
        address: `127.0.0.1:${broker.ports.PLAINTEXT}`,
        connect: {},
      });
    }
    if (broker.ports.SASL_SSL) {
      const password = "bench-secret";
      await broker.services.credentials.put(
        "bench",
        "SCRAM-SHA-512",
        await makeCredential(password, { hash: "SHA-512", iterations: 4096 }),
      );
      targets.push({
        name: "SASL_SSL",
        address: `127.0.0.1:${broker.ports.SASL_SSL}`,
        connect: {
          tls: { caCerts: [await Deno.readTextFile(`${dir}/ca.pem`)] },
          sasl: { mechanism: "SCRAM-SHA-512", user: "bench", password },
        },
      });
    }
    for (const t of targets) await bench(t, broker.metrics);
  } finally {
    await broker.stop();
  }
} finally {
  for (const s of services) await s.destroy();
  await Deno.remove(dir, { recursive: true });
}
