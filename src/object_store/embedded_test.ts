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
