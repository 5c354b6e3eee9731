/**
 * Compaction policy (no I/O): which part of a partition's log may be compacted, and whether a
 * pass is due, from the segment references and the partition's compaction state alone.
 *
 * - The **active part** is never compacted (Kafka's active segment): the newest segments while
 *   together they stay under `segment.bytes` and each was written within `segment.ms` (for a
 *   topic with a `max.compaction.lag.ms` below it, within that). So records become cleanable
 *   once `segment.bytes` more have been written after them, or `segment.ms` after the newest
 *   record of their segment was written (segment merging groups flushes into segments of up to
 *   `segment.bytes`, as Kafka's segments group appends).
 * - Segments whose newest record is younger than `min.compaction.lag.ms` are not cleanable,
 *   nor anything after them.
 * - The **dirty** part is the cleanable part at or after the partition's cleaned offset (what
 *   no pass has compacted yet); the **dirty ratio** is its share of the cleanable bytes.
 * - A pass is due when the ratio reaches `min.cleanable.dirty.ratio` (dirty bytes present), when
 *   the oldest dirty segment was written `max.compaction.lag.ms` ago, or when a tombstone kept by
 *   an earlier pass has passed its delete horizon.
 * @module
 */
import type { CompactionState, SegmentRef } from "../metadata/records.ts";
import { segmentTime } from "./retention.ts";

/** A compacted topic's settings (its overrides, else the defaults). */
export interface CompactionSettings {
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
  deleteRetentionMs: number;
  segmentMs: number;
  segmentBytes: number;
}

/** Index of the first segment of the active part (the segment count when it is empty). */
export function activeStart(
  segments: readonly SegmentRef[],
  now: number,
  s: CompactionSettings,
): number {
  const rollMs = Math.min(s.segmentMs, s.maxCompactionLagMs);
  let i = segments.length;
  let bytes = 0;
  while (i > 0) {
    const prev = segments[i - 1]!;
    if (bytes + prev.size >= s.segmentBytes || now - prev.created_ms >= rollMs) break;
    bytes += prev.size;
    i--;
  }
  return i;
}

/** Index after the last cleanable segment: before the active part and the too young. */
export function cleanableEnd(
  segments: readonly SegmentRef[],
  now: number,
  s: CompactionSettings,
): number {
  const active = activeStart(segments, now, s);
  if (s.minCompactionLagMs <= 0) return active;
  let end = 0;
  while (end < active && segmentTime(segments[end]!) <= now - s.minCompactionLagMs) end++;
  return end;
}

/** Why a pass is due. */
export type CompactionReason = "ratio" | "max_lag" | "tombstones";

/** What a partition's log looks like to the compactor. */
export interface CompactionOutlook {
  /** Index after the last cleanable segment. */
  end: number;
  /** Index of the first segment holding dirty records (`end` when there are none). */
  firstDirty: number;
  cleanBytes: number;
  dirtyBytes: number;
  /** dirty / (clean + dirty) over the cleanable part; 0 when it is empty. */
  ratio: number;
  /** Why a pass is due now, or null. */
  due: CompactionReason | null;
}

/** The compactor's view of a partition: cleanable part, dirty ratio, and whether a pass is due. */
export function compactionOutlook(
  segments: readonly SegmentRef[],
  state: CompactionState | undefined,
  at: { now: number; settings: CompactionSettings; limit?: number },
): CompactionOutlook {
  const s = at.settings;
  const end = Math.min(cleanableEnd(segments, at.now, s), at.limit ?? Infinity);
  const cleaned = state?.cleaned_offset ?? 0;
  let firstDirty = 0;
  while (firstDirty < end && segments[firstDirty]!.last_offset < cleaned) firstDirty++;
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (let i = 0; i < end; i++) {
    if (i < firstDirty) cleanBytes += segments[i]!.size;
    else dirtyBytes += segments[i]!.size;
  }
  const total = cleanBytes + dirtyBytes;
  const ratio = total > 0 ? dirtyBytes / total : 0;
  let due: CompactionReason | null = null;
  if (dirtyBytes > 0 && ratio >= s.minCleanableDirtyRatio) due = "ratio";
  else if (dirtyBytes > 0 && segments[firstDirty]!.created_ms <= at.now - s.maxCompactionLagMs) {
    due = "max_lag";
  } else if (
    end > 0 && state?.tombstones_due_ms !== null && state?.tombstones_due_ms !== undefined &&
    at.now >= state.tombstones_due_ms
  ) due = "tombstones";
  return { end, firstDirty, cleanBytes, dirtyBytes, ratio, due };
}
