/**
 * The roll-forward rule (no I/O): which segments a restored partition is made of, from the
 * snapshot's references and the self-describing segments found in the object store
 * (src/log/object_index.ts). docs/DESIGN.md ("Restore and roll-forward") argues it; in short:
 *
 * - A writer holds a leader epoch; every commit is fenced on it, and a new writer starts at
 *   the committed log end. Within one epoch the writer numbers its uploads, and uploads an
 *   offset again only once its earlier upload of it is known not to be committed. So of two
 *   overlapping flush uploads, the one with the higher (writer epoch, upload number) is the
 *   later one, and the earlier cannot be committed: **a flush upload overlapped by a
 *   higher-ranked upload, or by a reference of the snapshot, is void** (a fenced or failed
 *   commit). That is what keeps a fenced upload from putting a second record at an offset.
 * - A merge upload copies committed segments, whole, so its records are committed records
 *   whether or not its own commit happened; it is never void.
 * - The snapshot's references were committed; the objects of some may be gone since (merged
 *   away and collected, or deleted by retention).
 *
 * The segments kept form one chain without overlaps: from the snapshot's log start (the first
 * segment may straddle it), each segment starting where the last one ended, as far as the
 * segments reach, with the fewest segments. Below the snapshot's log end the chain is made of
 * the snapshot's references and merges (every flush there is void); where it cannot go on (an
 * object is gone and no merge holds its records) the log start moves past the hole and the
 * hole is reported as lost. Beyond the snapshot's log end it is the roll-forward: it stops at
 * the first offset no segment starts at. Uploads whose commit failed and that nothing later
 * overlapped (the last ones before the metadata was lost) do join the chain: their producers
 * got an error, and their records may appear once, never twice.
 * @module
 */
import type { PartitionState, SegmentRef } from "../metadata/records.ts";
import type { ChunkDescription } from "../log/object_index.ts";
import { ProducerTable } from "../log/producer_state.ts";

/** A described segment found in the object store. */
export interface FoundSegment extends ChunkDescription {
  /** Its object. */
  key: string;
  /** Segments in that object. */
  object_chunks: number;
}

/** What is known about one partition. */
export interface PartitionInput {
  topic: string;
  topicId: string;
  partition: number;
  /** Its record in the snapshot (null: no broker had opened it yet). */
  snapshot: PartitionState | null;
  /** The snapshot's references (manifest and tail), ascending. */
  refs: readonly SegmentRef[];
  /** Whether a reference's object is still there (and large enough). */
  exists(ref: SegmentRef): boolean;
  /** Described segments of this topic id and partition found in the object store. */
  found: readonly FoundSegment[];
}

/** What recovering a partition changed, for the report. */
export interface PartitionReport {
  topic: string;
  partition: number;
  /** The snapshot's log start and end, and the restored ones. */
  snapshotStart: number;
  snapshotEnd: number;
  start: number;
  end: number;
  /** Segments of the chain beyond the snapshot's log end. */
  rolledForwardSegments: number;
  /** Offset ranges [from, to) below the snapshot's log end that no object holds any more. */
  lost: { from: number; to: number }[];
  /** Flush uploads left out because a later flush overlaps them (fenced or failed commits). */
  void: number;
  /** Flush uploads left out because a merge or the snapshot holds their records. */
  superseded: number;
  /** Found segments left out of the chain otherwise (beyond a gap, or redundant copies). */
  unused: number;
}

/** A recovered partition: its record (without a manifest pointer yet) and its segments. */
export interface PartitionRecovery {
  state: PartitionState;
  segments: SegmentRef[];
  report: PartitionReport;
}

interface Edge {
  base: number;
  last: number;
  ref: SegmentRef;
  found?: FoundSegment;
}

const identity = (x: { key: string; position: number }) => `${x.key}@${x.position}`;
const outranks = (a: FoundSegment, b: FoundSegment) =>
  a.writer_epoch > b.writer_epoch ||
  (a.writer_epoch === b.writer_epoch && a.writer_seq > b.writer_seq);

/**
 * The flush uploads overlapped by a higher-ranked upload or by a snapshot reference, each with
 * what overlapped it: a later flush (the upload was fenced or its commit failed), or a merge or
 * the snapshot (a copy of its records is there: nothing is left out).
 */
export function voidUploads(
  found: readonly FoundSegment[],
  refs: readonly SegmentRef[],
): Map<FoundSegment, "flush" | "copy"> {
  const voided = new Map<FoundSegment, "flush" | "copy">();
  const mark = (f: FoundSegment, by: "flush" | "copy") => {
    if (voided.get(f) !== "flush") voided.set(f, by);
  };
  const sorted = [...found].sort((a, b) => a.base_offset - b.base_offset);
  let active: FoundSegment[] = [];
  for (const f of sorted) {
    active = active.filter((g) => g.last_offset >= f.base_offset);
    for (const g of active) {
      // g starts at or before f and reaches it: they overlap.
      if (f.kind === "flush" && outranks(g, f)) mark(f, g.kind === "flush" ? "flush" : "copy");
      if (g.kind === "flush" && outranks(f, g)) mark(g, f.kind === "flush" ? "flush" : "copy");
    }
    active.push(f);
  }
  // The snapshot's references do not overlap each other: the first one ending at or after a
  // flush's base is the only one that can overlap it first.
  const byBase = [...refs].sort((a, b) => a.base_offset - b.base_offset);
  for (const f of sorted) {
    if (f.kind !== "flush" || voided.has(f)) continue;
    let lo = 0;
    let hi = byBase.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byBase[mid]!.last_offset < f.base_offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo < byBase.length && byBase[lo]!.base_offset <= f.last_offset) mark(f, "copy");
  }
  return voided;
}

function refOf(f: FoundSegment): SegmentRef {
  return {
    key: f.key,
    base_offset: f.base_offset,
    last_offset: f.last_offset,
    position: f.position,
    size: f.size,
    object_chunks: f.object_chunks,
    batch_count: f.batch_count,
    max_timestamp: f.max_timestamp,
    epoch: f.epoch,
    created_ms: f.created_ms,
    ...(f.aborted && { aborted: f.aborted }),
  };
}

/**
 * The chain with the fewest edges from `start` to the furthest offset reachable: the first
 * edge may straddle `start`, each next one starts where the last ended.
 */
function longestChain(edges: readonly Edge[], start: number): { end: number; path: Edge[] } {
  const best = new Map<number, { count: number; via: Edge | null; from: number }>();
  best.set(start, { count: 0, via: null, from: start });
  const reach = (from: number, e: Edge) => {
    const node = e.last + 1;
    const count = best.get(from)!.count + 1;
    const known = best.get(node);
    if (!known || known.count > count) best.set(node, { count, via: e, from });
  };
  for (const e of edges) if (e.base < start && e.last >= start) reach(start, e);
  for (const e of edges) if (e.base >= start && best.has(e.base)) reach(e.base, e);
  let end = start;
  for (const node of best.keys()) if (node > end) end = node;
  const path: Edge[] = [];
  for (let node = end; node !== start;) {
    const step = best.get(node)!;
    path.push(step.via!);
    node = step.from;
  }
  return { end, path: path.reverse() };
}

/** Applies the rule to one partition. */
export function recoverPartition(input: PartitionInput): PartitionRecovery {
  const snap = input.snapshot;
  const snapshotStart = snap?.log_start_offset ?? 0;
  const snapshotEnd = snap?.log_end_offset ?? 0;
  const known = new Set(input.refs.map(identity));
  const found = input.found.filter((f) => !known.has(identity(f)));
  const voided = voidUploads(found, input.refs);
  const edges: Edge[] = [
    ...input.refs.filter((r) => input.exists(r)).map((ref): Edge => ({
      base: ref.base_offset,
      last: ref.last_offset,
      ref,
    })),
    ...found.filter((f) => !voided.has(f)).map((f): Edge => ({
      base: f.base_offset,
      last: f.last_offset,
      ref: refOf(f),
      found: f,
    })),
  ].sort((a, b) =>
    a.base - b.base || Number(a.found !== undefined) - Number(b.found !== undefined)
  );
  const lost: { from: number; to: number }[] = [];
  let start = snapshotStart;
  let chain = longestChain(edges, start);
  while (chain.end < snapshotEnd) {
    // A hole below the snapshot's log end: start again after it.
    const next = edges.find((e) => e.base > chain.end)?.base ?? snapshotEnd;
    const resume = Math.min(next, snapshotEnd);
    lost.push({ from: chain.end, to: resume });
    start = resume;
    chain = longestChain(edges, start);
  }
  const segments = chain.path.map((e) => e.ref);
  const end = Math.max(chain.end, snapshotEnd);
  const forward = chain.path.filter((e) => e.last >= snapshotEnd && e.found);
  return {
    state: restoredState(input, { start, end, snapshotEnd, forward }),
    segments,
    report: {
      topic: input.topic,
      partition: input.partition,
      snapshotStart,
      snapshotEnd,
      start,
      end,
      rolledForwardSegments: forward.length,
      lost,
      void: [...voided.values()].filter((v) => v === "flush").length,
      superseded: [...voided.values()].filter((v) => v === "copy").length,
      unused: found.length - voided.size - chain.path.filter((e) => e.found).length,
    },
  };
}

/** The partition record after recovery: offsets, epochs and producers rolled forward. */
function restoredState(
  input: PartitionInput,
  at: { start: number; end: number; snapshotEnd: number; forward: Edge[] },
): PartitionState {
  const snap = input.snapshot;
  const history = [...(snap?.epoch_history ?? [])].filter((h) => h.start_offset <= at.end);
  const producers = ProducerTable.fromRecord(snap?.producers ?? {});
  for (const e of at.forward) {
    const f = e.found!;
    f.epochs.forEach(([epoch, from], i) => {
      const to = f.epochs[i + 1]?.[1] ?? f.last_offset + 1;
      if (to <= at.snapshotEnd) return; // before the roll-forward: the snapshot has it
      const last = history[history.length - 1];
      if (!last || epoch > last.epoch) {
        history.push({ epoch, start_offset: Math.max(from, at.snapshotEnd) });
      }
    });
    // The remembered batches and the transactions begun and ended, in offset order (a batch
    // before a transaction event at its offset), as the writer applied them.
    const steps: { offset: number; order: number; apply(): void }[] = [];
    for (const p of f.producers) {
      for (const b of p.batches) {
        steps.push({
          offset: b.base_offset,
          order: 0,
          apply: () =>
            producers.record(
              {
                producerId: p.id,
                producerEpoch: p.epoch,
                baseSequence: b.first_seq,
                lastSequence: b.last_seq,
              },
              b.base_offset,
              b.last_offset,
            ),
        });
      }
    }
    for (const t of f.txns ?? []) {
      steps.push({
        offset: t.offset,
        order: 1,
        apply: () =>
          t.kind === "begin"
            ? producers.replayTxnBegin(t.producer_id, t.epoch, t.offset)
            : producers.endTxn(t.producer_id, t.epoch),
      });
    }
    steps.filter((s) => s.offset >= at.snapshotEnd)
      .sort((x, y) => x.offset - y.offset || x.order - y.order)
      .forEach((s) => s.apply());
  }
  // The next writer's epoch must be above every epoch any upload of the partition carries, so
  // that its uploads outrank them all in a later recovery.
  let epoch = snap?.leader_epoch ?? 0;
  for (const f of input.found) {
    epoch = Math.max(epoch, f.writer_epoch, ...f.epochs.map(([e]) => e));
  }
  return {
    topic_id: input.topicId,
    partition: input.partition,
    leader_id: snap?.leader_id ?? -1,
    leader_epoch: epoch,
    epoch_history: history.slice(-64),
    log_start_offset: at.start,
    log_end_offset: at.end,
    producers: producers.toRecord(),
    manifest: null,
  };
}
