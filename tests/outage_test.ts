/**
 * Object store outage on real services: while the S3 server is down, produces are not
 * acknowledged (a retriable KAFKA_STORAGE_ERROR or REQUEST_TIMED_OUT), the broker keeps
 * answering Metadata and cached fetches, and the health metric reports the outage; when S3 is
 * back the broker recovers by itself and every acknowledged record is at its acknowledged offset.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing, startEtcd, startS3 } from "../src/testing/services.ts";
import { removeDir, startBroker } from "./_harness.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import { buildRecordBatch, decodeRecords } from "../src/protocol/records/builder.ts";
import { splitBatches } from "../src/protocol/records/record_batch.ts";
import { ErrorCode, isRetriable } from "../src/protocol/errors.ts";
import { createTopic, fetchBody } from "./_setup.ts";

Deno.test({
  name:
    "outage: S3 down means no acks (retriable errors), Metadata still answers, health metric reports it; recovery loses nothing acked",
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  async fn() {
    const etcd = await startEtcd();
    const s3 = await startS3();
    const broker = await startBroker({
      env: {
        KAFSCALE_ETCD_ENDPOINTS: etcd.endpoint,
        KAFSCALE_S3_BUCKET: "kafscale",
        KAFSCALE_S3_ENDPOINT: s3.endpoint,
        KAFSCALE_S3_ACCESS_KEY: "S3RVER",
        KAFSCALE_S3_SECRET_KEY: "S3RVER",
        KAFSCALE_S3_CONDITIONAL_PUT: "check-then-put",
      },
    });
    const c = await KafkaConnection.connect(broker.bootstrap);
    const acked = new Map<string, number>();
    let n = 0;
    const produce = async () => {
      const v = `v${n++}`;
      const r = (await c.request<ProduceResponse>(Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{
          name: "o",
          partitionData: [{
            index: 0,
            records: buildRecordBatch([{ value: new TextEncoder().encode(v) }]),
          }],
        }],
      })).responses[0]!.partitionResponses[0]!;
      if (r.errorCode === 0) acked.set(v, r.baseOffset);
      return r.errorCode;
    };
    const metrics = async () =>
      await (await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`)).text();
    try {
      await createTopic(broker.bootstrap, "o", 1);
      for (let i = 0; i < 20; i++) assertEquals(await produce(), 0);
      await s3.stop(true);
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push(await produce());
      assert(
        codes.every((code) => code !== 0 && isRetriable(code)),
        `codes during outage: ${codes}`,
      );
      assert(
        codes.includes(ErrorCode.KAFKA_STORAGE_ERROR) ||
          codes.includes(ErrorCode.REQUEST_TIMED_OUT),
        `${codes}`,
      );
      const md = await c.request<MetadataResponse>(Metadata, 12, {
        topics: null,
        allowAutoTopicCreation: false,
      });
      assertEquals(md.topics.map((t) => t.name), ["o"]);
      assert(
        !(await metrics()).includes('kafscale_s3_health_state{state="healthy"} 1'),
        "health must not read healthy",
      );
      await s3.restart();
      let recovered = false;
      for (let i = 0; i < 50 && !recovered; i++) {
        recovered = (await produce()) === 0;
        if (!recovered) await new Promise((r) => setTimeout(r, 200));
      }
      assert(recovered, "produce works again after S3 returns");
      for (let i = 0; i < 10; i++) assertEquals(await produce(), 0);
      assert(
        (await metrics()).includes('kafscale_s3_health_state{state="healthy"} 1'),
        "healthy again",
      );
      const f = await c.request<FetchResponse>(
        Fetch,
        11,
        fetchBody("o", 0, { maxWaitMs: 0, maxBytes: 1 << 22 }),
      );
      const stored = splitBatches(f.responses[0]!.partitions[0]!.records!).flatMap((b) =>
        decodeRecords(b)
      );
      assertEquals(stored.map((r) => r.offset), stored.map((_, i) => i)); // dense
      const at = new Map(stored.map((r) => [new TextDecoder().decode(r.value!), r.offset]));
      for (const [v, offset] of acked) assertEquals(at.get(v), offset, `acked ${v}`);
      assertEquals(stored.length, acked.size); // nothing unacknowledged became visible
    } finally {
      await c.close();
      await broker.stop();
      await removeDir(broker.dataDir);
      await etcd.destroy();
      await s3.destroy();
    }
  },
});
