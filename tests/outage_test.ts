/**
 * Outages of real services: while the S3 server (or etcd) is down, produces are not
 * acknowledged (a retriable KAFKA_STORAGE_ERROR or REQUEST_TIMED_OUT), the broker keeps
 * answering Metadata, the S3 health metric reports an object store outage, and group commits
 * get COORDINATOR_NOT_AVAILABLE during a metadata outage; when the service is back the broker
 * recovers by itself and every acknowledged record is at its acknowledged offset.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing, startEtcd, startS3 } from "../src/testing/services.ts";
import { removeDir, startBroker } from "./_harness.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import {
  OffsetCommit,
  type OffsetCommitResponse,
} from "../src/protocol/messages/08_offset_commit.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import { buildRecordBatch, decodeRecords } from "../src/protocol/records/builder.ts";
import { splitBatches } from "../src/protocol/records/record_batch.ts";
import { ErrorCode, isRetriable } from "../src/protocol/errors.ts";
import { createTopic, fetchBody } from "./_setup.ts";

async function outage(which: "s3" | "etcd") {
  {
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
      const down = which === "s3" ? s3 : etcd;
      await down.stop(true);
      const codes = [];
      const outageValues: string[] = [];
      for (let i = 0; i < 3; i++) {
        outageValues.push(`v${n}`);
        codes.push(await produce());
      }
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
      if (which === "s3") {
        const text = await metrics();
        assert(
          !text.includes('kafscale_s3_health_state{state="healthy"} 1'),
          "health must not read healthy",
        );
      } else {
        const commit = await c.request<OffsetCommitResponse>(OffsetCommit, 8, {
          groupId: "g",
          generationIdOrMemberEpoch: -1,
          memberId: "",
          groupInstanceId: null,
          topics: [{
            name: "o",
            partitions: [{
              partitionIndex: 0,
              committedOffset: 1,
              committedLeaderEpoch: -1,
              committedMetadata: "",
            }],
          }],
        });
        assertEquals(
          commit.topics[0]!.partitions[0]!.errorCode,
          ErrorCode.COORDINATOR_NOT_AVAILABLE,
        );
      }
      await down.restart();
      let recovered = false;
      for (let i = 0; i < 150 && !recovered; i++) {
        recovered = (await produce()) === 0;
        if (!recovered) await new Promise((r) => setTimeout(r, 200));
      }
      assert(recovered, `produce works again after ${which} returns`);
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
      // An S3 failure happens before the commit, so nothing unacknowledged becomes visible. An
      // etcd failure can lose only the answer: a commit the client timed out on may still land
      // (the broker reads it back), so extras may appear, but only from the outage window.
      const extras = [...at.keys()].filter((v) => !acked.has(v));
      if (which === "s3") assertEquals(extras, []);
      else assert(extras.every((v) => outageValues.includes(v)), `unexpected extras ${extras}`);
    } finally {
      await c.close();
      await broker.stop();
      await removeDir(broker.dataDir);
      await etcd.destroy();
      await s3.destroy();
    }
  }
}

Deno.test({
  name:
    "outage: S3 down means no acks (retriable errors), Metadata still answers, the health metric reports it; recovery loses nothing acked",
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  fn: () => outage("s3"),
});

Deno.test({
  name:
    "outage: etcd down means no acks (retriable errors), Metadata still answers, group commits get COORDINATOR_NOT_AVAILABLE; recovery loses nothing acked",
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  fn: () => outage("etcd"),
});
