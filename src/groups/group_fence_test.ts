import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { decodeRecord, GroupEpochSchema, keys } from "../metadata/records.ts";
import { KafkaError } from "../protocol/errors.ts";
import { GroupCoordinator } from "./coordinator.ts";
import { chunkOps, GroupFence } from "./group_fence.ts";

const options = (brokerId: number, owns: () => boolean) => ({
  minSessionTimeoutMs: 1000,
  maxSessionTimeoutMs: 60000,
  initialRebalanceDelayMs: 0,
  offsetsRetentionMs: 60000,
  maxMetadataBytes: 4096,
  brokerId,
  owns,
});
const simple = { memberId: "", instanceId: null, generationId: -1 };
const offset = (n: number) => ({
  topic: "t",
  partition: 0,
  offset: n,
  leaderEpoch: -1,
  metadata: null,
});

Deno.test("group fence: a coordinator that lost its group (without noticing) cannot overwrite the new one", async () => {
  const meta = new MemoryMetadataStore();
  // Both believe they coordinate "g": their membership views differ for a moment.
  const a = new GroupCoordinator(meta, options(1, () => true));
  const b = new GroupCoordinator(meta, options(2, () => true));
  await a.start();
  await b.start();
  await a.commit("g", simple, [offset(10)]);
  await b.commit("g", simple, [offset(20)]); // b claims the next coordinator epoch
  const epoch = await meta.get(keys.groupEpoch("g"));
  assertEquals(decodeRecord(GroupEpochSchema, "e", epoch!.value), { epoch: 1, broker_id: 2 });
  const e = await assertRejects(() => a.commit("g", simple, [offset(5)]), KafkaError);
  assertEquals(e.code, 16); // NOT_COORDINATOR: the client finds the coordinator again
  assertEquals(a.get("g"), undefined, "the stale coordinator dropped the group");
  const stored = await b.fetchOffsets("g");
  assertEquals(stored.get("t/0")?.offset, 20);
  a.close();
  b.close();
});

Deno.test("group fence: deleting a group removes its epoch; a new group of that name starts over", async () => {
  const meta = new MemoryMetadataStore();
  const c = new GroupCoordinator(meta, options(1, () => true));
  await c.start();
  await c.commit("g", simple, [offset(1)]);
  await c.deleteGroup("g");
  assertEquals(await meta.get(keys.groupEpoch("g")), null);
  await c.commit("g", simple, [offset(2)]);
  assert((await meta.get(keys.groupEpoch("g"))) !== null);
  assertEquals((await c.fetchOffsets("g")).get("t/0")?.offset, 2);
  c.close();
});

Deno.test("group fence: an offset commit of 1,000 partitions goes in transactions etcd accepts", async () => {
  const meta = new MemoryMetadataStore(); // refuses any transaction over 128 operations
  const fence = new GroupFence(meta, 1);
  const ops = Array.from({ length: 1000 }, (_, p) => ({
    type: "put" as const,
    key: `offsets/g/t/${p}`,
    value: new TextEncoder().encode(`{"offset":${p}}`),
  }));
  await fence.write("g", ops);
  assertEquals((await meta.getPrefix("offsets/g/")).length, 1000);
  assert(chunkOps(ops).every((c) => c.length <= 128));
});
