/**
 * The snapshot codec and folder: a snapshot reads back exactly, a damaged, truncated or
 * foreign object is refused with a clear message before anything is used, a newer format
 * version is refused by name, concurrent writers never clobber each other, and pruning keeps
 * the newest snapshots by count and age.
 */
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import {
  CorruptSnapshotError,
  decodeSnapshot,
  encodeSnapshot,
  READABLE_VERSIONS,
  SNAPSHOT_VERSION,
  type SnapshotContent,
} from "./snapshot_format.ts";
import {
  listSnapshots,
  loadSnapshot,
  newSnapshotId,
  pruneSnapshots,
  snapshotsPrefix,
  writeSnapshot,
} from "./snapshot_store.ts";

const b = (s: string) => new TextEncoder().encode(s);

function content(createdMs = 1_700_000_000_000, entries = 3): SnapshotContent {
  return {
    info: {
      id: newSnapshotId(createdMs),
      cluster_id: "cluster-1",
      namespace: "ns",
      revision: 42,
      created_ms: createdMs,
      broker_id: 0,
      kafscale: "test",
    },
    entries: Array.from({ length: entries }, (_, i) => ({
      key: `topics/t${i}`,
      value: b(JSON.stringify({ i, bin: "\u0000\n\u00ff" })),
    })),
    manifests: new Map([["ns/manifests/t/0/1.manifest", {
      topic: "t",
      partition: 0,
      segments: [{
        key: "ns/segments/1.seg",
        base_offset: 0,
        last_offset: 9,
        position: 0,
        size: 100,
        object_chunks: 1,
        batch_count: 2,
        max_timestamp: 5,
        epoch: 1,
        created_ms: 1,
      }],
    }]]),
  };
}

Deno.test("snapshot codec: a snapshot reads back exactly; many keys stream through gzip", async () => {
  const c = content(1_700_000_000_000, 5000);
  const { bytes, sha256 } = await encodeSnapshot(c);
  const back = await decodeSnapshot(c.info.id, bytes, sha256);
  assertEquals(back.info, c.info);
  assertEquals(back.entries, c.entries);
  assertEquals([...back.manifests], [...c.manifests]);
  assert(bytes.byteLength < 5000 * 40, `compressed to ${bytes.byteLength} bytes`);
});

Deno.test("snapshot codec: a damaged, truncated or foreign object is refused before it is used", async () => {
  const c = content();
  const { bytes } = await encodeSnapshot(c);
  const damaged = bytes.slice();
  damaged[bytes.byteLength - 20]! ^= 0x40;
  const e1 = await assertRejects(() => decodeSnapshot("s1", damaged), CorruptSnapshotError);
  assertEquals(
    e1.message,
    "Cannot read metadata snapshot s1: SHA-256 checksum mismatch (the object is damaged)",
  );
  const e2 = await assertRejects(
    () => decodeSnapshot("s2", bytes.subarray(0, bytes.byteLength - 1)),
    CorruptSnapshotError,
  );
  assert(e2.message.includes("truncated"), e2.message);
  const e3 = await assertRejects(() => decodeSnapshot("s3", b("x".repeat(64))));
  assert(e3.message.includes("bad magic"), e3.message);
  const e4 = await assertRejects(() => decodeSnapshot("s4", bytes, "0".repeat(64)));
  assert(e4.message.includes("differs from the one its marker recorded"), e4.message);
});

Deno.test("snapshot codec: versions: this one writes 1, reads 1, and refuses a newer one by name", async () => {
  assertEquals([SNAPSHOT_VERSION, [...READABLE_VERSIONS]], [1, [1]]);
  const { bytes } = await encodeSnapshot(content());
  assertEquals(new DataView(bytes.buffer).getUint16(4), 1);
  const newer = bytes.slice();
  new DataView(newer.buffer).setUint16(4, 2);
  const e = await assertRejects(() => decodeSnapshot("s", newer), CorruptSnapshotError);
  assertEquals(
    e.message,
    "Cannot read metadata snapshot s: format version 2 is not one this kafscale reads (1): " +
      "restore it with a newer kafscale",
  );
});

Deno.test("snapshot folder: concurrent writers commit separate snapshots; an unfinished one is not listed", async () => {
  const objects = new MemoryObjectStore();
  const t = Date.now();
  const [m1, m2] = await Promise.all([
    writeSnapshot(objects, content(t)),
    writeSnapshot(objects, content(t)),
  ]);
  assert(m1.id !== m2.id, "unique ids");
  await objects.put(`${snapshotsPrefix("ns")}${newSnapshotId(t + 5)}.snap`, b("half written"));
  const listing = await listSnapshots(objects, "ns");
  assertEquals(listing.committed.sort(), [m1.id, m2.id].sort());
  assertEquals(listing.uncommitted.length, 1);
  const loaded = await loadSnapshot(objects, "ns", m1.id);
  assertEquals(loaded.marker, m1);
  assertEquals(loaded.content.entries.length, 3);
});

Deno.test("snapshot folder: pruning keeps the newest by count and age, never the newest one, and drops abandoned writes", async () => {
  const objects = new MemoryObjectStore();
  const now = Date.now();
  const hour = 3_600_000;
  const ids = [];
  for (const age of [1, 2, 3, 4, 50, 200]) {
    ids.push((await writeSnapshot(objects, content(now - age * hour))).id);
  }
  const byCount = await pruneSnapshots(objects, "ns", { keep: 3, maxAgeMs: 7 * 24 * hour, now });
  assertEquals(byCount.deleted.sort(), ids.slice(3).sort());
  assertEquals((await listSnapshots(objects, "ns")).committed, ids.slice(0, 3));
  const byAge = await pruneSnapshots(objects, "ns", { keep: 100, maxAgeMs: 1.5 * hour, now });
  assertEquals(byAge.deleted.sort(), ids.slice(1, 3).sort());
  const none = await pruneSnapshots(objects, "ns", { keep: 1, maxAgeMs: 0, now });
  assertEquals(none.deleted, [], "the newest always stays");
  await objects.put(`${snapshotsPrefix("ns")}${newSnapshotId(now)}.snap`, b("abandoned"));
  assertEquals((await pruneSnapshots(objects, "ns", { keep: 1, maxAgeMs: 0, now })).abandoned, 0);
  const later = now + 2 * hour;
  assertEquals(
    (await pruneSnapshots(objects, "ns", { keep: 1, maxAgeMs: 0, now: later })).abandoned,
    1,
  );
  const left = await objects.list(snapshotsPrefix("ns"));
  assertEquals(left.map((o) => o.key.slice(snapshotsPrefix("ns").length)), [
    `${ids[0]}.committed`,
    `${ids[0]}.snap`,
  ]);
});
