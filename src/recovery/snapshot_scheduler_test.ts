/**
 * The snapshot schedule on memory stores and a clock the test moves: only the broker owning
 * the duty snapshots, the first snapshot comes one tick after start, the next two ticks before
 * the newest one is an interval old, every broker reports the object store's times, old
 * snapshots are pruned, a store without the cluster's id is not snapshotted, and the age gauge
 * reads +Inf before any snapshot and near 0 after one.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { loadClusterId } from "../cluster/cluster_id.ts";
import { BrokerMetrics } from "../metrics/metrics.ts";
import { SnapshotMetrics } from "../metrics/snapshot_metrics.ts";
import { SnapshotScheduler, type SnapshotStatus, tickMs } from "./snapshot_scheduler.ts";
import { listSnapshots } from "./snapshot_store.ts";

const HOUR = 3_600_000;

function scheduler(
  meta: MemoryMetadataStore,
  objects: MemoryObjectStore,
  o: { owns: boolean; clock: { now: number }; clusterId: string; keep?: number },
) {
  const seen: SnapshotStatus[] = [];
  const errors: string[] = [];
  const s = new SnapshotScheduler(meta, objects, {
    intervalMs: HOUR,
    keep: o.keep ?? 3,
    retentionMs: 7 * 24 * HOUR,
    namespace: "ns",
    brokerId: o.owns ? 0 : 1,
    version: "test",
    clusterId: o.clusterId,
    owns: () => o.owns,
    onStatus: (st) => seen.push(st),
    onError: (what, e) => errors.push(`${what}: ${e}`),
    now: () => o.clock.now,
  });
  return { s, seen, errors };
}

Deno.test("snapshot schedule: the owner snapshots one tick after start, then two ticks before an interval passes; the others only report", async () => {
  assertEquals([tickMs(HOUR), tickMs(4000), tickMs(0)], [60_000, 1000, 60_000]);
  const meta = new MemoryMetadataStore();
  const objects = new MemoryObjectStore();
  const clusterId = await loadClusterId(meta);
  const clock = { now: Date.now() };
  const owner = scheduler(meta, objects, { owns: true, clock, clusterId });
  const other = scheduler(meta, objects, { owns: false, clock, clusterId });
  await owner.s.tick();
  assertEquals((await listSnapshots(objects, "ns")).committed.length, 0, "not at start");
  clock.now += 60_000;
  await owner.s.tick();
  await other.s.tick();
  assertEquals((await listSnapshots(objects, "ns")).committed.length, 1);
  const first = owner.seen.at(-1)!;
  assertEquals(other.seen.at(-1), first, "every broker reports the object store's times");
  assert(first.lastSuccessMs !== null && first.accessOk, JSON.stringify(first));
  clock.now += HOUR - 3 * 60_000; // not yet due
  await owner.s.tick();
  assertEquals((await listSnapshots(objects, "ns")).committed.length, 1);
  clock.now += 60_000; // two ticks before the hour
  await owner.s.tick();
  assertEquals((await listSnapshots(objects, "ns")).committed.length, 2);
  for (let i = 0; i < 4; i++) {
    clock.now += HOUR;
    await owner.s.tick();
    await other.s.tick();
  }
  assertEquals((await listSnapshots(objects, "ns")).committed.length, 3, "pruned to keep 3");
  assertEquals(owner.errors, []);
  await owner.s.stop();
  await other.s.stop();
});

Deno.test("snapshot schedule: a store without the cluster's id is not snapshotted", async () => {
  const objects = new MemoryObjectStore();
  const clock = { now: Date.now() };
  const empty = new MemoryMetadataStore();
  const { s, errors } = scheduler(empty, objects, { owns: true, clock, clusterId: "abc" });
  clock.now += 60_000;
  await s.tick();
  assertEquals((await listSnapshots(objects, "ns")).committed.length, 0);
  assert(errors.some((e) => e.includes("holds cluster id (none), not abc")), errors.join("\n"));
  await s.stop();
});

Deno.test("snapshot metrics: +Inf and stale before any snapshot, near 0 after one", async () => {
  const m = new BrokerMetrics();
  let now = 1_000_000_000;
  const gauges = new SnapshotMetrics(m.registry, {
    staleSeconds: 3600,
    expected: true,
    now: () => now,
  });
  const read = async () => {
    const text = await m.registry.metrics();
    const value = (name: string) =>
      text.split("\n").find((l) => l.startsWith(name + " "))?.split(" ")[1];
    return ["age_seconds", "stale", "last_success_timestamp", "access_ok"].map((n) =>
      value(`kafscale_operator_etcd_snapshot_${n}`)
    );
  };
  assertEquals(await read(), ["+Inf", "1", "0", "1"]);
  gauges.update({ lastSuccessMs: now - 2000, lastScheduleMs: now - 3000, accessOk: true });
  assertEquals(await read(), ["2", "0", String((now - 2000) / 1000), "1"]);
  now += 3601_000;
  assertEquals((await read())[1], "1", "stale past the threshold");
  gauges.update({ lastSuccessMs: now, lastScheduleMs: now, accessOk: false });
  assertEquals(await read(), ["0", "0", String(now / 1000), "0"]);
  m.stop();
});
