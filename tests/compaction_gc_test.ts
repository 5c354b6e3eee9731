/**
 * On real etcd and s3rver: acks=all produces one at a time make one small segment (and one
 * object) each; compaction merges them and the garbage collector deletes the objects no
 * reference names any more. Everything reads back, before and after a kill -9, and the
 * metrics say what happened.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import { removeDir, run, startBroker } from "./_harness.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { S3ObjectStore } from "../src/object_store/s3.ts";
import { backendEnv, createTopic, readPartition, withServices } from "./_setup.ts";

const PARTITIONS = 3;
const RECORDS = 36;

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test({
  name: "etcd+s3: small segments are compacted, unreferenced objects collected, data intact",
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  async fn() {
    await withServices(async (etcd, s3) => {
      const env = {
        ...backendEnv(etcd, s3),
        KAFSCALE_RETENTION_CHECK_MS: "300", // compaction runs with retention
        KAFSCALE_GC_INTERVAL_MS: "300",
        KAFSCALE_GC_GRACE_MS: "20000", // the least allowed: the test waits that long for GC
      };
      const bucket = new S3ObjectStore({
        bucket: "kafscale",
        region: "us-east-1",
        endpoint: s3.endpoint,
        accessKeyId: "S3RVER",
        secretAccessKey: "S3RVER",
      });
      const objects = async () =>
        (await bucket.list("kafscale/")).filter((o) => o.key.endsWith(".seg")).map((o) => o.key)
          .sort();
      /** The segment references in etcd, read with etcdctl: their objects, one per segment. */
      const refs = async () =>
        (await run("etcdctl", [
          "--endpoints",
          etcd.endpoint,
          "get",
          "--prefix",
          "/kafscale/segments/small/",
          "--print-value-only",
        ], { env: { ETCDCTL_API: "3" } })).stdout.split("\n").filter(Boolean)
          .map((json) => JSON.parse(json).key as string);
      let broker = await startBroker({ env });
      const { port, dataDir } = broker;
      try {
        await createTopic(broker.bootstrap, "small", PARTITIONS);
        const c = await KafkaConnection.connect(broker.bootstrap);
        try {
          for (let i = 0; i < RECORDS; i++) {
            const r = await c.request<ProduceResponse>(Produce, 9, {
              transactionalId: null,
              acks: -1,
              timeoutMs: 10000,
              topicData: [{
                name: "small",
                partitionData: [{
                  index: i % PARTITIONS,
                  records: buildRecordBatch([{ value: new TextEncoder().encode(`v${i}`) }]),
                }],
              }],
            });
            assertEquals(r.responses[0]!.partitionResponses[0]!.errorCode, 0);
          }
        } finally {
          await c.close();
        }
        // Each partition's 12 tiny segments are merged (a run needs 4 small segments, so up to
        // 3 made after the last merge may stay), and the 36 objects are collected: what is
        // left in the bucket is exactly what the references name.
        await waitFor("compaction", async () => (await refs()).length <= PARTITIONS * 4);
        await waitFor("garbage collection", async () => {
          const named = [...new Set(await refs())].sort();
          return JSON.stringify(await objects()) === JSON.stringify(named);
        });
        assert((await objects()).length <= PARTITIONS * 4);
        const metrics = await (await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`))
          .text();
        const value = (name: string) =>
          Number(metrics.match(new RegExp(`^${name} (\\S+)`, "m"))?.[1]);
        // Every original segment but the up to 3 per partition that may stay unmerged was
        // merged (a merged one that is still small may merge again), and its object deleted.
        const atLeast = RECORDS - 3 * PARTITIONS;
        assert(value("kafscale_compacted_segments_total") >= atLeast, metrics);
        assert(value("kafscale_gc_deleted_objects_total") >= atLeast, metrics);

        await broker.stop("SIGKILL");
        broker = await startBroker({ port, dataDir, env });
        const reader = await KafkaConnection.connect(broker.bootstrap);
        try {
          for (let p = 0; p < PARTITIONS; p++) {
            const { highWatermark, records } = await readPartition(reader, "small", p);
            assertEquals(highWatermark, RECORDS / PARTITIONS);
            assertEquals(
              records.map((r) => `${r.offset} ${new TextDecoder().decode(r.value!)}`),
              Array.from({ length: RECORDS / PARTITIONS }, (_, i) => `${i} v${i * PARTITIONS + p}`),
            );
          }
        } finally {
          await reader.close();
        }
      } finally {
        await broker.stop();
        await bucket.close();
        await removeDir(dataDir);
      }
    });
  },
});
