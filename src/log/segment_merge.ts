/**
 * Segment merging policy and merge (no I/O): a flush every few milliseconds makes many small
 * segments, and each costs a manifest entry and a GET on a cold read. When a partition rolls
 * its tail into its manifest (manifest_roll.ts), runs of consecutive small segments are merged
 * into one segment of at most the topic's segment size.
 *
 * Only segments under a quarter of the target count as small, so a merged segment that is
 * reasonably large is never rewritten again: every byte is rewritten a bounded number of times.
 * ("Compaction" is Kafka's keyed compaction, which this is not.)
 * @module
 */
import type { SegmentRef } from "../metadata/records.ts";
import { RecordBatchView } from "../protocol/records/record_batch.ts";
import { encodeSegment, type Segment, type SegmentBatch } from "./segment_format.ts";

/** Indexes [from, to] (inclusive) of a run of segments to merge into one. */
export interface MergeRun {
  from: number;
  to: number;
}

/** Whether a segment is small enough to be merged with its neighbours. */
export function isSmallSegment(s: SegmentRef, targetBytes: number): boolean {
  return s.size < targetBytes / 4;
}

/**
 * Runs of at least `minRun` consecutive small segments, each run's total within `targetBytes`,
 * and all runs together within `budgetBytes` (what one pass may load into memory).
 */
export function planMerges(
  segments: readonly SegmentRef[],
  options: { targetBytes: number; budgetBytes: number; minRun?: number },
): MergeRun[] {
  const { targetBytes, budgetBytes } = options;
  const minRun = options.minRun ?? 2;
  const small = (s: SegmentRef) => isSmallSegment(s, targetBytes);
  const runs: MergeRun[] = [];
  let spent = 0;
  let from = 0;
  while (from < segments.length) {
    if (!small(segments[from]!)) {
      from++;
      continue;
    }
    let to = from;
    let total = segments[from]!.size;
    while (to + 1 < segments.length && small(segments[to + 1]!)) {
      if (total + segments[to + 1]!.size > targetBytes) break;
      to++;
      total += segments[to]!.size;
    }
    if (to - from + 1 >= minRun) {
      if (spent + total > budgetBytes) break;
      runs.push({ from, to });
      spent += total;
    }
    from = to + 1;
  }
  return runs;
}

/** One segment holding every batch of `segments`, in order, bytes unchanged. */
export function mergeSegments(segments: readonly Segment[]): Uint8Array {
  const batches: SegmentBatch[] = [];
  for (const seg of segments) {
    for (const b of seg.batches) {
      const bytes = seg.data.subarray(b.position, b.position + b.size);
      batches.push({
        baseOffset: b.baseOffset,
        lastOffset: b.lastOffset,
        maxTimestamp: new RecordBatchView(bytes).maxTimestamp,
        bytes,
      });
    }
  }
  return encodeSegment(batches);
}
