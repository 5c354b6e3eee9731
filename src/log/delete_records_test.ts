/**
 * DeleteRecords on the log layer (memory stores that enforce etcd's limits): the log start moves
 * forward in fenced transactions, whole segments below it are dropped (manifest and tail keys,
 * objects deleted), a straddling segment stays but reads below the start are refused, the next
 * writer of the partition sees the new start, and a fenced writer cannot move it.
 */
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { KafkaError } from "../protocol/errors.ts";
import { decodeRecord, keys, PartitionStateSchema } from "../metadata/records.ts";
import { batch, decodeRecordsAll, deps, manager, segmentObjects } from "./_testing.ts";
import type { PartitionLog } from "./partition_log.ts";
import { MAX_MOVED_PER_ROLL } from "./manifest_roll.ts";

/** Appends one batch per value and flushes them together: one segment of several batches. */
async function segmentOf(log: PartitionLog, values: string[]): Promise<void> {
  const acks = values.map((v) => log.append([batch(v)]).durable);
  await log.flush();
  await Promise.all(acks);
}

const values = (from: number, n: number) => Array.from({ length: n }, (_, i) => `v${from + i}`);

async function storedStart(meta: MemoryMetadataStore): Promise<number> {
  const key = keys.partition("t", 0);
  return decodeRecord(PartitionStateSchema, key, (await meta.get(key))!.value).log_start_offset;
}

Deno.test("delete records: whole segments go, a straddling one stays, reads below the start are refused", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  const log = await logs.get("t", "id", 0);
  await segmentOf(log, values(0, 3)); // offsets 0-2
  await segmentOf(log, values(3, 3)); // offsets 3-5
  assertEquals((await segmentObjects(objects)).length, 2);

  assertEquals(await log.deleteRecords(4), 4);
  assertEquals(log.logStartOffset, 4);
  assertEquals(await storedStart(meta), 4);
  assertEquals(log.committedSegments.map((s) => s.base_offset), [3], "the straddling segment");
  assertEquals((await segmentObjects(objects)).length, 1, "the dropped segment's object is gone");
  assertEquals((await meta.getPrefix("segments/t/0/")).length, 1);
  const e = await assertRejects(() => log.read(3, 1 << 20), KafkaError);
  assertEquals(e.code, 1); // OFFSET_OUT_OF_RANGE
  assertEquals(decodeRecordsAll((await log.read(4, 1 << 20)).records!), ["v4", "v5"]);

  // At or below the start: nothing changes. -1: up to the high watermark.
  assertEquals(await log.deleteRecords(2), 4);
  assertEquals(await log.deleteRecords(-1), 6);
  assertEquals(log.committedSegments.length, 0);
  assertEquals((await log.read(6, 1 << 20)).records, null);
  await logs.close();
});

Deno.test("delete records: an offset above the high watermark is OFFSET_OUT_OF_RANGE and changes nothing", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  const log = await logs.get("t", "id", 0);
  await segmentOf(log, values(0, 2));
  log.append([batch("buffered, not yet durable")]); // above the high watermark until flushed
  for (const offset of [3, 100]) {
    const e = await assertRejects(() => log.deleteRecords(offset), KafkaError);
    assertEquals(e.code, 1);
    assert(e.message.includes("high watermark is 2"), e.message);
  }
  assertEquals([log.logStartOffset, await storedStart(meta)], [0, 0]);
  await logs.close();
});

Deno.test("delete records: hundreds of tail keys and a manifest are cut within etcd's operation limit", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  const log = await logs.get("t", "id", 0);
  for (const v of values(0, 20)) await segmentOf(log, [v]);
  assertEquals((await log.roll(8, 1)).moved, 20); // 20 segments into the manifest
  const tail = 2 * MAX_MOVED_PER_ROLL + 30;
  for (const v of values(20, tail)) await segmentOf(log, [v]); // straight to tail keys
  assertEquals(log.tailKeys, tail);
  const end = 20 + tail;

  // The memory store refuses a transaction over 128 operations, as etcd does.
  assertEquals(await log.deleteRecords(end - 5), end - 5);
  assertEquals(log.committedSegments.length, 5);
  assertEquals((await meta.getPrefix("segments/t/0/")).length, 5);
  assertEquals((await segmentObjects(objects)).length, 5);
  await logs.close();

  const reopened = await manager(deps(objects, meta)).get("t", "id", 0);
  assertEquals(reopened.logStartOffset, end - 5);
  assertEquals(
    decodeRecordsAll((await reopened.read(end - 5, 1 << 20)).records!),
    values(end - 5, 5),
  );
  await reopened.close();
});

Deno.test("delete records: the next writer sees the new start; a fenced writer cannot move it", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const first = manager(deps(objects, meta));
  const old = await first.get("t", "id", 0);
  await segmentOf(old, values(0, 3));
  await segmentOf(old, values(3, 3));
  assertEquals(await old.deleteRecords(3), 3);

  const second = manager(deps(objects, meta, { brokerId: 1 })); // takes the epoch over
  const next = await second.get("t", "id", 0);
  assertEquals(next.logStartOffset, 3);
  const e = await assertRejects(() => old.deleteRecords(5), KafkaError);
  assertEquals(e.code, 6); // NOT_LEADER_OR_FOLLOWER
  assertEquals([next.logStartOffset, await storedStart(meta)], [3, 3]);
  assertEquals(await next.deleteRecords(5), 5);
  await first.close();
  await second.close();
});
