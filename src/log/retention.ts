/**
 * Retention policy (no I/O): which of a partition's oldest segments to delete. A segment goes
 * when its newest record is older than `retentionMs`, or while the partition holds more than
 * `retentionBytes` (the newest segments that fit are kept). -1 disables a limit. Whole
 * segments only, oldest first, so the log start offset only moves forward.
 * @module
 */
import type { SegmentRef } from "../metadata/records.ts";

/** Retention limits at a moment. */
export interface RetentionLimits {
  now: number;
  retentionMs: number;
  retentionBytes: number;
}

/** How many of the oldest segments retention deletes. */
export function retentionCut(segments: readonly SegmentRef[], limits: RetentionLimits): number {
  let total = segments.reduce((n, x) => n + x.size, 0);
  let cut = 0;
  for (const seg of segments) {
    const expired = limits.retentionMs >= 0 && seg.max_timestamp < limits.now - limits.retentionMs;
    const oversize = limits.retentionBytes >= 0 && total > limits.retentionBytes;
    if (!expired && !oversize) break;
    total -= seg.size;
    cut++;
  }
  return cut;
}
