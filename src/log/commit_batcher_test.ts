import { assertEquals, assertRejects } from "../testing/assert.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import type { KvTxn, KvTxnResult } from "../metadata/types.ts";
import { CommitBatcher } from "./commit_batcher.ts";

class CountingMeta extends MemoryMetadataStore {
  txns = 0;
  failNext = false;
  override txn(txn: KvTxn): Promise<KvTxnResult> {
    this.txns++;
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error("etcd is down"));
    }
    return super.txn(txn);
  }
}

const bytes = (s: string) => new TextEncoder().encode(s);
/** A partition commit: put its record (fenced by its revision) and a segment key. */
const commit = (p: number, revision: number): KvTxn => ({
  compares: [{ key: `partitions/t/${p}`, modRevision: revision }],
  success: [
    { type: "put", key: `partitions/t/${p}`, value: bytes(`end-${p}`) },
    { type: "put", key: `segments/t/${p}/0`, value: bytes("ref") },
  ],
});

Deno.test("commit batcher: concurrent partition commits share one transaction", async () => {
  const meta = new CountingMeta();
  const b = new CommitBatcher(meta);
  const results = await Promise.all([0, 1, 2].map((p) => b.commit(commit(p, 0))));
  assertEquals(meta.txns, 1);
  assertEquals(results.map((r) => r.succeeded), [true, true, true]);
  assertEquals(new Set(results.map((r) => r.revision)).size, 1);
  for (const p of [0, 1, 2]) {
    assertEquals((await meta.get(`partitions/t/${p}`))!.modRevision, results[0]!.revision);
  }
});

Deno.test("commit batcher: a fenced partition fails alone; the others commit", async () => {
  const meta = new CountingMeta();
  await meta.put("partitions/t/1", bytes("taken by another broker"));
  meta.txns = 0;
  const b = new CommitBatcher(meta);
  const results = await Promise.all([0, 1, 2].map((p) => b.commit(commit(p, 0))));
  assertEquals(results.map((r) => r.succeeded), [true, false, true]);
  assertEquals(meta.txns, 4, "the combined one, then each alone");
  assertEquals(
    new TextDecoder().decode((await meta.get("partitions/t/1"))!.value),
    "taken by another broker",
  );
  assertEquals(await meta.get("segments/t/1/0"), null);
});

Deno.test("commit batcher: a store error fails every commit of the group", async () => {
  const meta = new CountingMeta();
  meta.failNext = true;
  const b = new CommitBatcher(meta);
  const pending = [0, 1].map((p) => b.commit(commit(p, 0)));
  for (const p of pending) await assertRejects(() => p, Error, "etcd is down");
  assertEquals(await meta.get("partitions/t/0"), null);
});

Deno.test("commit batcher: groups stay under the operation limit and never share a key", async () => {
  const meta = new CountingMeta();
  // A commit is 1 compare and 2 operations; etcd limits each list alone: 4 ops, two per txn.
  const b = new CommitBatcher(meta, { maxOps: 4 });
  const sizes: number[] = [];
  const counted = new CommitBatcher(meta, { maxOps: 4, onSend: (n) => sizes.push(n) });
  await Promise.all([0, 1, 2].map((p) => counted.commit(commit(p, 0))));
  assertEquals(sizes, [2, 1]);
  sizes.length = 0;
  const sameKey = await Promise.all([
    counted.commit(commit(5, 0)),
    counted.commit({
      compares: [],
      success: [{ type: "put", key: "segments/t/5/0", value: bytes("x") }],
    }),
  ]);
  assertEquals(sizes, [1, 1]);
  assertEquals(sameKey.map((r) => r.succeeded), [true, true]);
  await b.commit(commit(9, 0)); // a lone commit goes straight through
});

Deno.test("commit batcher: groups stay under the byte limit (big producer tables go alone)", async () => {
  const meta = new CountingMeta();
  const sizes: number[] = [];
  const b = new CommitBatcher(meta, { maxBytes: 1000, onSend: (n) => sizes.push(n) });
  const big = (p: number): KvTxn => ({
    compares: [],
    success: [{ type: "put", key: `partitions/t/${p}`, value: new Uint8Array(600) }],
  });
  const results = await Promise.all([0, 1, 2].map((p) => b.commit(big(p))));
  assertEquals(sizes, [1, 1, 1], "600 B each: no two fit under 1000 B");
  assertEquals(results.map((r) => r.succeeded), [true, true, true]);
});
