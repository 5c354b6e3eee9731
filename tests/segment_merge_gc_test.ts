/**
 * Segment merging (not Kafka's keyed compaction) on real etcd and s3rver: acks=all produces one
 * at a time make one small segment (and one object) each; the maintenance pass rolls them into
 * each partition's manifest, merging them, and the garbage collector deletes the objects no
 * reference names any more. Everything reads back, before and after a kill -9, and the metrics
 * say what happened.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import { removeDir, run, startBroker } from "./_harness.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { S3ObjectStore } from "../src/object_store/s3.ts";
import { backendEnv, createTopic, readPartition, withServices } from "./_setup.ts";
import { decodeManifest } from "../src/log/segment_manifest.ts";
import { ROLL_WHEN_IDLE_TAIL_KEYS } from "../src/log/manifest_roll.ts";

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
  name:
    "etcd+s3: small segments are merged into manifests, unreferenced objects collected, data intact",
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  async fn() {
    await withServices(async (etcd, s3) => {
      const env = {
        ...backendEnv(etcd, s3),
        KAFSCALE_RETENTION_CHECK_MS: "300", // rolls and merging run with retention
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
        (await bucket.list("kafscale/")).filter((o) =>
          o.key.endsWith(".seg") || o.key.endsWith(".manifest")
        ).map((o) => o.key).sort();
      /** Values under a prefix in etcd, read with etcdctl. */
      const etcdValues = async (prefix: string) =>
        (await run("etcdctl", [
          "--endpoints",
          etcd.endpoint,
          "get",
          "--prefix",
          prefix,
          "--print-value-only",
        ], { env: { ETCDCTL_API: "3" } })).stdout.split("\n").filter(Boolean)
          .map((json) => JSON.parse(json));
      /** The tail keys' objects, one per segment. */
      const refs = async () =>
        (await etcdValues("/kafscale/segments/small/")).map((r) => r.key as string);
      /** Every object the metadata names: tail keys, manifests and what manifests hold. */
      const named = async () => {
        const out = new Set(await refs());
        for (const state of await etcdValues("/kafscale/partitions/small/")) {
          if (!state.manifest) continue;
          out.add(state.manifest.key);
          const bytes = await bucket.get(state.manifest.key);
          const m = await decodeManifest(state.manifest.key, bytes!);
          for (const r of m.segments) out.add(r.key);
        }
        return [...out].sort();
      };
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
        // Each partition's 12 tiny segments roll into its manifest and are merged there (a roll
        // waits for ROLL_WHEN_IDLE_TAIL_KEYS tail keys, so fewer made after the last roll may
        // stay), and the 36 objects are collected: what is left in the bucket is exactly what
        // the metadata names.
        const mostTail = PARTITIONS * (ROLL_WHEN_IDLE_TAIL_KEYS - 1);
        await waitFor("rolls", async () => (await refs()).length <= mostTail);
        await waitFor("garbage collection", async () => {
          return JSON.stringify(await objects()) === JSON.stringify(await named());
        });
        assert((await objects()).length <= mostTail + 3 * PARTITIONS);
        const metrics = await (await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`))
          .text();
        const value = (name: string) =>
          Number(metrics.match(new RegExp(`^${name} (\\S+)`, "m"))?.[1]);
        // Every original segment but those that may stay in a tail was merged (a merged one
        // that is still small may merge again), and its object deleted.
        const atLeast = RECORDS - mostTail;
        assert(value("kafscale_merged_segments_total") >= atLeast, metrics);
        assert(value("kafscale_gc_deleted_objects_total") >= atLeast, metrics);
        assert(value('kafscale_segment_rolls_total{outcome="ok"}') >= PARTITIONS, metrics);

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
