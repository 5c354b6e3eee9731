/**
 * What one flush cycle costs as the number of active partitions grows: for 1, 100 and 1,000
 * partitions, one acks=all Produce request writing a batch to every partition (one flush cycle,
 * by group commit) is sent 20 times, on etcd + s3rver; prints object PUTs, metadata transactions
 * and partition commits per cycle, from the broker's /metrics. Objects are shared by the
 * partitions of a cycle and commits are batched into transactions, so PUTs stay near one and
 * transactions grow with partitions / ~40 (etcd's 128 operations per transaction).
 * Usage: deno run -A scripts/bench_flush_cost.ts
 */
import { startBroker } from "../tests/_harness.ts";
import { backendEnv, startEtcd, startS3 } from "../src/testing/services.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { CreateTopics } from "../src/protocol/messages/19_create_topics.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";

const CYCLES = 20;

async function scrape(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const get = (re: RegExp) => Number(text.match(re)?.[1] ?? 0);
  return {
    puts: get(/^kafscale_object_store_requests_total\{op="put"\} (\S+)/m),
    txns: get(/^kafscale_metadata_requests_total\{op="txn"\} (\S+)/m),
    commits: get(/^kafscale_commits_per_txn_sum (\S+)/m),
  };
}

const etcd = await startEtcd();
const s3 = await startS3();
const broker = await startBroker({
  env: { ...backendEnv(etcd, s3), KAFSCALE_MAX_PARTITIONS_PER_TOPIC: "1000" },
});
const c = await KafkaConnection.connect(broker.bootstrap);
console.log("| active partitions | PUTs per cycle | metadata txns per cycle | commits per txn |");
console.log("|---|---|---|---|");
try {
  for (const n of [1, 100, 1000]) {
    const topic = `cost${n}`;
    await c.request(CreateTopics, 5, {
      topics: [{
        name: topic,
        numPartitions: n,
        replicationFactor: 1,
        assignments: [],
        configs: [],
      }],
      timeoutMs: 30000,
      validateOnly: false,
    });
    const body = () => ({
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{
        name: topic,
        partitionData: Array.from({ length: n }, (_, index) => ({
          index,
          records: buildRecordBatch([{ value: new Uint8Array(100) }]),
        })),
      }],
    });
    await c.request<ProduceResponse>(Produce, 9, body()); // opens every partition
    const before = await scrape(broker.metricsPort);
    for (let i = 0; i < CYCLES; i++) {
      const r = await c.request<ProduceResponse>(Produce, 9, body());
      const bad = r.responses[0]!.partitionResponses.filter((p) => p.errorCode !== 0);
      if (bad.length) throw new Error(`produce errors: ${JSON.stringify(bad[0])}`);
    }
    const after = await scrape(broker.metricsPort);
    const d = (k: string) => after[k]! - before[k]!;
    console.log(
      `| ${n} | ${(d("puts") / CYCLES).toFixed(1)} | ${(d("txns") / CYCLES).toFixed(1)} | ${
        (d("commits") / Math.max(1, d("txns"))).toFixed(1)
      } |`,
    );
  }
} finally {
  await c.close();
  await broker.stop("SIGKILL");
  await Deno.remove(broker.dataDir, { recursive: true }).catch(() => {});
  await s3.destroy();
  await etcd.destroy();
}
