import { metadataConformance } from "./conformance.ts";
import { MemoryMetadataStore } from "./memory.ts";
import { FileMetadataStore } from "./file.ts";
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";

metadataConformance(
  "memory",
  () => Promise.resolve({ store: new MemoryMetadataStore(), cleanup: () => Promise.resolve() }),
);

metadataConformance("file", async () => {
  const dir = await Deno.makeTempDir();
  return {
    store: await FileMetadataStore.open(dir),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
});

const b = (s: string) => new TextEncoder().encode(s);

Deno.test("metadata file: reopening sees every acknowledged change", async () => {
  const dir = await Deno.makeTempDir();
  const m = await FileMetadataStore.open(dir);
  await Promise.all(Array.from({ length: 100 }, (_, i) => m.put(`k/${i}`, b(String(i)))));
  await m.delete("k/5");
  const rev = (await m.get("k/7"))!.modRevision;
  await m.close();
  const again = await FileMetadataStore.open(dir);
  assertEquals((await again.getPrefix("k/")).length, 99);
  assertEquals((await again.get("k/7"))!.modRevision, rev);
  await again.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("metadata file: a torn last log record is discarded, earlier ones kept", async () => {
  const dir = await Deno.makeTempDir();
  const m = await FileMetadataStore.open(dir);
  await m.put("a", b("1"));
  await m.put("b", b("2"));
  await m.close();
  const wal = await Deno.readFile(`${dir}/wal.log`);
  await Deno.writeFile(`${dir}/wal.log`, wal.subarray(0, wal.byteLength - 3));
  const again = await FileMetadataStore.open(dir);
  assertEquals(new TextDecoder().decode((await again.get("a"))!.value), "1");
  assertEquals(await again.get("b"), null);
  await again.put("c", b("3")); // appends after the cut, readable on the next open
  await again.close();
  const third = await FileMetadataStore.open(dir);
  assert(await third.get("c"));
  await third.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("metadata file: compaction into a snapshot keeps every key", async () => {
  const dir = await Deno.makeTempDir();
  const m = await FileMetadataStore.open(dir, { compactBytes: 2000 });
  for (let i = 0; i < 200; i++) await m.put(`s/${i % 50}`, b(`v${i}`));
  await new Promise((r) => setTimeout(r, 50));
  await m.close();
  const snap = await Deno.stat(`${dir}/snapshot.json`);
  assert(snap.size > 0);
  const again = await FileMetadataStore.open(dir);
  assertEquals((await again.getPrefix("s/")).length, 50);
  assertEquals(new TextDecoder().decode((await again.get("s/49"))!.value), "v199");
  await again.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "metadata file: a directory locked by another process is refused with a clear message",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir();
    await Deno.writeTextFile(`${dir}/LOCK`, "");
    const holder = new Deno.Command("flock", { args: ["-o", `${dir}/LOCK`, "sleep", "5"] }).spawn();
    await new Promise((r) => setTimeout(r, 300));
    await assertRejects(
      () => FileMetadataStore.open(dir),
      Error,
      "another broker process holds its lock",
    );
    holder.kill("SIGKILL");
    await holder.status;
    await new Promise((r) => setTimeout(r, 300)); // our abandoned lock attempt completes and releases
    const m = await FileMetadataStore.open(dir); // and the lock is free again
    await m.close();
    await Deno.remove(dir, { recursive: true });
  },
});
