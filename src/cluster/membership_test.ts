import { assert, assertEquals } from "../testing/assert.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { groupKey, Membership, partitionKey } from "./membership.ts";

const broker = (nodeId: number) => ({ nodeId, host: "127.0.0.1", port: 9000 + nodeId, rack: null });
const options = { ttlSeconds: 5 };

Deno.test("membership: a solo broker owns everything and is the controller", () => {
  const m = Membership.solo(broker(3));
  assert(m.owns(partitionKey("t", 0)) && m.owns(groupKey("g")));
  assertEquals(m.live(), [broker(3)]);
  assertEquals(m.controller().nodeId, 3);
});

Deno.test("membership: brokers see each other and agree on every owner; leaving hands over", async () => {
  const meta = new MemoryMetadataStore();
  const changes: number[][] = [];
  const a = await Membership.join(meta, meta, broker(1), {
    ...options,
    onChange: (live) => changes.push(live.map((b) => b.nodeId)),
  });
  const b = await Membership.join(meta, meta, broker(2), options);
  const c = await Membership.join(meta, meta, broker(3), options);
  assertEquals(a.live().map((x) => x.nodeId), [1, 2, 3]);
  assertEquals(changes.at(-1), [1, 2, 3]);
  const keys = Array.from({ length: 300 }, (_, i) => partitionKey("orders", i));
  const count = new Map<number, number>();
  for (const k of keys) {
    const owner = a.ownerOf(k).nodeId;
    assertEquals(b.ownerOf(k).nodeId, owner);
    assertEquals(c.ownerOf(k).nodeId, owner);
    assertEquals([a, b, c].filter((m) => m.owns(k)).length, 1, "exactly one owner");
    count.set(owner, (count.get(owner) ?? 0) + 1);
  }
  for (const id of [1, 2, 3]) assert((count.get(id) ?? 0) > 60, `balanced: ${[...count]}`);
  assertEquals(a.controller().nodeId, 1);

  const before = new Map(keys.map((k) => [k, a.ownerOf(k).nodeId]));
  await c.close();
  assertEquals(a.live().map((x) => x.nodeId), [1, 2]);
  for (const k of keys) {
    const was = before.get(k)!;
    if (was !== 3) assertEquals(a.ownerOf(k).nodeId, was, "only the leaver's keys move");
    else assert(a.ownerOf(k).nodeId !== 3);
    assertEquals(b.ownerOf(k).nodeId, a.ownerOf(k).nodeId);
  }
  await a.close();
  await b.close();
});
