/**
 * The compaction scheduler on memory stores: a check opens the owned partitions of compacted
 * topics (never others'), rolls their due tail keys into the manifest and runs the due passes,
 * repeating while the key map fills; reports each pass and the largest dirty ratio; and a stop
 * during a throttled pass ends it without a commit.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { buildRecordBatch } from "../protocol/records/builder.ts";
import { deps, incomingBatch } from "./_testing.ts";
import { LogManager } from "./log_manager.ts";
import type { PassStats } from "./compactor.ts";
import { type CompactionOptions, CompactionScheduler } from "./compaction_scheduler.ts";
import { SLOT_BYTES } from "./key_map.ts";
import type { CompactionSettings } from "./compaction_policy.ts";

const enc = new TextEncoder();
const SETTINGS: CompactionSettings = {
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  deleteRetentionMs: 60_000,
  segmentMs: 1000,
  segmentBytes: 1 << 20,
};

function setup(options: Partial<CompactionOptions> = {}) {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const clock = { now: 1_700_000_000_000 };
  const now = () => clock.now;
  const logs = new LogManager(deps(objects, meta, { now }), {
    flushIntervalMs: 1000,
    segmentBytes: 1 << 20,
  });
  const passes: { topic: string; partition: number; result: PassStats | Error }[] = [];
  const ratios: number[] = [];
  const scheduler = new CompactionScheduler({
    topics: () => [{ name: "c", topicId: "id", partitions: 2, settings: SETTINGS }],
    owns: (_topic, partition) => partition === 0,
    peek: (t, p) => logs.peek(t, p),
    open: (t, id, p) => logs.get(t, id, p),
    objects,
    namespace: "ns",
  }, {
    checkMs: 60_000,
    bytesPerSecond: 0,
    concurrency: 1,
    mapBytes: 1 << 16,
    onPass: (at, result) => passes.push({ ...at, result }),
    onCheck: (r) => ratios.push(r),
    now,
    ...options,
  });
  /** Writes `n` records over `keys` keys to c-0, one flush each. */
  const write = async (n: number, keys: number) => {
    const log = await logs.get("c", "id", 0);
    for (let i = 0; i < n; i++) {
      const bytes = buildRecordBatch([{
        key: enc.encode(`k${i % keys}`),
        value: enc.encode(`${i}`),
      }]);
      const ack = log.append([incomingBatch(bytes)]).durable;
      await log.flush();
      await ack;
    }
    return log;
  };
  return { logs, scheduler, passes, ratios, clock, write };
}

Deno.test("compaction scheduler: compacts the owned partitions of compacted topics that are due", async () => {
  const s = await setup();
  try {
    const log = await s.write(40, 4);
    s.clock.now += 5000;
    await s.scheduler.check();
    assertEquals(s.passes.length, 1);
    const pass = s.passes[0]!;
    assertEquals([pass.topic, pass.partition], ["c", 0]);
    assert(!(pass.result instanceof Error));
    assertEquals(pass.result.removed.superseded, 36);
    assertEquals(s.ratios, [1]);
    assertEquals(log.tailKeys, 0); // rolled into the manifest first
    assertEquals(log.compactionState?.cleaned_offset, 40);
    // Partition 1 is another broker's: never opened here.
    assertEquals(await s.logs.peek("c", 1), undefined);
    // Nothing dirty: the next check has nothing to do.
    await s.scheduler.check();
    assertEquals(s.passes.length, 1);
    assertEquals(s.ratios.at(-1), 0);
  } finally {
    await s.scheduler.stop();
    await s.logs.close();
  }
});

Deno.test("compaction scheduler: a full key map runs the next pass at once", async () => {
  const s = await setup({ mapBytes: 16 * SLOT_BYTES }); // 14 keys a pass
  try {
    await s.write(60, 30);
    s.clock.now += 5000;
    await s.scheduler.check();
    const stats = s.passes.map((p) => p.result as PassStats);
    assert(stats.length >= 2, `${stats.length} passes`);
    assert(stats[0]!.mapFull);
    assertEquals(stats.at(-1)!.mapFull, false);
    assertEquals(stats.at(-1)!.cleanedOffset, 60);
  } finally {
    await s.scheduler.stop();
    await s.logs.close();
  }
});

Deno.test("compaction scheduler: stopping ends a throttled pass without committing it", async () => {
  const s = await setup({ bytesPerSecond: 1 }); // every read waits for ages
  try {
    const log = await s.write(20, 2);
    s.clock.now += 5000;
    const checking = s.scheduler.check();
    // Once the pass waits on the throttle, stop it.
    const deadline = Date.now() + 30_000;
    while (s.scheduler.throttledMs === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert(s.scheduler.throttledMs > 0, "the pass waited on the throttle");
    await s.scheduler.stop();
    await checking;
    assertEquals(s.passes, []); // ended by the stop: not reported as a failure
    assertEquals(log.compactionState, undefined);
  } finally {
    await s.scheduler.stop();
    await s.logs.close();
  }
});
