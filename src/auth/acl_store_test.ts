/**
 * The metadata ACL store: ACLs written through one broker's store are seen by another sharing
 * the metadata store (by its watch), a write is visible to its writer as soon as it resolves
 * even when the watch is slow, a watch that missed events is repaired by the periodic re-read,
 * the same ACL is stored once, and an unreadable record is skipped and reported.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import type { KvEvent, KvWatch, MetadataStore } from "../metadata/types.ts";
import { keys } from "../metadata/records.ts";
import type { AclBinding, AclFilter } from "./acl.ts";
import { MetadataAclStore } from "./acl_store.ts";

const ANY: AclFilter = {
  resourceType: "ANY",
  resourceName: null,
  patternType: "ANY",
  principal: null,
  host: null,
  operation: "ANY",
  permission: "ANY",
};

const READ_ORDERS: AclBinding = {
  resourceType: "TOPIC",
  resourceName: "orders/eu",
  patternType: "LITERAL",
  principal: "User:alice",
  host: "*",
  operation: "READ",
  permission: "ALLOW",
};

/** A metadata store whose watch events can be delayed or dropped. */
class FlakyWatchStore implements MetadataStore {
  delayMs = 0;
  dropping = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  constructor(private readonly inner: MetadataStore) {}
  get = (k: string) => this.inner.get(k);
  getPrefix = (p: string) => this.inner.getPrefix(p);
  getPage: MetadataStore["getPage"] = (p, o) => this.inner.getPage(p, o);
  put = (k: string, v: Uint8Array) => this.inner.put(k, v);
  delete = (k: string) => this.inner.delete(k);
  txn: MetadataStore["txn"] = (t) => this.inner.txn(t);
  readView: MetadataStore["readView"] = () => this.inner.readView();
  watch(prefix: string, onEvent: (e: KvEvent) => void): Promise<KvWatch> {
    return this.inner.watch(prefix, (e) => {
      if (this.dropping) return;
      if (this.delayMs === 0) return onEvent(e);
      const t = setTimeout(() => {
        this.timers.delete(t);
        onEvent(e);
      }, this.delayMs);
      this.timers.add(t);
    });
  }
  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    return Promise.resolve();
  }
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("acl store: an ACL created through one store is seen by another, and deleted likewise", async () => {
  const meta = new MemoryMetadataStore();
  const a = new MetadataAclStore(meta, { resyncMs: 0 });
  const b = new MetadataAclStore(meta, { resyncMs: 0 });
  await a.start();
  await b.start();
  try {
    assertEquals(await a.create(READ_ORDERS), true);
    assertEquals(await a.create(READ_ORDERS), false, "the same ACL is stored once");
    await until("b sees the ACL", () => b.list(ANY).length === 1);
    assertEquals(b.list(ANY), [READ_ORDERS]);
    assertEquals(b.index().matching({ type: "TOPIC", name: "orders/eu" }), [READ_ORDERS]);
    assertEquals((await meta.getPrefix(keys.aclsPrefix())).length, 1);
    const deny = { ...READ_ORDERS, permission: "DENY" as const };
    await b.create(deny);
    assertEquals(await a.delete({ ...ANY, permission: "DENY" }), [deny]);
    await until("b sees the delete", () => b.list(ANY).length === 1);
    assertEquals(await b.delete(ANY), [READ_ORDERS]);
    assertEquals(a.list(ANY), []);
    assertEquals(await a.delete(ANY), [], "nothing left to delete");
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("acl store: a write resolves only once its own mirror shows it, even with a slow watch", async () => {
  const flaky = new FlakyWatchStore(new MemoryMetadataStore());
  flaky.delayMs = 100;
  const store = new MetadataAclStore(flaky, { resyncMs: 0 });
  await store.start();
  try {
    await store.create(READ_ORDERS);
    assertEquals(store.list(ANY), [READ_ORDERS]);
    await store.delete(ANY);
    assertEquals(store.list(ANY), []);
  } finally {
    await store.close();
    await flaky.close();
  }
});

Deno.test("acl store: the periodic re-read repairs a watch that missed events", async () => {
  const meta = new MemoryMetadataStore();
  const flaky = new FlakyWatchStore(meta);
  const reader = new MetadataAclStore(flaky, { resyncMs: 50 });
  const writer = new MetadataAclStore(meta, { resyncMs: 0 });
  await reader.start();
  await writer.start();
  try {
    flaky.dropping = true;
    await writer.create(READ_ORDERS);
    await until("the re-read", () => reader.list(ANY).length === 1);
    await writer.delete(ANY);
    await until("the re-read of the delete", () => reader.list(ANY).length === 0);
  } finally {
    await reader.close();
    await writer.close();
  }
});

Deno.test("acl store: an unreadable record is skipped and reported", async () => {
  const meta = new MemoryMetadataStore();
  await meta.put("acls/TOPIC/LITERAL/x/bad", new TextEncoder().encode("{not json"));
  const errors: string[] = [];
  const store = new MetadataAclStore(meta, {
    resyncMs: 0,
    onError: (what) => errors.push(what),
  });
  await store.start();
  try {
    assertEquals(store.list(ANY), []);
    assert(errors[0]?.includes("Cannot read an ACL record"), String(errors));
    await store.create(READ_ORDERS);
    assertEquals(store.list(ANY), [READ_ORDERS]);
  } finally {
    await store.close();
  }
});
