/**
 * Self-describing objects: every object the log writes ends with an index of its segments
 * (topic, partition, offsets, writer epoch and upload number, producers), objects without one
 * read as undescribed, a damaged index is refused, and a writer whose commit answer was lost
 * reads the partition back before uploading the same offsets again.
 */
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import type { KvTxn } from "../metadata/types.ts";
import { KafkaError } from "../protocol/errors.ts";
import { buildRecordBatch } from "../protocol/records/builder.ts";
import {
  type ChunkDescription,
  CorruptObjectIndexError,
  encodeObjectIndex,
  parseObjectIndex,
  readObjectIndex,
  summarizeBatches,
} from "./object_index.ts";
import { buildControlBatch } from "../protocol/records/control_batch.ts";
import { encodeSegment } from "./segment_format.ts";
import {
  batch,
  decodeRecordsAll,
  deps,
  incomingBatch,
  manager,
  segmentObjects,
  segmentPerValue,
} from "./_testing.ts";

async function indexes(objects: MemoryObjectStore): Promise<ChunkDescription[]> {
  const out: ChunkDescription[] = [];
  for (const o of await segmentObjects(objects)) {
    out.push(...(await readObjectIndex(objects, o.key, o.size)) ?? []);
  }
  // Keys of one millisecond sort by their random part: order by the writer's upload number.
  return out.sort((a, b) => a.writer_seq - b.writer_seq);
}

Deno.test("object index: a segment's summary says where transactions begin and end", () => {
  const txn = (pid: number, epoch: number, seq: number) =>
    buildRecordBatch([{ value: new Uint8Array(1) }], {
      producerId: pid,
      producerEpoch: epoch,
      baseSequence: seq,
      transactional: true,
    });
  const marker = (pid: number, epoch: number, commit: boolean) =>
    buildControlBatch({
      commit,
      producerId: pid,
      producerEpoch: epoch,
      coordinatorEpoch: 0,
      timestamp: 1,
    });
  const batches = [
    txn(7, 0, 0), // 10: producer 7 begins
    buildRecordBatch([{ value: new Uint8Array(1) }]), // 11: not transactional
    txn(7, 0, 1), // 12: already open, no event
    txn(8, 3, 0), // 13: producer 8 begins
    marker(7, 0, true), // 14
    txn(7, 0, 2), // 15: producer 7's next transaction
    marker(8, 3, false), // 16
  ].map((bytes, i) => ({ baseOffset: 10 + i, lastOffset: 10 + i, bytes }));
  assertEquals(summarizeBatches(batches).txns, [
    { producer_id: 7, epoch: 0, offset: 10, kind: "begin" },
    { producer_id: 8, epoch: 3, offset: 13, kind: "begin" },
    { producer_id: 7, epoch: 0, offset: 14, kind: "commit" },
    { producer_id: 7, epoch: 0, offset: 15, kind: "begin" },
    { producer_id: 8, epoch: 3, offset: 16, kind: "abort" },
  ]);
  assertEquals(
    summarizeBatches(batches.slice(1, 2)).txns,
    undefined,
    "none: the field is left out",
  );
});

Deno.test("object index: flushes and merges describe their segments; positions match the references", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  const log = await segmentPerValue(logs, ["a", "b", "c"]);
  const idempotent = incomingBatch(buildRecordBatch([{ value: new TextEncoder().encode("d") }], {
    producerId: 42,
    producerEpoch: 3,
    baseSequence: 0,
  }));
  const ack = log.append([{ ...idempotent, producerId: 42, producerEpoch: 3, baseSequence: 0 }]);
  await logs.flushAll();
  await ack.durable;
  let chunks = await indexes(objects);
  assertEquals(chunks.map((c) => [c.kind, c.base_offset, c.last_offset, c.writer_seq]), [
    ["flush", 0, 0, 1],
    ["flush", 1, 1, 2],
    ["flush", 2, 2, 3],
    ["flush", 3, 3, 4],
  ]);
  const last = chunks[3]!;
  assertEquals([last.topic, last.topic_id, last.partition, last.writer_epoch], ["t", "id", 0, 1]);
  assertEquals(last.epochs, [[1, 3]]);
  assertEquals(last.producers, [{
    id: 42,
    epoch: 3,
    batches: [{ first_seq: 0, last_seq: 0, base_offset: 3, last_offset: 3 }],
  }]);
  for (const [i, ref] of log.committedSegments.entries()) {
    const c = chunks.find((x) => x.base_offset === ref.base_offset)!;
    assertEquals([c.position, c.size, c.epoch], [ref.position, ref.size, ref.epoch], `ref ${i}`);
  }
  await logs.rollAll(1);
  chunks = await indexes(objects);
  const merged = chunks.filter((c) => c.kind === "merge");
  assertEquals(merged.map((c) => [c.base_offset, c.last_offset, c.writer_seq]), [[0, 3, 5]]);
  assertEquals(merged[0]!.producers[0]!.id, 42);
  await logs.close();
});

Deno.test("object index: an object without one reads as undescribed; a damaged one is refused", async () => {
  const objects = new MemoryObjectStore();
  const seg = encodeSegment([{
    baseOffset: 0,
    lastOffset: 0,
    maxTimestamp: 1,
    bytes: buildRecordBatch([{ value: new Uint8Array([1]) }]),
  }]);
  await objects.put("old.seg", seg);
  assertEquals(await readObjectIndex(objects, "old.seg", seg.byteLength), null);
  assertEquals(await readObjectIndex(objects, "missing.seg", 100), null);
  const index = encodeObjectIndex([]);
  const whole = new Uint8Array([...seg, ...index]);
  assertEquals(parseObjectIndex("new.seg", whole, whole.byteLength), []);
  const damaged = whole.slice();
  damaged[seg.byteLength + 2]! ^= 1; // inside the JSON
  const e = await assertRejects(
    () => Promise.resolve().then(() => parseObjectIndex("bad.seg", damaged, damaged.byteLength)),
    CorruptObjectIndexError,
  );
  assert(e.message.includes("checksum mismatch"), e.message);
  const future = whole.slice();
  new DataView(future.buffer).setUint16(future.byteLength - 8, 9);
  const v = await assertRejects(
    () => Promise.resolve().then(() => parseObjectIndex("v9.seg", future, future.byteLength)),
    CorruptObjectIndexError,
  );
  assert(v.message.includes("unknown version 9"), v.message);
});

Deno.test("object index: a partial object (a crash during a fresh PUT) reads as undescribed", async () => {
  const objects = new MemoryObjectStore();
  const seg = encodeSegment([{
    baseOffset: 0,
    lastOffset: 1,
    maxTimestamp: 1,
    bytes: buildRecordBatch([{ value: new Uint8Array([1]) }, { value: new Uint8Array([2]) }]),
  }]);
  const chunks = [{
    topic: "t",
    topic_id: "00".repeat(16),
    partition: 0,
    base_offset: 0,
    last_offset: 1,
    batch_count: 1,
    max_timestamp: 1,
    created_ms: 1,
    epoch: 0,
    writer_epoch: 0,
    writer_seq: 1,
    kind: "flush" as const,
    producers: [],
    epochs: [],
    position: 0,
    size: seg.byteLength,
  }];
  const whole = new Uint8Array([...seg, ...encodeObjectIndex(chunks)]);
  await objects.put("whole.seg", whole);
  assertEquals((await readObjectIndex(objects, "whole.seg", whole.byteLength))?.length, 1);
  // Every prefix, as a write cut short leaves it: never an index, never an error.
  for (let n = 0; n < whole.byteLength; n++) {
    await objects.put(`cut-${n}.seg`, whole.subarray(0, n));
    assertEquals(await readObjectIndex(objects, `cut-${n}.seg`, n), null, `cut at ${n}`);
  }
});

Deno.test("object index: an index larger than the first read takes a second ranged GET", async () => {
  const objects = new MemoryObjectStore();
  const chunk = (i: number): ChunkDescription => ({
    topic: `topic-with-a-long-name-${i}`,
    topic_id: "0".repeat(32),
    partition: i,
    position: 0,
    size: 1,
    base_offset: i,
    last_offset: i,
    batch_count: 1,
    max_timestamp: -1,
    created_ms: 0,
    epoch: 1,
    writer_epoch: 1,
    writer_seq: i + 1,
    kind: "flush",
    producers: [],
    epochs: [[1, i]],
  });
  const index = encodeObjectIndex(Array.from({ length: 400 }, (_, i) => chunk(i)));
  assert(index.byteLength > 64 * 1024, `index of ${index.byteLength} bytes`);
  const body = new Uint8Array([7, ...index]);
  await objects.put("big.seg", body);
  assertEquals((await readObjectIndex(objects, "big.seg", body.byteLength))?.length, 400);
});

/** A committer that applies each transaction and, when armed, loses the answer once. */
function losingAnswer(meta: MemoryMetadataStore) {
  const state = { armed: false };
  return {
    state,
    committer: {
      async commit(txn: KvTxn) {
        const res = await meta.txn(txn);
        if (state.armed) {
          state.armed = false;
          throw new Error("etcd: no answer within 5000 ms");
        }
        return res;
      },
    },
  };
}

Deno.test("log: after a flush commit whose answer was lost, the same offsets are not uploaded again before the read-back", async () => {
  const objects = new MemoryObjectStore();
  // The store stops answering reads for a moment too: the writer cannot learn at once that
  // x landed, so it answers x with an error and rolls its offsets back.
  const meta = new (class extends MemoryMetadataStore {
    failReads = 0;
    override get(key: string) {
      if (this.failReads > 0) {
        this.failReads--;
        return Promise.reject(new Error("etcd: no answer"));
      }
      return super.get(key);
    }
  })();
  const { committer, state } = losingAnswer(meta);
  const logs = manager(deps(objects, meta, { committer, lostCommitReadBackMs: 0 }));
  const log = await logs.get("t", "id", 0);
  state.armed = true; // x lands at offset 0, its answer is lost: x fails, offsets roll back
  meta.failReads = 1;
  const x = log.append([batch("x")]);
  await logs.flushAll().catch(() => {});
  await assertRejects(() => x.durable, KafkaError);
  const y = log.append([batch("y")]);
  assertEquals(y.baseOffset, 0, "offsets were rolled back");
  await logs.flushAll().catch(() => {});
  // The read-back found x committed: y's offset was void, and y was never uploaded.
  const e = await assertRejects(() => y.durable, KafkaError);
  assertEquals(e.code, 6); // NOT_LEADER_OR_FOLLOWER: retriable
  assertEquals((await indexes(objects)).map((c) => c.base_offset), [0]);
  const z = log.append([batch("z")]);
  await logs.flushAll();
  await z.durable;
  assertEquals([z.baseOffset, log.highWatermark], [1, 2]);
  assertEquals(decodeRecordsAll((await log.read(0, 1 << 20)).records!), ["x", "z"]);
  await logs.close();
});
