/**
 * Compaction policy and merge (no I/O): a flush every few milliseconds makes many small
 * segments, and each costs a metadata key and a GET on a cold read. Runs of consecutive small
 * segments are merged into one segment of at most the topic's segment size; the partition log
 * uploads it and swaps the references in one fenced transaction.
 *
 * Only segments under a quarter of the target count as small, so a merged segment that is
 * reasonably large is never rewritten again: every byte is rewritten a bounded number of times.
 * @module
 */
import type { SegmentRef } from "../metadata/records.ts";
import { RecordBatchView } from "../protocol/records/record_batch.ts";
import { encodeSegment, type Segment, type SegmentBatch } from "./segment_format.ts";

/** Indexes [from, to] of a run worth merging, or null. */
export interface CompactionRun {
  from: number;
  to: number;
}

/**
 * The first run of at least `minRun` consecutive small segments whose total stays within
 * `targetBytes`.
 */
export function pickCompactionRun(
  segments: readonly SegmentRef[],
  targetBytes: number,
  minRun = 4,
): CompactionRun | null {
  const small = (s: SegmentRef) => s.size < targetBytes / 4;
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
    if (to - from + 1 >= minRun) return { from, to };
    from = to + 1;
  }
  return null;
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
