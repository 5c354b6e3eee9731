/**
 * End-to-end produce/consume benchmark on the embedded default (local directory): several
 * connections produce 1 KiB records with acks=all, then one consumer fetches everything.
 * Prints produce MB/s and records/s, p50/p99 produce latency, consume MB/s.
 * Usage: deno run -A scripts/bench_produce.ts [--records N] [--batch N] [--connections N]
 */
import { parseConfig } from "../src/config/config.ts";
import { startBroker } from "../src/cli/broker.ts";
import { silentLogger } from "../src/metrics/logger.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import { CreateTopics } from "../src/protocol/messages/19_create_topics.ts";
import { splitBatches } from "../src/protocol/records/record_batch.ts";

const arg = (name: string, def: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : def;
};
const RECORDS = arg("records", 200_000);
const PER_BATCH = arg("batch", 100);
const CONNECTIONS = arg("connections", 4);
const PARTITIONS = arg("partitions", 4);
const IN_FLIGHT = 5;

const dir = await Deno.makeTempDir({ prefix: "kafscale-bench-" });
const broker = await startBroker(
  parseConfig({
    KAFSCALE_BROKER_ADDR: "127.0.0.1:0",
    KAFSCALE_METRICS_ADDR: "127.0.0.1:0",
    KAFSCALE_DATA_DIR: dir,
  }),
  silentLogger,
);
const address = `127.0.0.1:${broker.port}`;
const admin = await KafkaConnection.connect(address);
await admin.request(CreateTopics, 5, {
  topics: [{
    name: "bench",
    numPartitions: PARTITIONS,
    replicationFactor: 1,
    assignments: [],
    configs: [],
  }],
  timeoutMs: 5000,
  validateOnly: false,
});
const value = new Uint8Array(1024).map((_, i) => i & 0xff);
const batch = buildRecordBatch(Array.from({ length: PER_BATCH }, () => ({ value })));
const latencies: number[] = [];
const batches = Math.ceil(RECORDS / PER_BATCH);
let next = 0;
const started = performance.now();
await Promise.all(Array.from({ length: CONNECTIONS }, async (_, c) => {
  const conn = await KafkaConnection.connect(address);
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
          name: "bench",
          partitionData: [{ index: (i + c) % PARTITIONS, records: batch.slice() }],
        }],
      });
      if (r.responses[0]!.partitionResponses[0]!.errorCode !== 0) throw new Error("produce failed");
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await conn.close();
}));
const produceSec = (performance.now() - started) / 1000;
const totalRecords = batches * PER_BATCH;
const mb = (totalRecords * 1024) / 1e6;
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1);
console.log(
  `produce: ${totalRecords} x 1 KiB records, acks=all, ${CONNECTIONS} connections x ${IN_FLIGHT} in flight, ${PER_BATCH} records/batch`,
);
console.log(
  `  ${(mb / produceSec).toFixed(1)} MB/s, ${
    (totalRecords / produceSec).toFixed(0)
  } records/s, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`,
);

const consumeStart = performance.now();
let bytes = 0;
let count = 0;
for (let p = 0; p < PARTITIONS; p++) {
  let offset = 0;
  for (;;) {
    const r = await admin.request<FetchResponse>(Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 8 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{
        topic: "bench",
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
const consumeSec = (performance.now() - consumeStart) / 1000;
console.log(
  `consume: ${count} records, ${
    (bytes / 1e6 / consumeSec).toFixed(1)
  } MB/s (warm cache, one connection)`,
);
await admin.close();
await broker.stop();
await Deno.remove(dir, { recursive: true });
