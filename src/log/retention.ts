/**
 * Retention policy (no I/O): which of a partition's oldest segments to delete. A segment goes
 * when it is older than `retentionMs`, or while the partition holds more than `retentionBytes`
 * (the newest segments that fit are kept). -1 disables a limit. Whole segments only, oldest
 * first, so the log start offset only moves forward.
 *
 * A segment's age is Kafka's: its largest record timestamp, or, when no record in it carries
 * one (timestamp -1: old clients, `produce(timestamp=-1)`, some proxies), the time it was
 * written (`created_ms`, stored with the reference at upload; a merged segment keeps the
 * newest write time of what it holds). Every stored reference has `created_ms`; merged ones
 * written before this rule carry the merge time, which only keeps them longer.
 * @module
 */
import type { SegmentRef } from "../metadata/records.ts";

/** Retention limits at a moment. */
export interface RetentionLimits {
  now: number;
  retentionMs: number;
  retentionBytes: number;
}

/** Which limit deleted a segment. */
export type RetentionRule = "time" | "bytes";

/** The time a segment's age counts from. */
export function segmentTime(seg: SegmentRef): number {
  return seg.max_timestamp >= 0 ? seg.max_timestamp : seg.created_ms;
}

/** The oldest segments retention deletes, as the rule that deletes each (oldest first). */
export function retentionCut(
  segments: readonly SegmentRef[],
  limits: RetentionLimits,
): RetentionRule[] {
  let total = segments.reduce((n, x) => n + x.size, 0);
  const rules: RetentionRule[] = [];
  for (const seg of segments) {
    const expired = limits.retentionMs >= 0 && segmentTime(seg) < limits.now - limits.retentionMs;
    const oversize = limits.retentionBytes >= 0 && total > limits.retentionBytes;
    if (!expired && !oversize) break;
    total -= seg.size;
    rules.push(expired ? "time" : "bytes");
  }
  return rules;
}
