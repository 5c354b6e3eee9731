import { assertEquals } from "../testing/assert.ts";
import type { SegmentRef } from "../metadata/records.ts";
import { retentionCut, segmentTime } from "./retention.ts";

const DAY = 86_400_000;
const NOW = 100 * DAY;

/** Segments of 100 bytes with the given newest record timestamp and write time. */
const segs = (...times: [maxTimestamp: number, createdMs: number][]): SegmentRef[] =>
  times.map(([max_timestamp, created_ms], i) => ({
    key: `k${i}`,
    base_offset: i * 10,
    last_offset: i * 10 + 9,
    position: 0,
    size: 100,
    object_chunks: 1,
    batch_count: 1,
    max_timestamp,
    epoch: 0,
    created_ms,
  }));
const cut = (s: SegmentRef[], retentionMs: number, retentionBytes = -1) =>
  retentionCut(s, { now: NOW, retentionMs, retentionBytes });

Deno.test("retention: records without timestamps age from when they were written", () => {
  // Written an hour ago, every timestamp -1: kept under 7 days' retention.
  assertEquals(cut(segs([-1, NOW - 3_600_000]), 7 * DAY), []);
  // Written 8 days ago: deleted by time.
  assertEquals(cut(segs([-1, NOW - 8 * DAY]), 7 * DAY), ["time"]);
  assertEquals(segmentTime(segs([-1, 42])[0]!), 42);
});

Deno.test("retention: a mix of -1 and real timestamps ages by the newest real one", () => {
  // max_timestamp is the largest of the batch maxima, so a real timestamp wins over -1.
  assertEquals(cut(segs([NOW - DAY, NOW - 9 * DAY]), 7 * DAY), []);
  assertEquals(cut(segs([NOW - 8 * DAY, NOW]), 7 * DAY), ["time"]);
});

Deno.test("retention: CreateTime in the past is deleted once past retention, oldest first", () => {
  const s = segs([NOW - 10 * DAY, NOW], [NOW - 9 * DAY, NOW], [NOW - DAY, NOW], [
    NOW - 9 * DAY,
    NOW,
  ]);
  // Stops at the first segment that is young enough (whole segments, in order).
  assertEquals(cut(s, 7 * DAY), ["time", "time"]);
});

Deno.test("retention: bytes keep the newest segments that fit; -1 disables each limit", () => {
  const s = segs([NOW, NOW], [NOW, NOW], [NOW, NOW]);
  assertEquals(cut(s, -1, 250), ["bytes"]);
  assertEquals(cut(s, -1, 100), ["bytes", "bytes"]);
  assertEquals(cut(s, -1, -1), []);
  // When both fire, time is named.
  assertEquals(cut(segs([NOW - 8 * DAY, NOW], [NOW, NOW]), 7 * DAY, 100), ["time"]);
});
