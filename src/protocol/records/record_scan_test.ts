/**
 * Reading and rebuilding stored batches for compaction: records of every codec (snappy in both
 * the Java client's xerial form and librdkafka's raw one), none of an invalid codec id; rebuilt
 * batches keep offsets, header fields and timestamps (also across a newly set delete horizon),
 * in their own codec (snappy in its own form), with a valid CRC; data that does not decompress
 * is CORRUPT_MESSAGE.
 */
import { assert, assertEquals } from "../../testing/assert.ts";
import { buildRecordBatch, decodeRecords } from "./builder.ts";
import { compress } from "./compression.ts";
import { isXerial, snappyCompress } from "./snappy.ts";
import {
  ATTRIBUTE,
  BATCH_HEADER_BYTES,
  RecordBatchView,
  splitBatches,
  updateCrc,
} from "./record_batch.ts";
import { rebuildBatch, scanRecords } from "./record_scan.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** An uncompressed batch re-encoded with `codec` (`rawSnappy`: snappy in librdkafka's form). */
function withCodec(batch: Uint8Array, codec: number, rawSnappy = false): Uint8Array {
  const view = new RecordBatchView(batch);
  const body = rawSnappy ? snappyCompress(view.records, false) : compress(codec, view.records);
  const out = new Uint8Array(BATCH_HEADER_BYTES + body.byteLength);
  out.set(batch.subarray(0, BATCH_HEADER_BYTES));
  out.set(body, BATCH_HEADER_BYTES);
  const v = new DataView(out.buffer);
  v.setInt32(8, out.byteLength - 12);
  v.setInt16(21, (view.attributes & ~7) | codec);
  updateCrc(out);
  return out;
}

/** Decodes any openable batch's records (decompressing through a rebuild with every record). */
function records(batch: Uint8Array) {
  const view = new RecordBatchView(batch);
  const plain = view.compression === 0 ? batch : (() => {
    const all = scanRecords(view)!;
    const body = new Uint8Array(all.reduce((n, r) => n + r.bytes.byteLength, 0));
    let at = 0;
    for (const r of all) {
      body.set(r.bytes, at);
      at += r.bytes.byteLength;
    }
    const out = new Uint8Array(BATCH_HEADER_BYTES + body.byteLength);
    out.set(batch.subarray(0, BATCH_HEADER_BYTES));
    out.set(body, BATCH_HEADER_BYTES);
    new DataView(out.buffer).setInt16(21, view.attributes & ~7);
    return out;
  })();
  return decodeRecords(new RecordBatchView(plain)).map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key && dec.decode(r.key),
    value: r.value && dec.decode(r.value),
  }));
}

const sample = () =>
  buildRecordBatch([
    { key: enc.encode("a"), value: enc.encode("1"), timestampDelta: 0 },
    { key: enc.encode("b"), value: null, timestampDelta: 5 },
    { key: null, value: enc.encode("x"), timestampDelta: 7 },
    { key: enc.encode("a"), value: enc.encode("2"), timestampDelta: 9, offsetDelta: 4 },
  ], {
    baseOffset: 100,
    baseTimestamp: 1_700_000_000_000,
    producerId: 7,
    producerEpoch: 1,
    baseSequence: 10,
    partitionLeaderEpoch: 3,
  });

const CODECS = [
  ["none", 0, false],
  ["gzip", 1, false],
  ["snappy (xerial)", 2, false],
  ["snappy (raw)", 2, true],
  ["lz4", 3, false],
  ["zstd", 4, false],
] as const;

for (const [name, codec, raw] of CODECS) {
  Deno.test(`record scan: ${name} records give offsets, keys and tombstones`, () => {
    const scanned = scanRecords(new RecordBatchView(withCodec(sample(), codec, raw)))!;
    assertEquals(
      scanned.map((r) => [r.offset, r.key && dec.decode(r.key), r.tombstone]),
      [[100, "a", false], [101, "b", true], [102, null, false], [104, "a", false]],
    );
  });

  Deno.test(`record scan: a rebuilt ${name} batch keeps offsets, header and timestamps`, () => {
    const original = withCodec(sample(), codec, raw);
    const view = new RecordBatchView(original);
    const scanned = scanRecords(view)!;
    const rebuilt = rebuildBatch(view, [scanned[1]!, scanned[3]!]);
    const [out] = splitBatches(rebuilt, { verifyCrc: true });
    assertEquals(out!.compression, codec);
    if (codec === 2) assertEquals(isXerial(out!.records), !raw, "snappy keeps its form");
    assertEquals(
      [out!.baseOffset, out!.lastOffsetDelta, out!.recordCount, out!.producerId],
      [100, 4, 2, 7],
    );
    assertEquals(
      [out!.producerEpoch, out!.baseSequence, out!.partitionLeaderEpoch, out!.maxTimestamp],
      [1, 10, 3, view.maxTimestamp],
    );
    assertEquals(records(rebuilt), records(original).filter((_, i) => i === 1 || i === 3));
  });

  Deno.test(`record scan: a delete horizon on a ${name} batch keeps every record's timestamp`, () => {
    const original = withCodec(sample(), codec, raw);
    const view = new RecordBatchView(original);
    const scanned = scanRecords(view)!;
    const horizon = 1_700_086_400_000;
    const rebuilt = rebuildBatch(view, scanned, { deleteHorizonMs: horizon });
    const out = new RecordBatchView(rebuilt);
    assert(out.crcValid() && out.hasDeleteHorizon);
    assertEquals(out.baseTimestamp, horizon);
    assertEquals(records(rebuilt), records(original));
    // A second rebuild keeps the horizon it has.
    const again = rebuildBatch(out, [scanRecords(out)![0]!], { deleteHorizonMs: horizon + 5 });
    assertEquals(new RecordBatchView(again).baseTimestamp, horizon);
    assertEquals(records(again), records(original).slice(0, 1));
  });
}

Deno.test("record scan: a batch whose codec id is not a codec is not opened", () => {
  for (const codec of [5, 6, 7]) {
    const b = sample();
    new DataView(b.buffer).setInt16(21, codec);
    assertEquals(scanRecords(new RecordBatchView(b)), null);
  }
});

Deno.test("record scan: an empty rebuilt batch keeps the offset range, uncompressed", () => {
  const view = new RecordBatchView(withCodec(sample(), 1));
  const [out] = splitBatches(rebuildBatch(view, []), { verifyCrc: true });
  assertEquals([out!.baseOffset, out!.lastOffset, out!.recordCount], [100, 104, 0]);
  assertEquals(out!.attributes & ATTRIBUTE.compressionMask, 0);
  assertEquals(scanRecords(out!), []);
});

Deno.test("record scan: records that do not decode are CORRUPT_MESSAGE", () => {
  const b = sample();
  new DataView(b.buffer).setInt32(57, 9); // more records than the bytes hold
  let thrown: unknown;
  try {
    scanRecords(new RecordBatchView(b));
  } catch (e) {
    thrown = e;
  }
  assert(String(thrown).includes("Cannot read records"), String(thrown));
});

Deno.test("record scan: compressed data that does not decompress is CORRUPT_MESSAGE", () => {
  for (const [name, codec, raw] of CODECS.filter(([, c]) => c !== 0)) {
    const b = withCodec(sample(), codec, raw);
    b.fill(0x7f, BATCH_HEADER_BYTES, BATCH_HEADER_BYTES + 12); // the stream's header and start
    let thrown: unknown;
    try {
      scanRecords(new RecordBatchView(b));
    } catch (e) {
      thrown = e;
    }
    assert(String(thrown).includes("does not decompress"), `${name}: ${thrown}`);
  }
});
