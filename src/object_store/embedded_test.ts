import { objectStoreConformance } from "./conformance.ts";
import { MemoryObjectStore } from "./memory.ts";
import { FilesystemObjectStore } from "./filesystem.ts";
import { assertEquals, assertRejects } from "../testing/assert.ts";

objectStoreConformance(
  "memory",
  () => Promise.resolve({ store: new MemoryObjectStore(), cleanup: () => Promise.resolve() }),
);

objectStoreConformance("filesystem", async () => {
  const dir = await Deno.makeTempDir();
  return {
    store: new FilesystemObjectStore(dir),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
});

Deno.test("object store filesystem: keys that escape the root are refused", async () => {
  const dir = await Deno.makeTempDir();
  const s = new FilesystemObjectStore(dir);
  for (const key of ["../x", "a/../../x", "/etc/passwd", "a//b", ""]) {
    await assertRejects(() => s.put(key, new Uint8Array(1)), RangeError);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("object store filesystem: an object deleted while a listing runs is not listed, and the listing succeeds", async () => {
  const dir = await Deno.makeTempDir();
  const s = new FilesystemObjectStore(dir);
  try {
    await s.put("ns/a/1.seg", new Uint8Array(3));
    await s.put("ns/a/3.seg", new Uint8Array(5));
    // A name the directory listing returns but whose stat finds nothing: exactly what a file
    // deleted between readDir and stat looks like (a dangling link, so the test needs no race).
    await Deno.symlink(`${dir}/ns/a/deleted-meanwhile`, `${dir}/ns/a/2.seg`);
    const listed = await s.list("ns/");
    assertEquals(listed.map((o) => [o.key, o.size]), [["ns/a/1.seg", 3], ["ns/a/3.seg", 5]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("object store filesystem: a directory removed behind the store's back is created again", async () => {
  const root = await Deno.makeTempDir({ prefix: "kafscale-fs-" });
  try {
    const store = new FilesystemObjectStore(root);
    await store.put("ns/a/one", new Uint8Array([1]));
    await Deno.remove(`${root}/ns/a`, { recursive: true });
    await store.put("ns/a/two", new Uint8Array([2]));
    assertEquals(await store.get("ns/a/two"), new Uint8Array([2]));
    assertEquals((await store.list("ns/")).map((o) => o.key), ["ns/a/two"]);
    // A fresh write (in place, through the directory handle kept open) likewise.
    await Deno.remove(`${root}/ns/a`, { recursive: true });
    await store.put("ns/a/three", new Uint8Array([3]), { ifNoneMatch: true, fresh: true });
    await store.put("ns/a/four", new Uint8Array([4]), { ifNoneMatch: true, fresh: true });
    assertEquals((await store.list("ns/")).map((o) => o.key), ["ns/a/four", "ns/a/three"]);
    assertEquals(await store.get("ns/a/three"), new Uint8Array([3]));
    await store.close();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("object store filesystem: concurrent PUTs into new directories, fresh and not, then close", async () => {
  const root = await Deno.makeTempDir({ prefix: "kafscale-fs-" });
  try {
    const store = new FilesystemObjectStore(root);
    await store.put("ns/segs/first", new Uint8Array([0]), { ifNoneMatch: true });
    await Promise.all(
      Array.from(
        { length: 16 },
        (_, i) =>
          store.put(`ns/segs/${i}`, new Uint8Array([i]), { ifNoneMatch: true, fresh: true }),
      ),
    );
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.put(`ns/other/${i}`, new Uint8Array([i]))),
    );
    assertEquals((await store.list("ns/segs/")).length, 17);
    assertEquals(await store.get("ns/segs/7"), new Uint8Array([7]));
    await store.close();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
