/**
 * Compaction policy on references alone: the active part (segment.bytes, segment.ms, capped by
 * max.compaction.lag.ms), min.compaction.lag.ms, the dirty ratio
 * from the cleaned offset, and why a pass is due.
 */
import { assertEquals } from "../testing/assert.ts";
import type { SegmentRef } from "../metadata/records.ts";
import {
  activeStart,
  cleanableEnd,
  compactionOutlook,
  type CompactionSettings,
} from "./compaction_policy.ts";

const NOW = 1_000_000;
const S: CompactionSettings = {
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  deleteRetentionMs: 1000,
  segmentMs: 10_000,
  segmentBytes: 1000,
};

/** Segments of 10 offsets each: [size, written ms ago]. */
function segs(...specs: [number, number][]): SegmentRef[] {
  return specs.map(([size, ago], i) => ({
    key: `k${i}`,
    base_offset: i * 10,
    last_offset: i * 10 + 9,
    position: 0,
    size,
    object_chunks: 1,
    batch_count: 1,
    max_timestamp: NOW - ago,
    epoch: 1,
    created_ms: NOW - ago,
  }));
}

Deno.test("compaction policy: the newest segments under segment.bytes and within segment.ms are active", () => {
  // By size: 300 + 300 + 300 < 1000, one more would reach it.
  assertEquals(activeStart(segs([300, 0], [300, 0], [300, 0], [300, 0]), NOW, S), 1);
  // By time: written 10 s ago or earlier leaves the active part.
  assertEquals(activeStart(segs([10, 20_000], [10, 10_000], [10, 9_000], [10, 0]), NOW, S), 2);
  // A segment of segment.bytes or more, or written segment.ms ago, is not active.
  assertEquals(activeStart(segs([10, 0], [5000, 0]), NOW, S), 2);
  assertEquals(activeStart(segs([10, 0], [10, 99_000]), NOW, S), 2);
  // max.compaction.lag.ms below segment.ms shortens it.
  const lag = { ...S, maxCompactionLagMs: 5_000 };
  assertEquals(activeStart(segs([10, 9_000], [10, 6_000], [10, 0]), NOW, lag), 2);
  assertEquals(activeStart([], NOW, S), 0);
});

Deno.test("compaction policy: min.compaction.lag.ms keeps young segments and all after them", () => {
  const list = segs([10, 50_000], [10, 30_000], [10, 40_000], [10, 20_000], [10, 0]);
  assertEquals(cleanableEnd(list, NOW, S), 4);
  assertEquals(cleanableEnd(list, NOW, { ...S, minCompactionLagMs: 35_000 }), 1);
});

Deno.test("compaction policy: a pass is due by dirty ratio, max lag or a due tombstone", () => {
  const list = segs([100, 90_000], [100, 80_000], [100, 70_000], [100, 60_000], [10, 0]);
  const fresh = compactionOutlook(list, undefined, { now: NOW, settings: S });
  assertEquals([fresh.end, fresh.firstDirty, fresh.ratio, fresh.due], [4, 0, 1, "ratio"]);
  // Cleaned to offset 30: one dirty segment of four (25%).
  const state = { cleaned_offset: 30, tombstones_due_ms: null };
  const mostlyClean = compactionOutlook(list, state, { now: NOW, settings: S });
  assertEquals([mostlyClean.firstDirty, mostlyClean.ratio, mostlyClean.due], [3, 0.25, null]);
  const old = { ...S, maxCompactionLagMs: 60_000 };
  assertEquals(compactionOutlook(list, state, { now: NOW, settings: old }).due, "max_lag");
  const tombstones = { cleaned_offset: 40, tombstones_due_ms: NOW };
  assertEquals(compactionOutlook(list, tombstones, { now: NOW, settings: S }).due, "tombstones");
  const later = { cleaned_offset: 40, tombstones_due_ms: NOW + 1 };
  assertEquals(compactionOutlook(list, later, { now: NOW, settings: S }).due, null);
  // A limit on replaced references (etcd's operation limit) shortens the cleanable part.
  assertEquals(compactionOutlook(list, undefined, { now: NOW, settings: S, limit: 2 }).end, 2);
});
