/**
 * Transactions in a partition log: the last stable offset stops at the oldest open transaction
 * and moves when its marker is durable; abort markers leave entries in the aborted index of
 * their segment, which read_committed reads report, which survive a reopen (another writer),
 * a roll into the manifest with segment merging, and which the search stops collecting once a
 * marker's LSO passed the read's end. Markers commit their metadata writes with their flush.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { buildRecordBatch } from "../protocol/records/builder.ts";
import { buildControlBatch, markerType } from "../protocol/records/control_batch.ts";
import { RecordBatchView, splitBatches } from "../protocol/records/record_batch.ts";
import type { IncomingBatch } from "./partition_log.ts";
import { batch, deps, manager } from "./_testing.ts";
import type { SegmentRef } from "../metadata/records.ts";
import { collectAborted } from "./txn_index.ts";
import { readObjectIndex } from "./object_index.ts";

const seqs = new Map<number, number>();

/** A transactional batch of `n` records of producer `pid` (epoch 0), sequences in order. */
function txnBatch(pid: number, n = 1): IncomingBatch {
  const seq = seqs.get(pid) ?? 0;
  seqs.set(pid, seq + n);
  const bytes = buildRecordBatch(
    Array.from(
      { length: n },
      (_, i) => ({ value: new TextEncoder().encode(`p${pid}-${seq + i}`) }),
    ),
    { producerId: pid, producerEpoch: 0, baseSequence: seq, transactional: true },
  );
  const v = new RecordBatchView(bytes);
  return {
    bytes,
    lastOffsetDelta: v.lastOffsetDelta,
    maxTimestamp: v.maxTimestamp,
    producerId: pid,
    producerEpoch: 0,
    baseSequence: seq,
    transactional: true,
  };
}

function marker(pid: number, commit: boolean, epoch = 0): IncomingBatch {
  const bytes = buildControlBatch({
    commit,
    producerId: pid,
    producerEpoch: epoch,
    coordinatorEpoch: 0,
    timestamp: Date.now(),
  });
  return {
    bytes,
    lastOffsetDelta: 0,
    maxTimestamp: Date.now(),
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: -1,
    marker: { commit },
  };
}

async function setup() {
  const meta = new MemoryMetadataStore();
  const objects = new MemoryObjectStore();
  const logs = manager(deps(objects, meta));
  const log = await logs.get("t", "id", 0);
  const put = async (...b: IncomingBatch[]) => {
    const r = log.append(b);
    await logs.flushAll();
    await r.durable;
    return r.baseOffset;
  };
  return { meta, objects, logs, log, put };
}

Deno.test("txn log: LSO stops at the oldest open transaction and moves with its marker", async () => {
  const { logs, log, put } = await setup();
  await put(batch("plain")); // 0
  assertEquals(log.lastStableOffset, 1);
  await put(txnBatch(1, 2)); // 1-2
  await put(txnBatch(2)); // 3
  await put(batch("plain2")); // 4
  assertEquals([log.highWatermark, log.lastStableOffset], [5, 1]);
  const r = await log.read(0, 1 << 20, true);
  assertEquals(splitBatches(r.records!).map((b) => b.baseOffset), [0], "stops at the LSO");
  // An unflushed marker does not move the LSO: only a durable one does.
  const m = log.append([marker(1, true)]);
  assertEquals(log.lastStableOffset, 1);
  await logs.flushAll();
  await m.durable;
  assertEquals(log.lastStableOffset, 3, "producer 2's transaction is still open");
  await put(marker(2, false)); // 6
  assertEquals([log.highWatermark, log.lastStableOffset], [7, 7]);
  const all = await log.read(0, 1 << 20, true);
  assertEquals(all.abortedTransactions, [{ producerId: 2, firstOffset: 3 }]);
  const types = splitBatches(all.records!).map((b) => markerType(b));
  assertEquals(types, [null, null, null, null, "commit", "abort"]);
  assertEquals((await log.read(0, 1 << 20)).abortedTransactions, undefined, "read_uncommitted");
  await logs.close();
});

Deno.test("txn log: a marker's epoch fences the producer's older epoch; its ops commit with it", async () => {
  const { meta, logs, log, put } = await setup();
  await put(txnBatch(7));
  await meta.put("marker-key", new Uint8Array([1]));
  const m = marker(7, false, 1);
  m.commitOps = [{ type: "delete", key: "marker-key" }];
  await put(m);
  assertEquals(await meta.get("marker-key"), null, "deleted by the flush commit");
  let refused = "";
  try {
    log.append([txnBatch(7)]);
  } catch (e) {
    refused = String(e);
  }
  assert(refused.includes("epoch 0 is older than 1"), refused);
  await logs.close();
});

Deno.test("txn log: open transactions and the aborted index survive a new writer and a roll", async () => {
  const { meta, objects, logs, log, put } = await setup();
  for (let i = 0; i < 4; i++) {
    await put(txnBatch(10 + i));
    await put(batch(`x${i}`));
    await put(marker(10 + i, i % 2 === 1));
  }
  await put(txnBatch(20)); // open: offset 12
  assertEquals(log.lastStableOffset, 12);
  const before = (await log.read(0, 1 << 20, true)).abortedTransactions;
  assertEquals(before, [{ producerId: 10, firstOffset: 0 }, { producerId: 12, firstOffset: 6 }]);
  // The objects describe the aborted transactions too (a metadata restore rebuilds the index).
  const described = [];
  for (const ref of log.committedSegments) {
    const size = (await objects.get(ref.key))!.byteLength;
    const chunks = await readObjectIndex(objects, ref.key, size) ?? [];
    described.push(...chunks.flatMap((c) => c.aborted ?? []).map((a) => a.first_offset));
  }
  assertEquals(described, [0, 6]);
  const { moved, merged } = await log.roll(1 << 20, 1);
  assert(moved > 0 && merged > 0, `rolled ${moved}, merged ${merged}`);
  assertEquals((await log.read(0, 1 << 20, true)).abortedTransactions, before);
  await logs.close();
  const again = await manager(deps(objects, meta)).get("t", "id", 0);
  assertEquals(again.lastStableOffset, 12, "the open transaction was durable with the partition");
  assertEquals((await again.read(0, 1 << 20, true)).abortedTransactions, before);
  assertEquals((await again.read(4, 1 << 20, true)).abortedTransactions, [
    { producerId: 12, firstOffset: 6 },
  ]);
});

Deno.test("txn index: the search stops at the first marker whose LSO reached the read's end", () => {
  const ref = (base: number, last: number, aborted: SegmentRef["aborted"]): SegmentRef => ({
    key: "k",
    base_offset: base,
    last_offset: last,
    position: 0,
    size: 1,
    object_chunks: 1,
    batch_count: 1,
    max_timestamp: 0,
    epoch: 0,
    created_ms: 0,
    aborted,
  });
  const segments = [
    ref(0, 9, [{ producer_id: 1, first_offset: 2, last_offset: 5, lso: 3 }]),
    ref(10, 19, [{ producer_id: 2, first_offset: 3, last_offset: 12, lso: 13 }]),
    ref(20, 29, [{ producer_id: 3, first_offset: 4, last_offset: 25, lso: 26 }]),
  ];
  assertEquals(collectAborted(segments, 0, 10), [
    { producerId: 1, firstOffset: 2 },
    { producerId: 2, firstOffset: 3 },
  ]);
  assertEquals(collectAborted(segments, 6, 30), [
    { producerId: 2, firstOffset: 3 },
    { producerId: 3, firstOffset: 4 },
  ]);
  assertEquals(collectAborted(segments, 26, 30), []);
});
