/**
 * Retention deletes whole segments and advances the log start offset: by size
 * (retention.bytes at creation) and by time (retention.ms altered on the running broker).
 * ListOffsets earliest and Fetch's OFFSET_OUT_OF_RANGE reflect it, and the objects are gone.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { fetchBody, listOffsetsBody } from "./_setup.ts";
import { inProcessBroker } from "./_inprocess.ts";
import {
  CreateTopics,
  type CreateTopicsResponse,
} from "../src/protocol/messages/19_create_topics.ts";
import { Produce } from "../src/protocol/messages/00_produce.ts";
import { ListOffsets, type ListOffsetsResponse } from "../src/protocol/messages/02_list_offsets.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import {
  IncrementalAlterConfigs,
  type IncrementalAlterConfigsResponse,
} from "../src/protocol/messages/44_incremental_alter_configs.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { ErrorCode } from "../src/protocol/errors.ts";

async function countSegments(dir: string): Promise<number> {
  let n = 0;
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await walk(`${d}/${e.name}`);
      else if (e.name.endsWith(".seg")) n++;
    }
  };
  await walk(`${dir}/objects`);
  return n;
}

Deno.test("retention: size and time limits delete whole segments and move the log start", async () => {
  const t = await inProcessBroker({ KAFSCALE_RETENTION_CHECK_MS: "50" });
  try {
    const c = t.client;
    const created = await c.request<CreateTopicsResponse>(CreateTopics, 5, {
      topics: [{
        name: "ret",
        numPartitions: 1,
        replicationFactor: 1,
        assignments: [],
        configs: [{ name: "retention.bytes", value: "2500" }],
      }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assertEquals(created.topics[0]!.errorCode, 0);
    for (let i = 0; i < 6; i++) {
      // acks=all waits for the flush, so every batch becomes its own segment (~1.1 KiB).
      await c.request(Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{
          name: "ret",
          partitionData: [{
            index: 0,
            records: buildRecordBatch([{ value: new Uint8Array(1000) }]),
          }],
        }],
      });
    }
    const earliest = async () =>
      (await c.request<ListOffsetsResponse>(ListOffsets, 7, listOffsetsBody("ret", -2))).topics[0]!
        .partitions[0]!.offset!;
    const deadline = Date.now() + 10_000;
    // Segments are ~1.1 KiB: 2500 bytes keep the newest two, so the log starts at 4.
    while ((await earliest()) !== 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const start = await earliest();
    assertEquals(start, 4, "log start after size retention");
    assertEquals(await countSegments(t.dataDir), 6 - start);
    const fetch0 = await c.request<FetchResponse>(
      Fetch,
      11,
      fetchBody("ret", 0, { maxWaitMs: 0, maxBytes: 1 << 20 }),
    );
    const p = fetch0.responses[0]!.partitions[0]!;
    assertEquals([p.errorCode, p.logStartOffset], [ErrorCode.OFFSET_OUT_OF_RANGE, start]);

    // Time: retention.ms=0 on the running broker expires every remaining segment.
    const alter = await c.request<IncrementalAlterConfigsResponse>(IncrementalAlterConfigs, 1, {
      resources: [{
        resourceType: 2,
        resourceName: "ret",
        configs: [{ name: "retention.ms", configOperation: 0, value: "0" }],
      }],
      validateOnly: false,
    });
    assertEquals(alter.responses[0]!.errorCode, 0);
    const deadline2 = Date.now() + 10_000;
    while ((await earliest()) !== 6 && Date.now() < deadline2) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(await earliest(), 6);
    assertEquals(await countSegments(t.dataDir), 0);
  } finally {
    await t.close();
  }
});

/** A metric's value from the in-process broker's registry (0 when absent). */
async function metric(
  t: { broker: { metrics: { registry: { metrics(): Promise<string> } } } },
  name: string,
) {
  const text = await t.broker.metrics.registry.metrics();
  return Number(text.match(new RegExp(`^${name} (\\S+)`, "m"))?.[1] ?? 0);
}

Deno.test("retention: records without timestamps live for retention.ms; past CreateTime goes at once", async () => {
  const t = await inProcessBroker({ KAFSCALE_RETENTION_CHECK_MS: "50" });
  try {
    const c = t.client;
    const topics = ["no-ts", "mixed", "past"];
    const created = await c.request<CreateTopicsResponse>(CreateTopics, 5, {
      topics: topics.map((name) => ({
        name,
        numPartitions: 1,
        replicationFactor: 1,
        assignments: [],
        configs: [{ name: "retention.ms", value: "600000" }],
      })),
      timeoutMs: 5000,
      validateOnly: false,
    });
    assertEquals(created.topics.map((x) => x.errorCode), [0, 0, 0]);
    const produce = (topic: string, baseTimestamp: number) =>
      c.request(Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{
          name: topic,
          partitionData: [{
            index: 0,
            records: buildRecordBatch([{ value: new Uint8Array(10) }], {
              baseTimestamp,
              maxTimestamp: baseTimestamp,
            }),
          }],
        }],
      });
    for (let i = 0; i < 3; i++) await produce("no-ts", -1); // one segment each
    await produce("mixed", -1);
    await produce("mixed", Date.now());
    await produce("past", Date.now() - 3_600_000); // an hour old: past retention.ms on arrival
    await produce("past", Date.now());
    const earliest = async (topic: string) =>
      (await c.request<ListOffsetsResponse>(ListOffsets, 7, listOffsetsBody(topic, -2))).topics[0]!
        .partitions[0]!.offset!;
    // Wait for several retention passes (the counter), not for a guessed time.
    const checks = await metric(t, "kafscale_retention_checks_total");
    const deadline = Date.now() + 30_000;
    while (
      (await metric(t, "kafscale_retention_checks_total")) < checks + 5 && Date.now() < deadline
    ) await new Promise((r) => setTimeout(r, 20));
    assert((await metric(t, "kafscale_retention_checks_total")) >= checks + 5, "retention ran");
    assertEquals(await earliest("no-ts"), 0, "records without timestamps are kept");
    assertEquals(await earliest("mixed"), 0);
    assertEquals(await earliest("past"), 1, "the hour-old record went");
    assert((await metric(t, 'kafscale_retention_deleted_segments_total{rule="time"}')) >= 1);
    const read = await c.request<FetchResponse>(
      Fetch,
      11,
      fetchBody("no-ts", 0, { maxWaitMs: 0, maxBytes: 1 << 20 }),
    );
    assertEquals(read.responses[0]!.partitions[0]!.highWatermark, 3);
  } finally {
    await t.close();
  }
});
