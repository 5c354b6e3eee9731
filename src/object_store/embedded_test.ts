import { objectStoreConformance } from "./conformance.ts";
import { MemoryObjectStore } from "./memory.ts";
import { FilesystemObjectStore } from "./filesystem.ts";
import { assertRejects } from "../testing/assert.ts";

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
