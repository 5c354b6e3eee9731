import { assertEquals } from "../testing/assert.ts";
import type { SegmentRef } from "../metadata/records.ts";
import { planMerges } from "./segment_merge.ts";

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
const plan = (sizes: number[], minRun = 2, budgetBytes = 1 << 30) =>
  planMerges(refs(...sizes), { targetBytes: 1000, budgetBytes, minRun });

Deno.test("segment merging: runs of small segments are planned; a lone one is left", () => {
  assertEquals(plan([10, 10, 10, 10, 10]), [{ from: 0, to: 4 }]);
  assertEquals(plan([10, 10, 10], 4), [], "too short to be worth it");
  assertEquals(plan([10]), []);
});

Deno.test("segment merging: large segments break runs and are never rewritten", () => {
  // 250 is a quarter of the target: not small.
  assertEquals(plan([10, 10, 250, 10, 10, 10, 10]), [{ from: 0, to: 1 }, { from: 3, to: 6 }]);
  assertEquals(plan([250, 900, 300]), []);
});

Deno.test("segment merging: a run stops before it would exceed the target size", () => {
  assertEquals(plan([200, 200, 200, 200, 200, 200]), [{ from: 0, to: 4 }]);
});

Deno.test("segment merging: the runs of one pass stay within the memory budget", () => {
  assertEquals(plan([200, 200, 200, 200, 200, 200, 200, 200, 200, 200], 2, 1500), [{
    from: 0,
    to: 4,
  }]);
});
