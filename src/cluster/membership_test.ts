import { assert, assertEquals } from "../testing/assert.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { endpointOf, groupKey, Membership, partitionKey, placeOn } from "./membership.ts";

const broker = (nodeId: number) => ({
  nodeId,
  host: "127.0.0.1",
  port: 9000 + nodeId,
  rack: null,
  listeners: { PLAINTEXT: { host: "127.0.0.1", port: 9000 + nodeId } },
});
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
  const before0 = new Map(keys.map((k) => [k, a.ownerOf(k).nodeId]));
  assertEquals(a.controller().nodeId, 1);

  assert(c.registered());
  await meta.delete("brokers/3"); // its lease expired (an outage): it owns nothing meanwhile
  assert(!c.registered() && !c.owns(keys.find((k) => before0.get(k) === 3)!));
  await meta.put(
    "brokers/3",
    new TextEncoder().encode(JSON.stringify({
      node_id: 3,
      host: "127.0.0.1",
      port: 9003,
      rack: null,
    })),
  ); // renewed
  assert(c.registered());
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

Deno.test("membership: placement spreads the partitions of each topic (not one broker per topic)", () => {
  const nodes = [1, 2, 3];
  const count = new Map<number, number>();
  let spread = 0;
  for (let t = 0; t < 60; t++) {
    const leaders = new Set<number>();
    for (let p = 0; p < 8; p++) {
      const owner = placeOn(partitionKey(`topic-${t}`, p), nodes);
      leaders.add(owner);
      count.set(owner, (count.get(owner) ?? 0) + 1);
    }
    if (leaders.size > 1) spread++;
  }
  assert(spread >= 55, `only ${spread} of 60 topics spread over more than one broker`);
  for (const id of nodes) {
    const n = count.get(id) ?? 0;
    assert(n > 120 && n < 200, `broker ${id} leads ${n} of 480 partitions`);
  }
});

Deno.test("membership: brokers register every listener; a record without listeners is PLAINTEXT", async () => {
  const meta = new MemoryMetadataStore();
  const self = {
    ...broker(1),
    listeners: {
      SASL_SSL: { host: "kafka-1.example.com", port: 9094 },
      PLAINTEXT: { host: "127.0.0.1", port: 9001 },
    },
  };
  const m = await Membership.join(meta, meta, self, options);
  await meta.put(
    "brokers/7",
    new TextEncoder().encode(JSON.stringify({ node_id: 7, host: "old", port: 9092, rack: null })),
  );
  const [one, seven] = m.live();
  assertEquals(one!.listeners, self.listeners);
  assertEquals(endpointOf(one!, "SASL_SSL"), { host: "kafka-1.example.com", port: 9094 });
  assertEquals(endpointOf(seven!, "PLAINTEXT"), { host: "old", port: 9092 });
  assertEquals(endpointOf(seven!, "SASL_SSL"), undefined);
  assertEquals(endpointOf(seven!, "toString"), undefined, "only own keys are listeners");
  await m.close();
  await meta.close();
});
