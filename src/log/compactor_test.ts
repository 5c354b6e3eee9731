/**
 * Compaction passes on memory stores: the latest record per key stays at its offset, the
 * active part is untouched, tombstones stay until their delete horizon, keyless records go,
 * a small key map takes several passes to the same result, batches of every codec are
 * rewritten and undecodable ones kept whole, committed transactions compact like other records while aborted
 * ones go and hide nothing, a pass stops at an open transaction, and any sequence of keyed
 * records and tombstones reads back, from every offset, with the same latest value per key as
 * before compaction (a property test).
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { buildRecordBatch, decodeRecords } from "../protocol/records/builder.ts";
import { compress, decompress } from "../protocol/records/compression.ts";
import { RecordBatchView, splitBatches, updateCrc } from "../protocol/records/record_batch.ts";
import { deps, incomingBatch, txnBatch, txnMarker } from "./_testing.ts";
import { type IncomingBatch, PartitionLog } from "./partition_log.ts";
import { type CompactionPlan, prepareCompaction } from "./compactor.ts";
import { KeyMap, SLOT_BYTES } from "./key_map.ts";
import type { CompactionSettings } from "./compaction_policy.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A record to write: a key (null: none) and a value (null: a tombstone). */
type Rec = [key: string | null, value: string | null];

const SETTINGS: CompactionSettings = {
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  deleteRetentionMs: 60_000,
  segmentMs: 1000,
  segmentBytes: 1 << 20,
};

/** A partition on memory stores with a clock the test moves. */
async function partition() {
  const objects = new MemoryObjectStore();
  const meta = new MemoryMetadataStore();
  const clock = { now: 1_700_000_000_000 };
  const now = () => clock.now;
  const log = await PartitionLog.open("t", "id", 0, deps(objects, meta, { now }));
  /** Appends records as one batch per record, in one flush (one segment). */
  const write = async (recs: Rec[], codec = 0, undecodable = false) => {
    const acks = recs.map(([k, v]) => {
      let bytes = buildRecordBatch([{
        key: k === null ? null : enc.encode(k),
        value: v === null ? null : enc.encode(v),
      }], {
        baseTimestamp: clock.now,
      });
      if (codec !== 0) bytes = withCodec(bytes, codec, undecodable);
      return log.append([incomingBatch(bytes)]).durable;
    });
    await log.flush();
    await Promise.all(acks);
    clock.now += 10;
  };
  /** Appends batches in one flush (one segment). */
  const put = async (...batches: IncomingBatch[]) => {
    const r = log.append(batches);
    await log.flush();
    await r.durable;
    clock.now += 10;
  };
  const compact = (
    o: { settings?: Partial<CompactionSettings>; mapBytes?: number; force?: boolean } = {},
  ): Promise<CompactionPlan | null> =>
    // Passes compact the manifest: roll the tail keys in first (no merging: 64-byte target).
    log.roll(64, 1).then(() =>
      log.replaceSegments("compact", (view) =>
        prepareCompaction(view, {
          settings: { ...SETTINGS, ...o.settings },
          map: new KeyMap(o.mapBytes ?? 1 << 20),
          objects,
          namespace: "ns",
          throttle: () => Promise.resolve(),
          now,
          force: o.force ?? true,
        }))
    );
  return { log, objects, meta, clock, write, put, compact };
}

/** Every record the log returns from `from`: offset, key, value (null for tombstones). */
async function readAll(
  log: PartitionLog,
  from = 0,
): Promise<[number, string | null, string | null][]> {
  const out: [number, string | null, string | null][] = [];
  let next = from;
  while (next < log.highWatermark) {
    const r = await log.read(next, 1 << 20);
    if (!r.records) break;
    let last = next;
    for (const b of splitBatches(r.records, { verifyCrc: true })) {
      last = Math.max(last, b.lastOffset + 1);
      if (b.isControl) continue;
      const plain = b.compression === 0 ? b : uncompressed(b);
      for (const rec of decodeRecords(plain)) {
        if (rec.offset < next) continue;
        out.push([rec.offset, rec.key && dec.decode(rec.key), rec.value && dec.decode(rec.value)]);
      }
    }
    next = last;
  }
  return out;
}

/**
 * `batch` with its records section compressed by `codec`; `undecodable`: labelled `codec` but
 * holding bytes that do not decompress (with a valid CRC, as a client's own bug would give).
 */
function withCodec(batch: Uint8Array, codec: number, undecodable = false): Uint8Array {
  const body = undecodable ? batch.subarray(61) : compress(codec, batch.subarray(61));
  const out = new Uint8Array(61 + body.byteLength);
  out.set(batch.subarray(0, 61));
  out.set(body, 61);
  new DataView(out.buffer).setInt32(8, out.byteLength - 12);
  new DataView(out.buffer).setInt16(21, (new RecordBatchView(batch).attributes & ~7) | codec);
  updateCrc(out);
  return out;
}

/** A compressed batch as an uncompressed one (an undecodable one is only labelled). */
function uncompressed(view: RecordBatchView): RecordBatchView {
  let body: Uint8Array;
  try {
    body = decompress(view.compression, view.records)!;
  } catch {
    body = view.records;
  }
  const out = new Uint8Array(61 + body.byteLength);
  out.set(view.bytes.subarray(0, 61));
  out.set(body, 61);
  new DataView(out.buffer).setInt16(21, view.attributes & ~7);
  return new RecordBatchView(out);
}

/** What a reader folding records from `from` ends with: key -> value, tombstones delete. */
function fold(records: [number, string | null, string | null][]): Map<string, string> {
  const m = new Map<string, string>();
  for (const [, k, v] of records) {
    if (k === null) continue;
    if (v === null) m.delete(k);
    else m.set(k, v);
  }
  return m;
}

Deno.test("compaction: the latest record of each key stays at its offset; the active part is untouched", async () => {
  const p = await partition();
  await p.write([["a", "1"], ["b", "1"], ["a", "2"]]);
  await p.write([["c", "1"], ["b", "2"]]);
  p.clock.now += 5000; // the segments above are older than segment.ms
  await p.write([["a", "3"], ["b", "3"]]); // the newest segment: active
  const plan = await p.compact();
  assert(plan);
  // a=2 stays: the record that supersedes it is in the active part, which is not mapped.
  assertEquals(plan.stats.removed.superseded, 2);
  assertEquals(await readAll(p.log), [
    [2, "a", "2"],
    [3, "c", "1"],
    [4, "b", "2"],
    [5, "a", "3"],
    [6, "b", "3"],
  ]);
  assertEquals(plan.compaction!.cleaned_offset, 5);
  // Reads from an offset in a gap start at the next record.
  assertEquals((await readAll(p.log, 1))[0], [2, "a", "2"]);
  assertEquals(p.log.highWatermark, 7);
  // The compacted segments replaced the old ones in one manifest.
  const state = await p.meta.get("partitions/t/0");
  assert(JSON.parse(dec.decode(state!.value)).compaction.cleaned_offset === 5);
});

Deno.test("compaction: tombstones stay until delete.retention.ms after the first pass kept them", async () => {
  const p = await partition();
  await p.write([["a", "1"], ["b", "1"]]);
  await p.write([["a", null], ["c", "1"]]);
  await p.write([["d", "1"]]);
  p.clock.now += 5000;
  const first = await p.compact();
  assertEquals(first!.stats.removed.superseded, 1);
  assertEquals(await readAll(p.log), [[1, "b", "1"], [2, "a", null], [3, "c", "1"], [4, "d", "1"]]);
  const due = first!.compaction!.tombstones_due_ms!;
  assertEquals(due, p.clock.now + SETTINGS.deleteRetentionMs);
  // Not due yet: a pass that is not forced does nothing; after the horizon it removes it.
  assertEquals(await p.compact({ force: false }), null);
  p.clock.now = due;
  const second = await p.compact({ force: false });
  assertEquals(second!.stats.reason, "tombstones");
  assertEquals(second!.stats.removed.tombstones, 1);
  assertEquals(second!.compaction!.tombstones_due_ms, null);
  assertEquals(await readAll(p.log), [[1, "b", "1"], [3, "c", "1"], [4, "d", "1"]]);
});

Deno.test("compaction: keyless records in the cleanable part go; every codec is rewritten, undecodable batches kept whole", async () => {
  const p = await partition();
  await p.write([["a", "1"], [null, "x"], ["b", "1"], ["c", "1"]], 1); // gzip
  await p.write([["a", "2"], ["d", "1"]], 2); // snappy
  await p.write([["b", "2"], ["d", "2"]], 3); // lz4
  await p.write([["c", "2"]], 3, true); // labelled lz4, not lz4: never opened, never mapped
  await p.write([["z", "1"]], 4); // zstd
  await p.write([["y", "1"]]);
  p.clock.now += 5000;
  const plan = await p.compact();
  assertEquals(plan!.stats.removed, { superseded: 3, tombstones: 0, keyless: 1, aborted: 0 });
  assertEquals(plan!.stats.unreadableBatches, 1);
  // c=1 stays: the record that supersedes it cannot be read (nothing is lost).
  assertEquals(await readAll(p.log), [
    [3, "c", "1"],
    [4, "a", "2"],
    [6, "b", "2"],
    [7, "d", "2"],
    [8, "c", "2"],
    [9, "z", "1"],
    [10, "y", "1"],
  ]);
});

/** A transactional batch of `recs` by producer `pid` (epoch 0, sequence from `seq`). */
const txn = (pid: number, seq: number, recs: Rec[]) =>
  txnBatch(
    pid,
    seq,
    recs.map(([k, v]) => ({
      key: k === null ? null : enc.encode(k),
      value: v === null ? null : enc.encode(v),
    })),
  );

Deno.test("compaction: committed transactions compact like other records, aborted ones go and hide nothing, an open one ends the pass", async () => {
  const p = await partition();
  await p.write([["a", "1"], ["b", "1"]]); // 0-1
  await p.put(txn(1, 0, [["a", "2"], ["c", "1"], ["c", "2"]])); // 2-4, committed below
  await p.put(txn(2, 0, [["b", "2"], ["d", "1"]])); // 5-6, aborted below
  await p.put(txnMarker(1, true), txnMarker(2, false)); // 7-8
  await p.put(txn(3, 0, [["a", "3"]])); // 9: open, so the last stable offset is 9
  await p.write([["c", "3"]]); // 10
  p.clock.now += 5000;
  await p.write([["z", "1"]]); // 11: active
  const first = await p.compact();
  // Mapped below the last stable offset only: a -> 2, b -> 1 (the aborted b=2 hides nothing),
  // c -> 4; the aborted transaction's two records go.
  assertEquals(first!.stats.removed, { superseded: 2, tombstones: 0, keyless: 0, aborted: 2 });
  assertEquals(first!.compaction!.cleaned_offset, 9);
  assertEquals(await readAll(p.log), [
    [1, "b", "1"],
    [2, "a", "2"],
    [4, "c", "2"],
    [9, "a", "3"],
    [10, "c", "3"],
    [11, "z", "1"],
  ]);
  const committed = await p.log.read(0, 1 << 20, true);
  const batches = splitBatches(committed.records!);
  // The rebuilt batch of the committed transaction is still that producer's transactional one.
  const rebuilt = batches.find((b) => b.baseOffset === 2)!;
  assertEquals([rebuilt.isTransactional, rebuilt.producerId, rebuilt.lastOffset], [true, 1, 4]);
  // The markers stay, with the aborted index read_committed readers get; they stop at offset 9.
  assertEquals(batches.filter((b) => b.isControl).map((b) => b.baseOffset), [7, 8]);
  assertEquals(committed.abortedTransactions, [{ producerId: 2, firstOffset: 5 }]);
  assertEquals(batches.at(-1)!.lastOffset, 8);

  // Once producer 3 commits, its record is mapped and supersedes the committed a=2.
  await p.put(txnMarker(3, true)); // 12
  p.clock.now += 5000;
  await p.write([["y", "1"]]); // 13: active
  const second = await p.compact();
  assertEquals(second!.stats.removed, { superseded: 2, tombstones: 0, keyless: 0, aborted: 0 });
  assertEquals(await readAll(p.log), [
    [1, "b", "1"],
    [9, "a", "3"],
    [10, "c", "3"],
    [11, "z", "1"],
    [13, "y", "1"],
  ]);
});

Deno.test("compaction: everything removed leaves one empty batch covering the range", async () => {
  const p = await partition();
  await p.write([["a", "1"], ["a", null]]);
  p.clock.now += 5000;
  await p.compact();
  p.clock.now += SETTINGS.deleteRetentionMs;
  await p.write([["z", "1"]]); // active
  await p.compact();
  assertEquals(await readAll(p.log), [[2, "z", "1"]]);
  const first = splitBatches((await p.log.read(0, 1 << 20)).records!);
  assertEquals([first[0]!.baseOffset, first[0]!.lastOffset, first[0]!.recordCount], [1, 1, 0]);
});

Deno.test("compaction: a key map too small for the dirty keys takes several passes to the same log", async () => {
  const big = await partition();
  const small = await partition();
  for (let s = 0; s < 10; s++) {
    const recs: Rec[] = Array.from(
      { length: 20 },
      (_, i) => [`k${(s * 7 + i) % 60}`, `v${s}-${i}`],
    );
    await big.write(recs);
    await small.write(recs);
  }
  big.clock.now += 5000;
  small.clock.now += 5000;
  await big.compact();
  let passes = 0;
  for (;;) {
    const plan = await small.compact({ mapBytes: 16 * SLOT_BYTES, force: false });
    if (!plan) break;
    passes++;
    assert(passes < 50, "passes make progress");
  }
  assert(passes > 3, `${passes} passes`);
  assertEquals(await readAll(small.log), await readAll(big.log));
});

Deno.test("compaction: a retention cut during a pass voids it; the log stays readable", async () => {
  const p = await partition();
  await p.write([["a", "1"], ["a", "2"]]);
  await p.write([["b", "1"]]);
  await p.write([["c", "1"]]);
  p.clock.now += 5000;
  const before = await readAll(p.log);
  await p.log.roll(64, 1);
  const plan = await p.log.replaceSegments("compact", async (view) => {
    const prepared = await prepareCompaction(view, {
      settings: SETTINGS,
      map: new KeyMap(1 << 16),
      objects: p.objects,
      namespace: "ns",
      throttle: () => Promise.resolve(),
      now: () => p.clock.now,
      force: true,
    });
    assert(prepared);
    await p.log.deleteRecords(2); // drops the first segment meanwhile (it takes the lock first)
    return prepared;
  });
  assertEquals(plan, null);
  assertEquals(await readAll(p.log, 2), before.filter(([o]) => o >= 2));
});

Deno.test("compaction: a roll during a pass leaves its segments alone; the pass rebases onto it", async () => {
  const p = await partition();
  await p.write([["a", "1"], ["a", "2"]]);
  await p.write([["b", "1"], ["b", "2"]]);
  p.clock.now += 5000;
  await p.log.roll(1 << 20, 1); // merged into one segment
  const plan = await p.log.replaceSegments("compact", async (view) => {
    const prepared = await prepareCompaction(view, {
      settings: SETTINGS,
      map: new KeyMap(1 << 16),
      objects: p.objects,
      namespace: "ns",
      throttle: () => Promise.resolve(),
      now: () => p.clock.now,
      force: true,
    });
    // Meanwhile: small flushes, rolled into a new manifest, merging what it may (not the
    // segment the pass reserved, small as it is).
    await p.write([["c", "1"]]);
    await p.write([["c", "2"]]);
    const rolled = await p.log.roll(1 << 20, 1);
    assertEquals(rolled, { moved: 2, merged: 2 });
    return prepared;
  });
  assert(plan, "the pass committed onto the roll's manifest");
  assertEquals(await readAll(p.log), [[1, "a", "2"], [3, "b", "2"], [4, "c", "1"], [5, "c", "2"]]);
  assertEquals(p.log.tailKeys, 0);
  assertEquals(p.log.committedSegments.length, 2);
});

/** A seeded generator (mulberry32): the same seed gives the same case. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("compaction property: any keyed records and tombstones read back from every offset with the latest value per key", async () => {
  let removed = 0;
  for (let seed = 1; seed <= 25; seed++) {
    const rnd = random(seed);
    const p = await partition();
    const written: [number, string | null, string | null][] = [];
    const keys = 2 + Math.floor(rnd() * 12);
    const mapBytes = (16 + Math.floor(rnd() * 32)) * SLOT_BYTES;
    for (let step = 0; step < 14; step++) {
      const recs: Rec[] = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => [
        `k${Math.floor(rnd() * keys)}`,
        rnd() < 0.2 ? null : `v${step}-${Math.floor(rnd() * 1000)}`,
      ]);
      const base = p.log.highWatermark;
      recs.forEach(([k, v], i) => written.push([base + i, k, v]));
      await p.write(recs, rnd() < 0.3 ? 1 : 0);
      p.clock.now += Math.floor(rnd() * 2000);
      if (rnd() < 0.4) {
        await p.compact({
          mapBytes,
          force: rnd() < 0.5,
          settings: { minCleanableDirtyRatio: rnd() },
        });
      }
      if (rnd() < 0.1) p.clock.now += SETTINGS.deleteRetentionMs;
    }
    p.clock.now += 5000;
    for (let i = 0; i < 20; i++) if (!await p.compact({ mapBytes, force: false })) break;
    const compacted = await readAll(p.log);
    const why = `seed ${seed}`;
    removed += written.length - compacted.length;
    // Offsets increase, and every record is the one written at its offset.
    const byOffset = new Map(written.map((w) => [w[0], w]));
    compacted.forEach((r, i) => {
      assert(i === 0 || r[0] > compacted[i - 1]![0], why);
      assertEquals(r, byOffset.get(r[0]), why);
    });
    // From every offset, a reader ends with what the whole log gives it.
    for (let from = 0; from <= p.log.highWatermark; from++) {
      assertEquals(
        fold(compacted.filter(([o]) => o >= from)),
        fold(written.filter(([o]) => o >= from)),
        `${why}, from ${from}`,
      );
    }
    // Below the cleaned offset each key appears at most once.
    const state = JSON.parse(dec.decode((await p.meta.get("partitions/t/0"))!.value));
    const cleaned = state.compaction?.cleaned_offset ?? 0;
    const clean = compacted.filter(([o]) => o < cleaned).map(([, k]) => k);
    assertEquals(new Set(clean).size, clean.length, why);
  }
  assert(removed > 200, `passes removed ${removed} records`);
});
