/**
 * The metadata budget of a partition (DESIGN.md invariant 8) on memory stores that enforce
 * etcd's limits: whatever the number of flushes, the tail keys stay bounded, every record reads
 * back, and a restarted broker sees the same log; pre-manifest partitions with many keys are
 * rolled in transactions under the operation limit; retention cuts into the manifest.
 */
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { decodeRecord, keys, PartitionStateSchema } from "../metadata/records.ts";
import { batch, decodeRecordsAll, deps, manager } from "./_testing.ts";
import { MAX_MOVED_PER_ROLL, ROLL_AT_TAIL_KEYS } from "./manifest_roll.ts";
import { decodeManifest, encodeManifest } from "./segment_manifest.ts";

const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);

async function partitionState(meta: MemoryMetadataStore) {
  const key = keys.partition("t", 0);
  return decodeRecord(PartitionStateSchema, key, (await meta.get(key))!.value);
}

Deno.test("manifest: 400 flushes keep the tail bounded; every record reads back after restart", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  const log = await logs.get("t", "id", 0);
  let mostTail = 0;
  for (const v of values(400)) {
    const ack = log.append([batch(v)]).durable;
    await logs.flushAll(); // each flush starts a roll once the tail holds ROLL_AT_TAIL_KEYS
    await ack;
    mostTail = Math.max(mostTail, (await meta.getPrefix("segments/")).length);
  }
  await logs.close(); // waits for rolls under way
  assert(mostTail < ROLL_AT_TAIL_KEYS + MAX_MOVED_PER_ROLL, `tail reached ${mostTail} keys`);
  const state = await partitionState(meta);
  assert(state.manifest, "the partition points at a manifest");
  assert(state.manifest.segments < 400, "small segments were merged on the way");

  const cold = manager(deps(objects, meta));
  const reopened = await cold.get("t", "id", 0);
  assertEquals(reopened.highWatermark, 400);
  assertEquals(decodeRecordsAll((await reopened.read(0, 1 << 24)).records!), values(400));
  assertEquals(decodeRecordsAll((await reopened.read(399, 1 << 20)).records!).at(-1), "v399");
  await cold.close();
});

Deno.test("manifest: a partition with hundreds of keys from before manifests rolls within the limits", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  const log = await logs.get("t", "id", 0);
  for (const v of values(300)) {
    const ack = log.append([batch(v)]).durable;
    await log.flush(); // straight to the log: no roll is started, as before manifests
    await ack;
  }
  assertEquals((await meta.getPrefix("segments/")).length, 300);
  await logs.rollAll(); // the memory store refuses any transaction over 128 operations
  assert(log.tailKeys < 8, `${log.tailKeys} tail keys left`);
  assertEquals(decodeRecordsAll((await log.read(0, 1 << 24)).records!), values(300));
  await logs.close();
});

Deno.test("manifest: retention cuts segments out of the manifest and moves the log start", async () => {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const logs = manager(deps(objects, meta));
  const log = await logs.get("t", "id", 0);
  for (const v of values(20)) {
    const ack = log.append([batch(v)]).durable;
    await log.flush();
    await ack;
  }
  // Big target: nothing counts as small, so the 20 segments stay apart in the manifest.
  assertEquals((await log.roll(8, 1)).moved, 20);
  assertEquals([log.tailKeys, log.committedSegments.length], [0, 20]);
  const lastFive = log.committedSegments.slice(15).reduce((n, r) => n + r.size, 0);
  const deleted = await log.applyRetention(Date.now(), -1, lastFive);
  assertEquals(deleted.map((d) => d.rule), Array(15).fill("bytes"));
  assertEquals(log.logStartOffset, 15);
  await logs.close();
  const reopened = await manager(deps(objects, meta)).get("t", "id", 0);
  assertEquals(reopened.logStartOffset, 15);
  assertEquals(decodeRecordsAll((await reopened.read(15, 1 << 20)).records!), values(20).slice(15));
  assertEquals((await partitionState(meta)).manifest?.segments, 5);
  await reopened.close();
});

Deno.test("manifest: a corrupt manifest is refused with its key named", async () => {
  const bytes = await encodeManifest({ topic: "t", partition: 0, segments: [] });
  assertEquals((await decodeManifest("m", bytes)).topic, "t");
  bytes[bytes.length - 1]! ^= 0xff;
  const e = await assertRejects(() => decodeManifest("ns/manifests/m", bytes));
  assert(e.message.includes("ns/manifests/m") && e.message.includes("checksum"), e.message);
});
