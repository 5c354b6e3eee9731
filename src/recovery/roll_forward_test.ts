/**
 * The roll-forward rule on hand-made histories: uploads committed after the snapshot join the
 * chain, a fenced or rolled-back upload never puts a second record at an offset (whichever is
 * longer), merges stand in for objects collected since the snapshot, holes move the log start,
 * and producers and leader epochs roll forward with the records.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import type { PartitionState, SegmentRef } from "../metadata/records.ts";
import { type FoundSegment, recoverPartition, voidUploads } from "./roll_forward.ts";
import { ProducerTable } from "../log/producer_state.ts";

function ref(base: number, last: number, key = `ref-${base}`): SegmentRef {
  return {
    key,
    base_offset: base,
    last_offset: last,
    position: 0,
    size: 100,
    object_chunks: 1,
    batch_count: 1,
    max_timestamp: 1,
    epoch: 1,
    created_ms: 1,
  };
}

function found(
  base: number,
  last: number,
  o: Partial<FoundSegment> & { epoch?: number; seq?: number } = {},
): FoundSegment {
  const epoch = o.writer_epoch ?? o.epoch ?? 1;
  return {
    key: o.key ?? `obj-${base}-${last}-e${epoch}-s${o.seq ?? 0}`,
    object_chunks: 1,
    topic: "t",
    topic_id: "id",
    partition: 0,
    position: 0,
    size: 100,
    base_offset: base,
    last_offset: last,
    batch_count: 1,
    max_timestamp: 1,
    created_ms: 1,
    epoch,
    writer_epoch: epoch,
    writer_seq: o.seq ?? 0,
    kind: o.kind ?? "flush",
    producers: o.producers ?? [],
    epochs: o.epochs ?? [[epoch, base]],
    ...(o.txns && { txns: o.txns }),
  };
}

function snapshotState(start: number, end: number, epoch = 1): PartitionState {
  return {
    topic_id: "id",
    partition: 0,
    leader_id: 0,
    leader_epoch: epoch,
    epoch_history: [{ epoch: 1, start_offset: 0 }],
    log_start_offset: start,
    log_end_offset: end,
    producers: {},
    manifest: null,
  };
}

function recover(
  o: { start?: number; end: number; refs: SegmentRef[]; found: FoundSegment[]; gone?: string[] },
) {
  return recoverPartition({
    topic: "t",
    topicId: "id",
    partition: 0,
    snapshot: snapshotState(o.start ?? 0, o.end),
    refs: o.refs,
    exists: (r) => !(o.gone ?? []).includes(r.key),
    found: o.found,
  });
}

const ranges = (segments: SegmentRef[]) => segments.map((s) => [s.base_offset, s.last_offset]);

Deno.test("roll forward: segments committed after the snapshot join the chain, contiguous from its log end", () => {
  const r = recover({
    end: 20,
    refs: [ref(0, 9), ref(10, 19)],
    found: [found(20, 29, { seq: 3 }), found(30, 39, { seq: 4 })],
  });
  assertEquals(ranges(r.segments), [[0, 9], [10, 19], [20, 29], [30, 39]]);
  assertEquals([r.state.log_start_offset, r.state.log_end_offset], [0, 40]);
  assertEquals([r.report.rolledForwardSegments, r.report.void, r.report.unused], [2, 0, 0]);
});

Deno.test("roll forward: a fenced upload is ignored even when it reaches further", () => {
  // Epoch 1 uploaded [20, 50] and was fenced before committing; epoch 2 took over at 20.
  const fenced = found(20, 50, { epoch: 1, seq: 7 });
  const r = recover({
    end: 20,
    refs: [ref(0, 19)],
    found: [fenced, found(20, 24, { epoch: 2, seq: 1 }), found(25, 30, { epoch: 2, seq: 2 })],
  });
  assertEquals(ranges(r.segments), [[0, 19], [20, 24], [25, 30]]);
  assertEquals(r.state.log_end_offset, 31);
  assert(!r.segments.some((s) => s.key === fenced.key), "the fenced upload is not used");
  assertEquals([r.report.void, r.report.superseded], [1, 0]);
  assertEquals(r.state.leader_epoch, 2);
});

Deno.test("roll forward: a writer's upload of offsets it rolled back loses to its later upload", () => {
  const rolledBack = found(20, 29, { epoch: 3, seq: 5 });
  const r = recover({
    end: 20,
    refs: [ref(0, 19)],
    found: [rolledBack, found(20, 25, { epoch: 3, seq: 6 })],
  });
  assertEquals(ranges(r.segments), [[0, 19], [20, 25]]);
  assertEquals(voidUploads([rolledBack, found(20, 25, { epoch: 3, seq: 6 })], []).size, 1);
});

Deno.test("roll forward: an upload overlapping the snapshot's references is void", () => {
  const r = recover({
    end: 20,
    refs: [ref(0, 9), ref(10, 19)],
    found: [found(15, 24, { epoch: 1, seq: 1 }), found(20, 22, { epoch: 1, seq: 9 })],
  });
  assertEquals(ranges(r.segments), [[0, 9], [10, 19], [20, 22]]);
  assertEquals([r.report.void, r.report.superseded], [1, 0]); // the later flush overlaps it too
  const alone = recover({ end: 20, refs: [ref(0, 19)], found: [found(15, 24, { seq: 1 })] });
  assertEquals([alone.report.void, alone.report.superseded], [0, 1]);
  assertEquals(ranges(alone.segments), [[0, 19]]);
});

Deno.test("roll forward: a merge stands in for a snapshot reference whose object was collected", () => {
  const r = recover({
    end: 20,
    refs: [ref(0, 9), ref(10, 19)],
    gone: ["ref-10"],
    found: [found(0, 19, { kind: "merge", epoch: 1, seq: 40 }), found(20, 21, { seq: 41 })],
  });
  assertEquals(ranges(r.segments), [[0, 19], [20, 21]]);
  assertEquals(r.report.lost, []);
  assertEquals(r.state.log_end_offset, 22);
});

Deno.test("roll forward: a compacted copy stands in like a merge, and never voids a flush after it", () => {
  const r = recover({
    end: 20,
    refs: [ref(0, 9), ref(10, 19)],
    gone: ["ref-0", "ref-10"],
    found: [
      found(0, 19, { kind: "compact", epoch: 1, seq: 40 }),
      found(20, 21, { epoch: 1, seq: 41 }),
    ],
  });
  assertEquals(ranges(r.segments), [[0, 19], [20, 21]]);
  assertEquals([r.report.lost, r.report.void], [[], 0]);
  assertEquals(r.state.log_end_offset, 22);
});

Deno.test("roll forward: a merge straddling the snapshot's log end rolls forward what it holds", () => {
  const producer = {
    id: 7,
    epoch: 0,
    batches: [
      { first_seq: 0, last_seq: 4, base_offset: 15, last_offset: 19 },
      { first_seq: 5, last_seq: 9, base_offset: 20, last_offset: 24 },
    ],
  };
  const r = recover({
    end: 20,
    refs: [ref(0, 9), ref(10, 19)],
    gone: ["ref-10"],
    found: [
      found(10, 29, {
        kind: "merge",
        epoch: 2,
        seq: 3,
        producers: [producer],
        epochs: [[1, 10], [2, 22]],
      }),
    ],
  });
  assertEquals(ranges(r.segments), [[0, 9], [10, 29]]);
  assertEquals(r.report.rolledForwardSegments, 1);
  assertEquals(r.state.log_end_offset, 30);
  // Only the batch at 20 is new: the snapshot's producer state already had the one before.
  assertEquals(r.state.producers["7"]?.batches.map((b) => b.base_offset), [20]);
  assertEquals(r.state.epoch_history, [{ epoch: 1, start_offset: 0 }, {
    epoch: 2,
    start_offset: 22,
  }]);
});

Deno.test("roll forward: transactions rolled forward end at their markers and open at their begins", () => {
  const r = recoverPartition({
    topic: "t",
    topicId: "id",
    partition: 0,
    snapshot: {
      ...snapshotState(0, 20),
      producers: {
        "7": {
          epoch: 0,
          batches: [{ first_seq: 0, last_seq: 4, base_offset: 15, last_offset: 19 }],
          txn_first: 15,
        },
      },
    },
    refs: [ref(0, 19)],
    exists: () => true,
    found: [
      found(20, 29, {
        seq: 1,
        producers: [{
          id: 8,
          epoch: 2,
          batches: [{ first_seq: 10, last_seq: 14, base_offset: 25, last_offset: 29 }],
        }],
        txns: [
          { producer_id: 7, epoch: 0, offset: 20, kind: "commit" },
          // Producer 9's batches are not among the remembered ones: it is known from its begin.
          { producer_id: 9, epoch: 1, offset: 21, kind: "begin" },
          { producer_id: 8, epoch: 2, offset: 25, kind: "begin" },
        ],
      }),
    ],
  });
  const p = r.state.producers;
  assertEquals(p["7"]?.txn_first, undefined, "committed after the snapshot");
  assertEquals([p["9"]?.epoch, p["9"]?.txn_first], [1, 21]);
  assertEquals([p["8"]?.txn_first, p["8"]?.batches.map((b) => b.base_offset)], [25, [25]]);
  assertEquals(ProducerTable.fromRecord(p).firstOpenOffset(), 21, "the last stable offset");
});

Deno.test("roll forward: a hole below the snapshot's log end moves the log start and is reported", () => {
  const r = recover({
    end: 30,
    refs: [ref(0, 9), ref(10, 19), ref(20, 29)],
    gone: ["ref-10"],
    found: [found(30, 35, { seq: 1 })],
  });
  assertEquals(ranges(r.segments), [[20, 29], [30, 35]]);
  assertEquals(r.report.lost, [{ from: 10, to: 20 }]);
  assertEquals([r.state.log_start_offset, r.state.log_end_offset], [20, 36]);
});

Deno.test("roll forward: the chain stops at the first offset no segment starts at", () => {
  const r = recover({
    end: 20,
    refs: [ref(0, 19)],
    found: [found(20, 29, { seq: 1 }), found(40, 49, { seq: 3 })],
  });
  assertEquals(ranges(r.segments), [[0, 19], [20, 29]]);
  assertEquals([r.state.log_end_offset, r.report.unused], [30, 1]);
});

Deno.test("roll forward: the first segment may straddle the log start; nothing lost when every object is there", () => {
  const r = recover({ start: 5, end: 20, refs: [ref(0, 9), ref(10, 19)], found: [] });
  assertEquals(ranges(r.segments), [[0, 9], [10, 19]]);
  assertEquals([r.state.log_start_offset, r.state.log_end_offset], [5, 20]);
  assertEquals(r.report.lost, []);
});

Deno.test("roll forward: a partition the snapshot did not have starts at offset 0", () => {
  const r = recoverPartition({
    topic: "t",
    topicId: "id",
    partition: 3,
    snapshot: null,
    refs: [],
    exists: () => true,
    found: [found(0, 4, { epoch: 1, seq: 1 }), found(5, 9, { epoch: 1, seq: 2 })],
  });
  assertEquals(ranges(r.segments), [[0, 4], [5, 9]]);
  assertEquals([r.state.log_end_offset, r.state.leader_epoch, r.state.partition], [10, 1, 3]);
  assertEquals(r.state.epoch_history, [{ epoch: 1, start_offset: 0 }]);
});
