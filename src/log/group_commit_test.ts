/**
 * Flush cycles of the log manager (group commit): an append on an idle broker is flushed at
 * once, with every partition appended in the same turn in one object and one metadata
 * transaction; appends during a flush go into the next one, which starts when the upload in
 * flight ends; with a spacing, object PUTs follow the spacing, not the request rate.
 */
import { assertEquals } from "../testing/assert.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { LogManager } from "./log_manager.ts";
import type { PartitionLog } from "./partition_log.ts";
import { CommitBatcher } from "./commit_batcher.ts";
import { batch, CountingStore, deps, GatedStore, segmentObjects } from "./_testing.ts";
import { FakeTimers, settle } from "./_fake_timers.ts";
import type { ObjectStore } from "../object_store/types.ts";

/** A started manager on memory stores that counts metadata transactions per commit group. */
function started(objects: ObjectStore, o: { spacingMs?: number; timers?: FakeTimers } = {}) {
  const meta = new MemoryMetadataStore();
  const txns: number[] = [];
  const committer = new CommitBatcher(meta, { onSend: (commits) => txns.push(commits) });
  const logs = new LogManager(deps(objects, meta, { committer }), {
    flushIntervalMs: o.spacingMs ?? 0,
    segmentBytes: 1 << 20,
    flushTimers: o.timers,
  });
  logs.start();
  return { logs, txns };
}

/** Appends one value the way the Produce handler does; resolves its offset once durable. */
function produce(logs: LogManager, log: PartitionLog, value: string) {
  const r = log.append([batch(value)]);
  logs.afterAppend(log);
  return { baseOffset: r.baseOffset, durable: r.durable.then(() => r.baseOffset) };
}

/** Waits (event-loop turns, not time) until `cond` holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await settle();
  }
  throw new Error(`Cannot wait any longer for ${what}`);
}

Deno.test("group commit: partitions appended in one turn flush at once, one PUT, one transaction", async () => {
  const objects = new CountingStore();
  const { logs, txns } = started(objects);
  const parts = await Promise.all([0, 1, 2].map((p) => logs.get("t", "id", p)));
  txns.length = 0; // opening partitions committed their claims
  const acks = parts.map((log, p) => produce(logs, log, `v${p}`).durable);
  assertEquals(await Promise.all(acks), [0, 0, 0]); // no flush timer: the append started it
  assertEquals(objects.puts, 1);
  assertEquals(txns, [3], "one metadata transaction carried all three commits");
  const [object] = await segmentObjects(objects);
  for (const log of parts) assertEquals(log.committedSegments[0]!.key, object!.key);
  await logs.close();
});

Deno.test("group commit: appends during a flush go into the next, started when its upload ends", async () => {
  const objects = new GatedStore();
  const { logs } = started(objects);
  const [a, b] = await Promise.all([logs.get("t", "id", 0), logs.get("t", "id", 1)]);
  const first = produce(logs, a!, "a0");
  let acked = false;
  void first.durable.then(() => acked = true);
  await until(() => objects.gates.length === 1, "the first upload");
  const during = [produce(logs, a!, "a1"), produce(logs, b!, "b0"), produce(logs, a!, "a2")];
  for (let i = 0; i < 20; i++) await settle();
  assertEquals(objects.gates.length, 1, "no second PUT while the first is in flight");
  assertEquals([acked, a!.highWatermark], [false, 0], "nothing is acked before it is durable");
  objects.gates[0]!.open();
  assertEquals(await first.durable, 0);
  await until(() => objects.gates.length === 2, "the next upload");
  objects.gates[1]!.open();
  assertEquals(await Promise.all(during.map((d) => d.durable)), [1, 0, 2]);
  const keys = [...a!.committedSegments, ...b!.committedSegments].map((s) => s.key);
  assertEquals(keys.length, 3);
  assertEquals(new Set(keys).size, 2, "a1, a2 and b0 share the second object");
  assertEquals(a!.committedSegments[1]!.batch_count, 2);
  await logs.close();
});

Deno.test("group commit: with a spacing, PUTs follow the spacing whatever the request rate", async () => {
  const objects = new CountingStore();
  const timers = new FakeTimers();
  const { logs } = started(objects, { spacingMs: 10, timers });
  const log = await logs.get("t", "id", 0);
  const first = produce(logs, log, "v0");
  timers.turn(); // idle: the first flush starts at the end of the turn
  await first.durable;
  assertEquals(objects.puts, 1);
  timers.advance(2);
  const burst: Promise<number>[] = [];
  for (let i = 1; i <= 50; i++) { // fifty requests, each in its own turn
    burst.push(produce(logs, log, `v${i}`).durable);
    timers.turn();
    await settle();
  }
  assertEquals(objects.puts, 1, "the spacing since the last start has not passed");
  assertEquals(timers.scheduled.timers, [10]);
  timers.advance(8);
  assertEquals(await Promise.all(burst), Array.from({ length: 50 }, (_, i) => i + 1));
  assertEquals(objects.puts, 2, "one PUT for the whole burst");
  await logs.close();
});
