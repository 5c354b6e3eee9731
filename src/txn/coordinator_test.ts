/**
 * The coordinator over a shared memory store: a commit whose coordinator stops after its
 * Prepare state (markers not yet written) is finished by the broker that takes the id over,
 * once the partition's owner wrote the marker; a coordinator whose id another broker claimed
 * since is fenced (NOT_COORDINATOR) and changes nothing; offsets of the transaction become the
 * group's committed offsets once the commit is decided; an idle id expires.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import {
  CommittedOffsetSchema,
  decodeRecord,
  keys,
  type TopicConfig,
  TopicConfigSchema,
} from "../metadata/records.ts";
import { KafkaError } from "../protocol/errors.ts";
import { deps, manager } from "../log/_testing.ts";
import { TxnCoordinator } from "./coordinator.ts";
import { MarkerWriter } from "./markers.ts";
import { txnKeys } from "./records.ts";
import { GroupCoordinator } from "../groups/coordinator.ts";

// A stored record read back: every field a record written today would hold defaults.
const topic: TopicConfig = TopicConfigSchema.parse({
  name: "t",
  topic_id: "0".repeat(32),
  partitions: 1,
  retention_ms: null,
  retention_bytes: null,
  segment_bytes: null,
  created_ms: 0,
});

function coordinator(meta: MemoryMetadataStore, brokerId: number, owns: () => boolean) {
  let next = brokerId * 1000;
  return new TxnCoordinator(meta, {
    brokerId,
    maxTimeoutMs: 60_000,
    expirationMs: 60_000,
    producerIds: { next: () => Promise.resolve(next++) },
    owns,
    sweepMs: 50,
    scanMs: 100,
    completionWaitMs: 200,
  });
}

async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("txn coordinator: a successor finishes a commit from the stored Prepare state", async () => {
  const meta = new MemoryMetadataStore();
  let owner = 1;
  const a = coordinator(meta, 1, () => owner === 1);
  const b = coordinator(meta, 2, () => owner === 2);
  await a.start();
  const p = await a.initProducerId("app", { timeoutMs: 30_000, expected: null });
  if ("error" in p) throw new Error(p.error);
  assertEquals(await a.add("app", { ...p, partitions: { t: [0] } }), null);
  assertEquals(await a.add("app", { ...p, groups: ["g"] }), null);
  const groups = new GroupCoordinator(meta, {
    minSessionTimeoutMs: 1,
    maxSessionTimeoutMs: 100_000,
    initialRebalanceDelayMs: 0,
    offsetsRetentionMs: 1e9,
    maxMetadataBytes: 100,
  });
  await groups.start();
  const offset = { topic: "in", partition: 3, offset: 77, leaderEpoch: -1, metadata: null };
  await groups.commitTxn("g", { memberId: "", instanceId: null, generationId: -1 }, {
    transactionalId: "app",
    ...p,
  }, [offset]);
  // Nobody writes markers yet: the commit is decided (PrepareCommit) but cannot complete.
  assertEquals(await a.endTxn("app", { ...p, commit: true }), null);
  assertEquals((await a.describe("app"))?.state, "PrepareCommit");
  assert(await meta.get(txnKeys.marker(p.producerId, "t", 0)) !== null, "marker requested");
  // The outcome is decided: the offsets are the group's already, the markers are not written.
  const got = await meta.get(keys.offset("g", "in", 3));
  assertEquals(got && decodeRecord(CommittedOffsetSchema, got.key, got.value).offset, 77);
  assertEquals((await meta.getPrefix(txnKeys.pendingOfGroup("g"))).length, 0);
  await a.close(); // the coordinator dies

  owner = 2;
  await b.start(); // takes the id over: claims its epoch, loads the Prepare state
  const objects = new MemoryObjectStore();
  const logs = manager(deps(objects, meta));
  logs.start();
  const markers = new MarkerWriter(meta, logs, { get: (n) => n === "t" ? topic : undefined });
  await markers.start();
  await until(
    "the marker",
    async () => (await meta.get(txnKeys.marker(p.producerId, "t", 0))) === null,
  );
  const log = await logs.get("t", topic.topic_id, 0);
  assertEquals([log.highWatermark, log.lastStableOffset], [1, 1]);
  await until(
    "the successor to complete",
    async () => (await b.describe("app"))?.state === "CompleteCommit",
  );
  await markers.close();
  await logs.close();
  await b.close();
  groups.close();
});

Deno.test("txn coordinator: a stale coordinator's write is refused with NOT_COORDINATOR", async () => {
  const meta = new MemoryMetadataStore();
  const a = coordinator(meta, 1, () => true);
  const b = coordinator(meta, 2, () => true);
  await a.start();
  await b.start();
  const p = await a.initProducerId("x", { timeoutMs: 30_000, expected: null });
  if ("error" in p) throw new Error(p.error);
  // b claims the id (a newer coordinator epoch) and changes it.
  assertEquals(await b.add("x", { ...p, partitions: { t: [0] } }), null);
  const refused = await a.add("x", { ...p, partitions: { t: [1] } }).catch((e) => e);
  assert(refused instanceof KafkaError && refused.code === 16, `got ${refused}`);
  assertEquals((await b.describe("x"))?.partitions, { t: [0] }, "a changed nothing");
  await a.close();
  await b.close();
});

Deno.test("txn coordinator: an idle transactional id expires", async () => {
  const meta = new MemoryMetadataStore();
  let now = 1_000_000;
  const c = new TxnCoordinator(meta, {
    brokerId: 1,
    maxTimeoutMs: 60_000,
    expirationMs: 1000,
    producerIds: { next: () => Promise.resolve(5) },
    now: () => now,
    scanMs: 1e9,
  });
  await c.start();
  await c.initProducerId("idle", { timeoutMs: 30_000, expected: null });
  assert(await meta.get(txnKeys.txn("idle")) !== null);
  now += 2000;
  await c.reconcile();
  assertEquals(await meta.get(txnKeys.txn("idle")), null);
  assertEquals(await meta.get(txnKeys.epoch("idle")), null);
  await c.close();
});

Deno.test("txn coordinator: a transaction over more partitions than one metadata transaction holds", async () => {
  const meta = new MemoryMetadataStore();
  const wide = { ...topic, name: "wide", partitions: 130 };
  const c = coordinator(meta, 1, () => true);
  await c.start();
  const p = await c.initProducerId("wide-app", { timeoutMs: 30_000, expected: null });
  if ("error" in p) throw new Error(p.error);
  const all = Array.from({ length: 130 }, (_, i) => i);
  assertEquals(await c.add("wide-app", { ...p, partitions: { wide: all } }), null);
  const objects = new MemoryObjectStore();
  const logs = manager(deps(objects, meta));
  logs.start();
  const markers = new MarkerWriter(meta, logs, { get: (n) => n === "wide" ? wide : undefined });
  await markers.start();
  // The record goes first (markers_written: false), the 130 requests after it, in chunks.
  assertEquals(await c.endTxn("wide-app", { ...p, commit: false }), null);
  await until("completion", async () => (await c.describe("wide-app"))?.state === "CompleteAbort");
  for (const i of [0, 64, 129]) {
    const log = await logs.get("wide", wide.topic_id, i);
    assertEquals([log.highWatermark, log.lastStableOffset], [1, 1], `wide-${i}: one marker`);
  }
  assertEquals((await meta.getPrefix(txnKeys.markersPrefix())).length, 0);
  await markers.close();
  await logs.close();
  await c.close();
});
