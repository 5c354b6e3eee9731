/**
 * Snapshot, lose the metadata, restore, on memory stores with the real log layer: records
 * committed after the snapshot come back (also when the snapshot's small segments were merged
 * and collected since), a fenced writer's upload does not, committed offsets are the
 * snapshot's, transactions that ended or began after the snapshot are closed or open again
 * (the last stable offset), a store in use is refused without --force, a damaged snapshot is
 * refused with nothing written, and verify agrees with the result.
 */
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { encodeRecord, keys, TopicConfigSchema } from "../metadata/records.ts";
import { loadClusterId } from "../cluster/cluster_id.ts";
import { collectGarbage } from "../log/object_gc.ts";
import { batch, decodeRecordsAll, deps, manager, txnBatch, txnMarker } from "../log/_testing.ts";
import type { IncomingBatch } from "../log/partition_log.ts";
import { splitBatches } from "../protocol/records/record_batch.ts";
import type { LogManager } from "../log/log_manager.ts";
import { takeSnapshot } from "./snapshot.ts";
import { RestoreRefusedError, restoreSnapshot } from "./restore.ts";
import { CorruptSnapshotError } from "./snapshot_format.ts";
import { snapshotsPrefix } from "./snapshot_store.ts";
import { verifyStores } from "./verify.ts";

const TOPIC_ID = "0123456789abcdef0123456789abcdef";
const b = (s: string) => new TextEncoder().encode(s);

async function seed(meta: MemoryMetadataStore) {
  await loadClusterId(meta);
  await meta.put(
    keys.topic("t"),
    encodeRecord(TopicConfigSchema, {
      name: "t",
      topic_id: TOPIC_ID,
      partitions: 2,
      retention_ms: null,
      retention_bytes: null,
      segment_bytes: null,
      max_message_bytes: null,
      message_timestamp_type: null,
      message_timestamp_before_max_ms: null,
      message_timestamp_after_max_ms: null,
      compression_type: null,
      cleanup_policy: null,
      min_cleanable_dirty_ratio: null,
      min_compaction_lag_ms: null,
      max_compaction_lag_ms: null,
      delete_retention_ms: null,
      segment_ms: null,
      created_ms: 1,
    }),
  );
}

/** Appends each value to the partition and flushes it alone (one segment each). */
async function produce(logs: LogManager, p: number, values: string[]) {
  const log = await logs.get("t", TOPIC_ID, p);
  for (const v of values) {
    const ack = log.append([batch(v)]).durable;
    await logs.flushAll();
    await ack;
  }
}

async function readAll(logs: LogManager, p: number): Promise<string[]> {
  const log = await logs.get("t", TOPIC_ID, p);
  const out: string[] = [];
  for (let at = log.logStartOffset; at < log.highWatermark;) {
    const values = decodeRecordsAll((await log.read(at, 1 << 20)).records!);
    out.push(...values);
    at += values.length;
  }
  return out;
}

const values = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

Deno.test("restore: records committed after the snapshot come back, a fenced upload does not, offsets are the snapshot's", async () => {
  const objects = new MemoryObjectStore();
  const lost = new MemoryMetadataStore();
  await seed(lost);
  const a = manager(deps(objects, lost));
  await produce(a, 0, values("a", 10));
  await produce(a, 1, values("a", 10));
  await a.rollAll(1); // a manifest, so the snapshot copies one
  await lost.put(
    keys.offset("g", "t", 0),
    b(JSON.stringify({
      offset: 5,
      leader_epoch: -1,
      metadata: null,
      commit_ms: 1,
    })),
  );
  const snap = await takeSnapshot(lost, objects, { namespace: "ns", brokerId: 0, version: "t" });
  assertEquals(snap.manifests, 2);

  await produce(a, 0, values("b", 10));
  await produce(a, 1, values("b", 10));
  await lost.put(
    keys.offset("g", "t", 0),
    b(JSON.stringify({
      offset: 15,
      leader_epoch: -1,
      metadata: null,
      commit_ms: 2,
    })),
  );
  // Rolls merge the small segments (the snapshot's among them) and collect the originals.
  await a.rollAll(1);
  const gc = await collectGarbage(objects, lost, {
    namespace: "ns",
    graceMs: 0,
    now: Date.now() + 1000,
  });
  assert(gc.deleted >= 20, `collected ${gc.deleted}`);
  // Another broker takes partition 1: the first one's next upload is fenced, never committed.
  const other = manager(deps(objects, lost));
  await other.get("t", TOPIC_ID, 1);
  const zombie = (await a.get("t", TOPIC_ID, 1).catch(() => null)) ??
    (await a.peek("t", 1))!;
  const fenced = zombie.append([batch("zombie")]);
  await a.flushAll().catch(() => {});
  await assertRejects(() => fenced.durable);
  await produce(other, 1, ["c0", "c1"]);
  await a.close();
  await other.close();

  const fresh = new MemoryMetadataStore();
  const lines: string[] = [];
  const report = await restoreSnapshot(fresh, objects, {
    namespace: "ns",
    snapshot: "latest",
    graceMs: 60_000,
    progress: (l) => lines.push(l),
  });
  assertEquals(report.snapshot.id, snap.id);
  const p1 = report.partitions.find((p) => p.partition === 1)!;
  assertEquals([p1.snapshotEnd, p1.end, p1.lost], [10, 22, []]);
  assert(p1.void >= 1, `void uploads: ${p1.void}`);
  assertEquals(report.unknown, []);
  assertEquals(await loadClusterId(fresh), await loadClusterId(lost));
  const offset = JSON.parse(new TextDecoder().decode((await fresh.get("offsets/g/t/0"))!.value));
  assertEquals(offset.offset, 5, "committed offsets are the snapshot's");

  const c = manager(deps(objects, fresh));
  assertEquals(await readAll(c, 0), [...values("a", 10), ...values("b", 10)]);
  assertEquals(await readAll(c, 1), [...values("a", 10), ...values("b", 10), "c0", "c1"]);
  const log1 = await c.get("t", TOPIC_ID, 1);
  assert(log1.leaderEpoch > 2, `new writer epoch ${log1.leaderEpoch} above every upload's`);
  await produce(c, 1, ["d0"]);
  assertEquals((await readAll(c, 1)).at(-1), "d0");
  await c.close();

  const v = await verifyStores(fresh, objects, { namespace: "ns", graceMs: 0, deep: true });
  assertEquals(v.dangling, []);
  assertEquals(v.snapshots.committed, 1);
  assertEquals(v.snapshots.newestProblem, null);
  assertEquals(v.objects.young, 0);
  assert(v.objects.collectable >= 1, "the fenced upload is garbage");
});

Deno.test("restore: a transaction that ended after the snapshot is closed, one that began after it is open", async () => {
  const objects = new MemoryObjectStore();
  const lost = new MemoryMetadataStore();
  await seed(lost);
  const a = manager(deps(objects, lost));
  const log = await a.get("t", TOPIC_ID, 0);
  const put = async (x: IncomingBatch) => {
    const r = log.append([x]);
    await a.flushAll();
    await r.durable;
  };
  await put(txnBatch(7, 0, [{ value: b("seven") }])); // 0: open when the snapshot is taken
  assertEquals(log.lastStableOffset, 0);
  await takeSnapshot(lost, objects, { namespace: "ns", brokerId: 0, version: "t" });
  await put(txnMarker(7, true)); // 1
  await put(txnBatch(8, 0, [{ value: b("eight") }])); // 2: still open when the metadata is lost
  assertEquals(log.lastStableOffset, 2);
  await a.close();

  const fresh = new MemoryMetadataStore();
  await restoreSnapshot(fresh, objects, { namespace: "ns", snapshot: "latest", graceMs: 60_000 });
  const c = manager(deps(objects, fresh));
  const restored = await c.get("t", TOPIC_ID, 0);
  assertEquals([restored.highWatermark, restored.lastStableOffset], [3, 2]);
  // read_committed: producer 7's record and its marker; producer 8's open one is not readable.
  const committed = (await restored.read(0, 1 << 20, true)).records!;
  assertEquals(splitBatches(committed).map((x) => [x.baseOffset, x.isControl]), [[0, false], [
    1,
    true,
  ]]);
  assertEquals(decodeRecordsAll(committed)[0], "seven");
  await c.close();
});

Deno.test("restore: refuses a store in use without --force, and a damaged snapshot with nothing written", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  await seed(meta);
  const logs = manager(deps(objects, meta));
  await produce(logs, 0, ["x"]);
  await logs.close();
  const snap = await takeSnapshot(meta, objects, { namespace: "ns", brokerId: 0, version: "t" });
  const options = { namespace: "ns", snapshot: "latest", graceMs: 60_000 };
  const e = await assertRejects(() => restoreSnapshot(meta, objects, options), RestoreRefusedError);
  assert(e.message.startsWith("Cannot restore: the metadata store is not empty"), e.message);
  assert(e.message.includes("--force"), e.message);
  const forced = await restoreSnapshot(meta, objects, { ...options, force: true });
  assertEquals(forced.partitions.map((p) => p.end), [1]);

  const key = `${snapshotsPrefix("ns")}${snap.id}.snap`;
  const bytes = (await objects.get(key))!;
  bytes[bytes.byteLength - 3]! ^= 1;
  await objects.delete(key);
  await objects.put(key, bytes);
  const empty = new MemoryMetadataStore();
  const c = await assertRejects(
    () => restoreSnapshot(empty, objects, { ...options, snapshot: snap.id }),
    CorruptSnapshotError,
  );
  assert(c.message.includes("SHA-256 checksum mismatch"), c.message);
  assert(c.message.includes("nothing was written"), c.message);
  assertEquals((await empty.getPage("", { limit: 1 })).entries, []);
});
