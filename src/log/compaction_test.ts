import { assertEquals } from "../testing/assert.ts";
import type { SegmentRef } from "../metadata/records.ts";
import { pickCompactionRun } from "./compaction.ts";

const refs = (...sizes: number[]): SegmentRef[] => {
  let base = 0;
  return sizes.map((size) => {
    const ref = {
      key: `k${base}`,
      base_offset: base,
      last_offset: base + 9,
      position: 0,
      size,
      object_chunks: 1,
      batch_count: 1,
      max_timestamp: 0,
      epoch: 0,
      created_ms: 0,
    };
    base += 10;
    return ref;
  });
};

Deno.test("compaction: the first run of at least four small segments is picked", () => {
  assertEquals(pickCompactionRun(refs(10, 10, 10, 10, 10), 1000), { from: 0, to: 4 });
  assertEquals(pickCompactionRun(refs(10, 10, 10), 1000), null, "too short to be worth it");
});

Deno.test("compaction: large segments break runs and are never rewritten", () => {
  // 250 is a quarter of the target: not small.
  assertEquals(pickCompactionRun(refs(10, 10, 250, 10, 10, 10, 10), 1000), { from: 3, to: 6 });
  assertEquals(pickCompactionRun(refs(250, 900, 300), 1000), null);
});

Deno.test("compaction: a run stops before it would exceed the target size", () => {
  assertEquals(pickCompactionRun(refs(200, 200, 200, 200, 200, 200), 1000), { from: 0, to: 4 });
});
