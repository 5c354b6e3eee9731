/**
 * The log layer on memory stores: partitions flushing together share one object (PUTs do not
 * grow with the partition count), cold reads use one ranged GET per segment and read ahead,
 * retention leaves shared objects to the garbage collector, and the collector deletes only old
 * unreferenced objects, including the upload of a commit that came too late.
 */
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import type { KvTxn } from "../metadata/types.ts";
import { decodeRecords } from "../protocol/records/builder.ts";
import { RecordBatchView } from "../protocol/records/record_batch.ts";
import { KafkaError } from "../protocol/errors.ts";
import {
  batch,
  CountingStore,
  decodeRecordsAll,
  deps,
  GatedStore,
  manager,
  segmentObjects,
  segmentPerValue,
} from "./_testing.ts";

Deno.test("log: partitions flushing together share one object, each read back by a ranged GET", async () => {
  const objects = new CountingStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  const parts = await Promise.all(Array.from({ length: 8 }, (_, p) => logs.get("t", "id", p)));
  const acks = parts.map((log, p) => log.append([batch(`p${p}`)]).durable);
  await logs.flushAll();
  await Promise.all(acks);
  assertEquals(objects.puts, 1);
  assertEquals((await segmentObjects(objects)).length, 1);
  await logs.close();

  const cold = manager(deps(objects, meta)); // a restarted broker: empty cache
  for (let p = 0; p < 8; p++) {
    const log = await cold.get("t", "id", p);
    assertEquals(log.committedSegments[0]!.object_chunks, 8);
    const read = await log.read(0, 1 << 20);
    const [record] = decodeRecords(new RecordBatchView(read.records!));
    assertEquals(new TextDecoder().decode(record!.value!), `p${p}`);
  }
  const ranges = objects.gets.map((r) => r!);
  assertEquals(ranges.length, 8);
  assertEquals(new Set(ranges.map((r) => r.start)).size, 8, "each partition its own range");
  await cold.close();
});

Deno.test("log: a cold sequential read loads the next segments ahead, one GET each", async () => {
  const objects = new CountingStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  await segmentPerValue(logs, ["r0", "r1", "r2", "r3", "r4"]);
  await logs.close();

  const d = deps(objects, meta, { readaheadSegments: 2 });
  const cold = manager(d);
  const reader = await cold.get("t", "id", 0);
  objects.gets = [];
  await reader.read(0, 1); // one batch: segment 0 only, segments 1 and 2 loaded ahead
  await new Promise((r) => setTimeout(r, 10));
  assertEquals(objects.gets.length, 3);
  assertEquals(d.cache.stats.readahead, 2);
  await reader.read(1, 1); // cached; segment 3 starts loading
  await reader.read(2, 1); // cached; segment 4 starts loading
  await new Promise((r) => setTimeout(r, 10));
  assertEquals(objects.gets.length, 5);
  await reader.read(3, 1);
  await reader.read(4, 1);
  assertEquals(objects.gets.length, 5, "nothing was fetched twice");
  assertEquals(d.cache.stats.readahead, 4);
  assertEquals(d.cache.stats.misses, 1, "only the first read waited for storage");
  await cold.close();
});

Deno.test("log: retention leaves a shared object to the collector, which deletes it once unreferenced", async () => {
  const objects = new CountingStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  const [a, b] = await Promise.all([logs.get("t", "id", 0), logs.get("t", "id", 1)]);
  const acks = [a!.append([batch("a")]).durable, b!.append([batch("b")]).durable];
  await logs.flushAll();
  await Promise.all(acks);
  const [shared] = await segmentObjects(objects);
  assertEquals((await a!.applyRetention(Date.now() + 1000, 0, -1)).length, 1);
  assertEquals((await segmentObjects(objects)).length, 1, "partition 1 still uses it");
  const later = Date.now() + 3_600_000;
  assertEquals((await logs.collectGarbage(later)).deleted, 0);
  assertEquals((await b!.applyRetention(Date.now() + 1000, 0, -1)).length, 1);
  assertEquals((await logs.collectGarbage(Date.now())).deleted, 0, "young objects are kept");
  assertEquals(await logs.collectGarbage(later), { scanned: 1, deleted: 1 });
  assertEquals(await objects.get(shared!.key), null);
  await logs.close();
});

Deno.test("log: an upload older than the commit deadline is not committed and becomes garbage", async () => {
  const objects = new CountingStore();
  const meta = new MemoryMetadataStore();
  let clock = 1_000_000;
  const logs = manager(deps(objects, meta, { now: () => clock, commitDeadlineMs: 5_000 }));
  const log = await logs.get("t", "id", 0);
  objects.beforePut = () => clock += 10_000; // the PUT takes "10 s"
  const ack = log.append([batch("late")]).durable;
  await logs.flushAll();
  const e = await assertRejects(() => ack, KafkaError);
  assertEquals(e.code, 7); // REQUEST_TIMED_OUT: retriable
  assertEquals(log.highWatermark, 0);
  objects.beforePut = undefined;
  const retry = log.append([batch("again")]);
  assertEquals(retry.baseOffset, 0, "offsets were rolled back");
  await logs.flushAll();
  await retry.durable;
  const gc = await logs.collectGarbage(Date.now() + 3_600_000);
  assertEquals(gc, { scanned: 2, deleted: 1 });
  assertEquals((await log.read(0, 1 << 20)).highWatermark, 1);
  await logs.close();
});

Deno.test("log: a roll merges small segments into the manifest; reads, offsets and GC agree", async () => {
  const objects = new CountingStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  const log = await segmentPerValue(logs, Array.from({ length: 12 }, (_, i) => `v${i}`));
  const before = await log.read(0, 1 << 20);
  assertEquals(log.committedSegments.length, 12);
  await logs.rollAll();
  assertEquals(log.committedSegments.length, 1);
  assertEquals(log.tailKeys, 0);
  assertEquals((await meta.getPrefix("segments/t/0/")).length, 0, "no segment key left");
  assertEquals(await log.read(0, 1 << 20), before);
  await logs.close();

  const cold = manager(deps(objects, meta)); // a restarted broker reads the merged segment
  const reopened = await cold.get("t", "id", 0);
  assertEquals(reopened.committedSegments.length, 1);
  const values = decodeRecordsAll((await reopened.read(5, 1 << 20)).records!);
  assertEquals(values, ["v5", "v6", "v7", "v8", "v9", "v10", "v11"]);
  const gc = await cold.collectGarbage(Date.now() + 3_600_000);
  // 12 small segment objects, the merged one and the manifest: the 12 are garbage.
  assertEquals(gc, { scanned: 14, deleted: 12 });
  assertEquals((await reopened.read(0, 1 << 20)).records?.byteLength, before.records?.byteLength);
  await cold.close();
});

const turn = () => new Promise((r) => setTimeout(r, 5));

Deno.test("log: a flush uploads while the one before commits; both commit in offset order", async () => {
  const objects = new GatedStore();
  const logs = manager(deps(objects, new MemoryMetadataStore()));
  const log = await logs.get("t", "id", 0);
  const first = log.append([batch("a")]);
  const f1 = log.flush();
  await turn();
  const second = log.append([batch("b")]);
  const f2 = log.flush();
  await turn();
  assertEquals(objects.gates.length, 2, "the second upload did not wait for the first commit");
  objects.gates[1]!.open(); // the later upload finishes first...
  await turn();
  assertEquals(log.highWatermark, 0, "...but cannot commit before the earlier flush");
  objects.gates[0]!.open();
  await Promise.all([f1, f2, first.durable, second.durable]);
  assertEquals([first.baseOffset, second.baseOffset, log.highWatermark], [0, 1, 2]);
  await logs.close();
});

Deno.test("log: a failed flush fails the flushes sealed after it and rolls the offsets back", async () => {
  const objects = new GatedStore();
  const logs = manager(deps(objects, new MemoryMetadataStore()));
  const log = await logs.get("t", "id", 0);
  const first = log.append([batch("a")]);
  const f1 = log.flush().catch((e) => e);
  await turn();
  const second = log.append([batch("b")]);
  const f2 = log.flush().catch((e) => e);
  await turn();
  objects.gates[1]!.open(); // the second upload succeeds: garbage, never committed
  objects.gates[0]!.fail(new Error("S3 is down"));
  const e1 = await assertRejects(() => first.durable, KafkaError);
  const e2 = await assertRejects(() => second.durable, KafkaError);
  assertEquals([e1.code, e2.code], [56, 56]); // KAFKA_STORAGE_ERROR: retriable
  await Promise.all([f1, f2]);
  assertEquals(log.highWatermark, 0);
  const retry = log.append([batch("c")]);
  assertEquals(retry.baseOffset, 0, "offsets were rolled back past both flushes");
  const f3 = log.flush();
  await turn();
  objects.gates[2]!.open();
  await Promise.all([f3, retry.durable]);
  const [record] = decodeRecords(new RecordBatchView((await log.read(0, 1 << 20)).records!));
  assertEquals(new TextDecoder().decode(record!.value!), "c");
  await logs.close();
});

/** A committer that runs each transaction and then, once, loses the answer. */
function losingAnswer(meta: MemoryMetadataStore) {
  const state = { armed: false };
  const committer = {
    async commit(txn: KvTxn) {
      const res = await meta.txn(txn);
      if (state.armed) {
        state.armed = false;
        throw new Error("etcd: no answer within 5000 ms");
      }
      return res;
    },
  };
  return { committer, state };
}

Deno.test("log: a roll whose answer was lost does not make the writer reuse offsets", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const { committer, state } = losingAnswer(meta);
  const logs = manager(deps(objects, meta, { committer }));
  const log = await segmentPerValue(logs, ["v0", "v1", "v2", "v3"]);
  state.armed = true; // the roll lands, its answer is lost
  await assertRejects(() => log.roll(1 << 20, 1));
  const x = log.append([batch("x")]);
  await logs.flushAll(); // reads the partition back first, then commits x
  await x.durable;
  const y = log.append([batch("y")]);
  await logs.flushAll();
  await y.durable;
  assertEquals([x.baseOffset, y.baseOffset, log.highWatermark], [4, 5, 6]);
  await logs.close();
  const reopened = await manager(deps(objects, meta)).get("t", "id", 0);
  const read = decodeRecordsAll((await reopened.read(0, 1 << 20)).records!);
  assertEquals(read, ["v0", "v1", "v2", "v3", "x", "y"]);
});

Deno.test("log: a flush whose commit answer was lost but landed is acknowledged, once", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const { committer, state } = losingAnswer(meta);
  const logs = manager(deps(objects, meta, { committer }));
  const log = await logs.get("t", "id", 0);
  const a = log.append([batch("a")]);
  await logs.flushAll();
  await a.durable;
  state.armed = true; // b's commit lands, its answer is lost
  const b = log.append([batch("b")]);
  await logs.flushAll().catch(() => {});
  await b.durable; // told stored, as it is: never "failed" about stored records
  const c = log.append([batch("c")]);
  await logs.flushAll();
  await c.durable;
  assertEquals([a.baseOffset, b.baseOffset, c.baseOffset, log.highWatermark], [0, 1, 2, 3]);
  await logs.close();
  const reopened = await manager(deps(objects, meta)).get("t", "id", 0);
  assertEquals(decodeRecordsAll((await reopened.read(0, 1 << 20)).records!), ["a", "b", "c"]);
});

Deno.test("log: a flush commit lost before it landed fails, and can never land afterwards", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  // The first transaction of b is held back (queued in the store) and its answer lost; it is
  // applied only after the writer has answered.
  let held: KvTxn | null = null;
  let hold = false;
  const committer = {
    commit(txn: KvTxn) {
      if (hold) {
        hold = false;
        held = txn;
        return Promise.reject(new Error("etcd: no answer within 5000 ms"));
      }
      return meta.txn(txn);
    },
  };
  const logs = manager(deps(objects, meta, { committer }));
  const log = await logs.get("t", "id", 0);
  hold = true;
  const b = log.append([batch("b")]);
  await logs.flushAll().catch(() => {});
  const e = await assertRejects(() => b.durable, KafkaError);
  assertEquals(e.code, 56, "KAFKA_STORAGE_ERROR: retriable, nothing stored");
  const late = await meta.txn(held!); // the store finally runs the queued commit
  assertEquals(late.succeeded, false, "the read-back's rewrite fenced it");
  const b2 = log.append([batch("b")]);
  await logs.flushAll();
  await b2.durable;
  assertEquals([b2.baseOffset, log.highWatermark], [0, 1]);
  await logs.close();
  const reopened = await manager(deps(objects, meta)).get("t", "id", 0);
  assertEquals(decodeRecordsAll((await reopened.read(0, 1 << 20)).records!), ["b"]);
});

Deno.test("log: a writer fenced during a roll fails its pending batches at once", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  const log = await segmentPerValue(logs, ["v0", "v1", "v2", "v3"]);
  const pending = log.append([batch("x")]); // not flushed yet
  await manager(deps(objects, meta)).get("t", "id", 0); // another broker takes the epoch
  assertEquals(await log.roll(1 << 20, 1), { moved: 0, merged: 0 });
  const e = await assertRejects(() => pending.durable, KafkaError);
  assertEquals(e.code, 6); // NOT_LEADER_OR_FOLLOWER
  assert(log.isFenced);
  await logs.close();
});

Deno.test("log: the commit deadline is checked when the commit happens, not when the upload ends", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  let clock = 1_000_000;
  let release: () => void = () => {};
  const held = new Promise<void>((r) => release = r);
  let first = true;
  const committer = {
    async commit(txn: KvTxn) {
      if (first) {
        first = false;
        await held; // the first commit is slow (an etcd round, a compaction holding the lock)
      }
      return await meta.txn(txn);
    },
  };
  const logs = manager(
    deps(objects, meta, { now: () => clock, commitDeadlineMs: 5_000, committer }),
  );
  const log = await logs.get("t", "id", 0);
  const a = log.append([batch("a")]);
  const fa = log.flush();
  await turn();
  const b = log.append([batch("b")]);
  const fb = log.flush().catch((e) => e);
  await turn(); // b's upload is done; its commit waits behind a's
  clock += 60_000; // meanwhile the collector may have judged b's object garbage
  release();
  await fa;
  await a.durable;
  const e = await assertRejects(() => b.durable, KafkaError);
  assertEquals(e.code, 7); // REQUEST_TIMED_OUT: retriable, nothing committed
  await fb;
  assertEquals(log.highWatermark, 1);
  await logs.close();
});
