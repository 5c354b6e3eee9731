/**
 * The metadata store conformance suite: every adapter registers these cases with its own
 * factory (DESIGN.md house rule 4).
 * @module
 */
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { type KvEvent, METADATA_LIMITS, MetadataLimitError, type MetadataStore } from "./types.ts";

/** How a test gets a fresh store and cleans up after it. */
export type MetaFactory = () => Promise<{ store: MetadataStore; cleanup(): Promise<void> }>;

const b = (s: string) => new TextEncoder().encode(s);
const s = (x: Uint8Array | undefined) => (x ? new TextDecoder().decode(x) : undefined);

/** Registers the suite for one adapter; `ignore` (a reason) skips it where unavailable. */
export function metadataConformance(name: string, make: MetaFactory, ignore?: string): void {
  const test = (what: string, fn: (m: MetadataStore) => Promise<void>) =>
    Deno.test({
      name: `metadata ${name}: ${what}`,
      ignore: ignore !== undefined,
      async fn() {
        const { store, cleanup } = await make();
        try {
          await fn(store);
        } finally {
          await store.close();
          await cleanup();
        }
      },
    });

  test("put, get, delete; revisions grow", async (m) => {
    const r1 = await m.put("k/a", b("1"));
    const r2 = await m.put("k/a", b("2"));
    assert(r2 > r1, `revision ${r2} after ${r1}`);
    const e = await m.get("k/a");
    assertEquals(s(e?.value), "2");
    assertEquals(e?.modRevision, r2);
    assertEquals(e?.createRevision, r1);
    await m.delete("k/a");
    assertEquals(await m.get("k/a"), null);
  });
  test("getPrefix is sorted and bounded by the prefix", async (m) => {
    await m.put("p/b", b("b"));
    await m.put("p/a", b("a"));
    await m.put("q/a", b("x"));
    assertEquals((await m.getPrefix("p/")).map((e) => e.key), ["p/a", "p/b"]);
  });
  test("getPage reads a prefix in pages; getPrefix reads them all", async (m) => {
    const names = Array.from({ length: 25 }, (_, i) => `pg/${String(i).padStart(2, "0")}`);
    await Promise.all(names.map((k) => m.put(k, b(k))));
    await m.put("pg0", b("outside"));
    const first = await m.getPage("pg/", { limit: 10 });
    assertEquals(first.entries.map((e) => e.key), names.slice(0, 10));
    assert(first.more);
    const last = await m.getPage("pg/", { after: names[19], limit: 10 });
    assertEquals(last.entries.map((e) => e.key), names.slice(20));
    assert(!last.more);
    assertEquals((await m.getPrefix("pg/")).map((e) => e.key), names);
  });
  test("limits: a transaction of more than 128 operations is refused, nothing applied", async (m) => {
    const puts = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => ({ type: "put" as const, key: `ops/${i}`, value: b("x") }),
      );
    const most = METADATA_LIMITS.maxTxnOps;
    const ok = await m.txn({ compares: [], success: puts(most) });
    assert(ok.succeeded);
    const compares = Array.from(
      { length: most },
      (_, i) => ({ key: `ops/${i}`, modRevision: ok.revision }),
    );
    assert((await m.txn({ compares, success: [{ type: "delete", key: "ops/0" }] })).succeeded);
    await assertRejects(
      () =>
        m.txn({
          compares: [],
          success: [...puts(most), { type: "put", key: "ops/x", value: b("y") }],
        }),
      MetadataLimitError,
    );
    assertEquals(await m.get("ops/x"), null);
  });
  test("limits: a request over 1.5 MiB is refused, nothing applied", async (m) => {
    const big = new Uint8Array(METADATA_LIMITS.maxRequestBytes + 1);
    await assertRejects(() => m.put("big/a", big), MetadataLimitError);
    const half = new Uint8Array(METADATA_LIMITS.maxRequestBytes / 2 + 1);
    await assertRejects(
      () =>
        m.txn({
          compares: [],
          success: [{ type: "put", key: "big/b", value: half }, {
            type: "put",
            key: "big/c",
            value: half,
          }],
        }),
      MetadataLimitError,
    );
    assertEquals(await m.getPrefix("big/"), []);
  });
  test("limits: a page over the 4 MiB receive limit is refused; getPrefix still reads all", async (m) => {
    const mib = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 5; i++) await m.put(`huge/${i}`, mib);
    await assertRejects(() => m.getPage("huge/", { limit: 10 }), MetadataLimitError);
    assertEquals(
      (await m.getPrefix("huge/")).map((e) => e.key),
      [0, 1, 2, 3, 4].map((i) => `huge/${i}`),
    );
  });
  test("readView: every page sees the keys as they were when it opened", async (m) => {
    const names = Array.from({ length: 12 }, (_, i) => `rv/${String(i).padStart(2, "0")}`);
    for (const k of names) await m.put(k, b(`old ${k}`));
    await m.put("rw/outside", b("x"));
    const view = await m.readView();
    try {
      // Writes after the view opened: a change, a delete, a new key inside the range.
      await m.put("rv/03", b("new"));
      await m.delete("rv/07");
      await m.put("rv/05a", b("added"));
      const seen: [string, string | undefined][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await view.getPage("rv/", { after, limit: 5 });
        seen.push(...page.entries.map((e) => [e.key, s(e.value)] as [string, string | undefined]));
        after = page.entries.at(-1)?.key;
        if (!page.more) break;
      }
      assertEquals(seen, names.map((k) => [k, `old ${k}`]));
      const whole = await view.getPage("", { limit: 1000 });
      assertEquals(whole.entries.map((e) => e.key), [...names, "rw/outside"]);
      assert(view.revision >= (await m.get("rv/11"))!.modRevision, "view revision");
      assert(view.revision < (await m.get("rv/03"))!.modRevision, "view revision before writes");
    } finally {
      await view.close();
    }
    assertEquals(s((await m.get("rv/03"))?.value), "new");
  });
  test("txn: create-if-absent with modRevision 0, then conflict", async (m) => {
    const ok = await m.txn({
      compares: [{ key: "t/x", modRevision: 0 }],
      success: [{ type: "put", key: "t/x", value: b("1") }],
    });
    assert(ok.succeeded);
    const again = await m.txn({
      compares: [{ key: "t/x", modRevision: 0 }],
      success: [{ type: "put", key: "t/x", value: b("2") }],
    });
    assert(!again.succeeded);
    assertEquals(s((await m.get("t/x"))?.value), "1");
  });
  test("txn: the revision it returns is the written keys' modRevision", async (m) => {
    const r = await m.txn({ compares: [], success: [{ type: "put", key: "t/y", value: b("1") }] });
    assertEquals((await m.get("t/y"))?.modRevision, r.revision);
  });
  test("txn: value compare, failure branch, deletePrefix", async (m) => {
    await m.put("v/a", b("same"));
    await m.put("v/b", b("x"));
    const r = await m.txn({
      compares: [{ key: "v/a", value: b("other") }],
      success: [{ type: "put", key: "v/ok", value: b("1") }],
      failure: [{ type: "deletePrefix", prefix: "v/" }],
    });
    assert(!r.succeeded);
    assertEquals(await m.getPrefix("v/"), []);
  });
  test("concurrent compare-and-set on one key: exactly one wins", async (m) => {
    await m.put("cas/k", b("0"));
    const rev = (await m.get("cas/k"))!.modRevision;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        m.txn({
          compares: [{ key: "cas/k", modRevision: rev }],
          success: [{ type: "put", key: "cas/k", value: b(String(i)) }],
        })),
    );
    assertEquals(results.filter((r) => r.succeeded).length, 1);
  });
  test("watch sees puts and deletes in order, and nothing after close", async (m) => {
    const seen: KvEvent[] = [];
    const w = await m.watch("w/", (e) => seen.push(e));
    await m.put("w/a", b("1"));
    await m.put("other", b("x"));
    await m.delete("w/a");
    for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await w.close();
    await m.put("w/b", b("2"));
    await new Promise((r) => setTimeout(r, 50));
    assertEquals(seen.map((e) => [e.type, e.key]), [["put", "w/a"], ["delete", "w/a"]]);
  });
}
