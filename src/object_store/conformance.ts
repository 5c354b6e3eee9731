/**
 * The object store conformance suite: every adapter registers these cases with its own
 * factory (DESIGN.md house rule 4).
 * @module
 */
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { ObjectExistsError, type ObjectStore } from "./types.ts";

/** How a test gets a fresh store and cleans up after it. */
export type StoreFactory = () => Promise<{ store: ObjectStore; cleanup(): Promise<void> }>;

const bytes = (s: string) => new TextEncoder().encode(s);

/** Registers the suite for one adapter; `ignore` (with a reason) skips it where unavailable. */
export function objectStoreConformance(
  name: string,
  make: StoreFactory,
  ignore?: string,
  options: { atomicIfNoneMatch?: boolean } = {},
): void {
  const test = (what: string, fn: (s: ObjectStore) => Promise<void>, skip?: string) =>
    Deno.test({
      name: `object store ${name}: ${what}${skip ? ` (skipped: ${skip})` : ""}`,
      ignore: ignore !== undefined || skip !== undefined,
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

  test("put then get returns the same bytes; missing keys read null", async (s) => {
    await s.put("a/b/one", bytes("hello"));
    assertEquals(await s.get("a/b/one"), bytes("hello"));
    assertEquals(await s.get("a/b/missing"), null);
  });
  test("ranged get returns the range, clamped to the object", async (s) => {
    await s.put("r/x", bytes("0123456789"));
    assertEquals(await s.get("r/x", { start: 2, end: 5 }), bytes("234"));
    assertEquals(await s.get("r/x", { start: 8, end: 100 }), bytes("89"));
  });
  test("ifNoneMatch refuses an existing key", async (s) => {
    await s.put("c/k", bytes("first"), { ifNoneMatch: true });
    await assertRejects(
      () => s.put("c/k", bytes("second"), { ifNoneMatch: true }),
      ObjectExistsError,
    );
    assertEquals(await s.get("c/k"), bytes("first"));
  });
  test("a fresh write reads back, lists, and refuses an existing key", async (s) => {
    await s.put("f/first", bytes("x"), { ifNoneMatch: true }); // the directory exists
    const big = new Uint8Array(300_000).map((_, i) => i % 251);
    await s.put("f/k", big, { ifNoneMatch: true, fresh: true });
    assertEquals(await s.get("f/k"), big);
    assertEquals((await s.list("f/")).map((o) => [o.key, o.size]), [["f/first", 1], [
      "f/k",
      300_000,
    ]]);
    await assertRejects(
      () => s.put("f/k", bytes("second"), { ifNoneMatch: true, fresh: true }),
      ObjectExistsError,
    );
    assertEquals(await s.get("f/k"), big);
    await s.put("f2/new-dir", bytes("y"), { ifNoneMatch: true, fresh: true });
    assertEquals(await s.get("f2/new-dir"), bytes("y"));
  });
  test(
    "concurrent ifNoneMatch writers: exactly one wins",
    async (s) => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => s.put("race/k", bytes(`w${i}`), { ifNoneMatch: true })),
      );
      assertEquals(results.filter((r) => r.status === "fulfilled").length, 1);
      for (const r of results) {
        if (r.status === "rejected") {
          assert(r.reason instanceof ObjectExistsError, String(r.reason));
        }
      }
    },
    options.atomicIfNoneMatch === false
      ? "this backend's conditional writes are check-then-put, not atomic"
      : undefined,
  );
  test("list by prefix is sorted and carries sizes and write times", async (s) => {
    // Second granularity (S3's Last-Modified) and some clock skew between us and the server.
    const before = Date.now() - 60_000;
    await s.put("l/b", bytes("22"));
    await s.put("l/a", bytes("1"));
    await s.put("l/c/d", bytes("333"));
    await s.put("other/x", bytes("x"));
    const listed = await s.list("l/");
    for (const o of listed) {
      assert(o.lastModified > before && o.lastModified < Date.now() + 60_000, `${o.lastModified}`);
    }
    assertEquals(listed.map(({ key, size }) => ({ key, size })), [
      { key: "l/a", size: 1 },
      { key: "l/b", size: 2 },
      { key: "l/c/d", size: 3 },
    ]);
    assertEquals((await s.list("l/c")).map((o) => o.key), ["l/c/d"]);
  });
  test("delete is idempotent", async (s) => {
    await s.put("d/k", bytes("x"));
    await s.delete("d/k");
    await s.delete("d/k");
    assertEquals(await s.get("d/k"), null);
  });
  test("an 8 MiB binary object round-trips", async (s) => {
    const big = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 7919) & 0xff);
    await s.put("big/one", big);
    assertEquals(await s.get("big/one"), big);
  });
}
