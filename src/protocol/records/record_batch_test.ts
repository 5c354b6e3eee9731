import { assert, assertEquals, assertThrows } from "../../testing/assert.ts";
import { concatBytes } from "../primitives.ts";
import { ErrorCode, KafkaError } from "../errors.ts";
import { buildRecordBatch, decodeRecords } from "./builder.ts";
import {
  CorruptRecordError,
  FIELD,
  RecordBatchError,
  RecordBatchView,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  splitBatches,
  UnsupportedMagicError,
  updateCrc,
} from "./record_batch.ts";
import { randomBytes, seededRandom } from "./_prng.ts";

const enc = new TextEncoder();
const TS = 1_700_000_000_000; // 0x0000018BCFE56800

/**
 * One tiny batch written out by hand from the v2 spec: two records, the second with a null key,
 * a timestamp delta of 5 and one header. The CRC was computed by an independent bit-at-a-time
 * implementation (not this project's crc32c).
 */
// deno-fmt-ignore
const GOLDEN = new Uint8Array([
  0, 0, 0, 0, 0, 0, 0, 0,                 // baseOffset 0
  0, 0, 0, 0x47,                          // batchLength 71 = 49 header bytes + 22 record bytes
  0xff, 0xff, 0xff, 0xff,                 // partitionLeaderEpoch -1
  2,                                      // magic 2
  0x94, 0xd5, 0x6a, 0xdc,                 // crc 0x94D56ADC over bytes 21..82
  0, 0,                                   // attributes: none, create time
  0, 0, 0, 1,                             // lastOffsetDelta 1
  0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0,  // baseTimestamp 1700000000000
  0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 5,  // maxTimestamp 1700000000005
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // producerId -1
  0xff, 0xff,                             // producerEpoch -1
  0xff, 0xff, 0xff, 0xff,                 // baseSequence -1
  0, 0, 0, 2,                             // recordCount 2
  // record 0: length 8 (zigzag 0x10), attributes 0, timestampDelta 0, offsetDelta 0,
  // key length 1 (0x02) "k", value length 1 (0x02) "v", 0 headers
  0x10, 0, 0, 0, 0x02, 0x6b, 0x02, 0x76, 0,
  // record 1: length 12 (0x18), attributes 0, timestampDelta 5 (0x0a), offsetDelta 1 (0x02),
  // key null (-1 = 0x01), value length 2 (0x04) "hi", 1 header (0x02): key "x", value "y"
  0x18, 0, 0x0a, 0x02, 0x01, 0x04, 0x68, 0x69, 0x02, 0x02, 0x78, 0x02, 0x79,
]);

function golden(): Uint8Array {
  return GOLDEN.slice();
}

Deno.test("record_batch_v2_golden: the view reads every header field of hand-built bytes", () => {
  const v = new RecordBatchView(golden());
  assertEquals(
    [v.baseOffset, v.batchLength, v.partitionLeaderEpoch, v.magic, v.crc, v.attributes],
    [0, 71, -1, 2, 0x94d56adc, 0],
  );
  assertEquals([v.lastOffsetDelta, v.baseTimestamp, v.maxTimestamp], [1, TS, TS + 5]);
  assertEquals([v.producerId, v.producerEpoch, v.baseSequence, v.recordCount], [-1, -1, -1, 2]);
  assertEquals([v.sizeInBytes, v.lastOffset, v.nextOffset, v.records.byteLength], [83, 1, 2, 22]);
  assertEquals([v.compression, v.compressionName, v.timestampType], [0, "none", "CreateTime"]);
  assertEquals([v.isTransactional, v.isControl, v.hasDeleteHorizon, v.hasProducerId], [
    false,
    false,
    false,
    false,
  ]);
  assert(v.crcValid());
});

Deno.test("record_batch_v2_golden: the builder writes exactly the hand-built bytes", () => {
  const built = buildRecordBatch({
    baseTimestamp: TS,
    records: [
      { key: enc.encode("k"), value: enc.encode("v") },
      {
        key: null,
        value: enc.encode("hi"),
        timestampDelta: 5,
        headers: [{ key: "x", value: enc.encode("y") }],
      },
    ],
  });
  assertEquals(built, GOLDEN);
});

Deno.test("record_batch_v2_golden: records decode to the values written", () => {
  const recs = decodeRecords(new RecordBatchView(golden()));
  assertEquals(recs, [
    { offset: 0, timestamp: TS, key: enc.encode("k"), value: enc.encode("v"), headers: [] },
    {
      offset: 1,
      timestamp: TS + 5,
      key: null,
      value: enc.encode("hi"),
      headers: [{ key: "x", value: enc.encode("y") }],
    },
  ]);
});

Deno.test("record batch: attribute bits map to codec, timestamp type and flags", () => {
  const cases: [number, string, boolean, boolean, boolean, boolean][] = [
    [0x01, "gzip", false, false, false, false],
    [0x02, "snappy", false, false, false, false],
    [0x03, "lz4", false, false, false, false],
    [0x04, "zstd", false, false, false, false],
    [0x07, "unknown(7)", false, false, false, false],
    [0x08, "none", true, false, false, false],
    [0x10, "none", false, true, false, false],
    [0x20, "none", false, false, true, false],
    [0x40, "none", false, false, false, true],
    [0x7c, "zstd", true, true, true, true],
  ];
  for (const [bits, codec, lat, txn, control, horizon] of cases) {
    const v = new RecordBatchView(buildRecordBatch([{ value: null }], { attributes: bits }));
    assertEquals(
      [v.compressionName, v.isLogAppendTime, v.isTransactional, v.isControl, v.hasDeleteHorizon],
      [codec, lat, txn, control, horizon],
      `attributes 0x${bits.toString(16)}`,
    );
  }
});

Deno.test("record batch: several batches back to back split in order, as views", () => {
  const a = buildRecordBatch([{ value: enc.encode("a") }]);
  const b = buildRecordBatch([{ value: enc.encode("b") }, { value: enc.encode("c") }]);
  const blob = concatBytes([a, b, golden()]);
  const views = splitBatches(blob, { verifyCrc: true });
  assertEquals(views.map((v) => v.recordCount), [1, 2, 2]);
  assertEquals(views.map((v) => v.sizeInBytes), [a.byteLength, b.byteLength, 83]);
  assert(views[1]!.bytes.buffer === blob.buffer, "views share the input's buffer");
  assertEquals(splitBatches(new Uint8Array(0)), []);
});

Deno.test("record batch: setBaseOffset and setPartitionLeaderEpoch keep the CRC valid", () => {
  const bytes = golden();
  for (const offset of [1, 12345, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER]) {
    setBaseOffset(bytes, offset);
    setPartitionLeaderEpoch(bytes, 42);
    const v = new RecordBatchView(bytes);
    assertEquals([v.baseOffset, v.lastOffset, v.partitionLeaderEpoch], [offset, offset + 1, 42]);
    assert(v.crcValid());
    assertEquals(bytes.subarray(FIELD.magic), GOLDEN.subarray(FIELD.magic));
  }
  assertThrows(() => setBaseOffset(bytes, -1), RangeError);
  assertThrows(() => setBaseOffset(bytes, 2 ** 53), RangeError);
  assertThrows(() => setPartitionLeaderEpoch(bytes, 2 ** 31), RangeError);
});

Deno.test("record batch: setBaseOffset works on a batch inside a larger buffer", () => {
  const blob = concatBytes([golden(), golden()]);
  const second = splitBatches(blob)[1]!;
  setBaseOffset(second.bytes, 99);
  assertEquals(splitBatches(blob).map((v) => v.baseOffset), [0, 99]);
});

Deno.test("record batch: a flipped bit anywhere the CRC covers fails verification", () => {
  for (let at = FIELD.attributes; at < GOLDEN.byteLength; at++) {
    const bytes = golden();
    bytes[at]! ^= 0x01;
    assert(!new RecordBatchView(bytes).crcValid(), `bit flip at ${at}`);
  }
  const bad = golden();
  bad[70]! ^= 0x80;
  const e = assertThrows(() => splitBatches(bad, { verifyCrc: true }), CorruptRecordError);
  assertEquals([e.reason, e.code], ["crc_mismatch", ErrorCode.CORRUPT_MESSAGE]);
  assert(e.message.includes("stored 0x94d56adc"), e.message);
  assertEquals(splitBatches(bad).length, 1); // structure alone is fine
  updateCrc(bad);
  assert(new RecordBatchView(bad).crcValid());
});

function reasonOf(bytes: Uint8Array): string {
  const e = assertThrows(() => splitBatches(bytes), RecordBatchError);
  assert(e instanceof KafkaError);
  return e.reason;
}

function edited(edit: (v: DataView) => void): Uint8Array {
  const bytes = golden();
  edit(new DataView(bytes.buffer));
  return bytes;
}

Deno.test("record batch: truncated input is refused at every cut, never misread", () => {
  for (let cut = 1; cut < GOLDEN.byteLength; cut++) {
    const reason = reasonOf(GOLDEN.subarray(0, cut));
    assertEquals(reason, cut < 61 ? "truncated" : "length_too_large", `cut at ${cut}`);
  }
  // A whole batch followed by part of another.
  assertEquals(reasonOf(concatBytes([GOLDEN, GOLDEN.subarray(0, 30)])), "truncated");
  const e = assertThrows(() => splitBatches(concatBytes([GOLDEN, GOLDEN.subarray(0, 70)])));
  assert(e.message.includes("at byte 83"), e.message);
});

Deno.test("record batch: batchLength too small or too large is refused", () => {
  for (const length of [-1, 0, 48, -2147483648]) {
    assertEquals(reasonOf(edited((v) => v.setInt32(8, length))), "length_too_small");
  }
  for (const length of [72, 1000, 2147483647]) {
    assertEquals(reasonOf(edited((v) => v.setInt32(8, length))), "length_too_large");
  }
  // A shorter length that still covers the header splits the blob differently: the leftover
  // bytes are not a batch.
  const e = assertThrows(() => splitBatches(edited((v) => v.setInt32(8, 60))), CorruptRecordError);
  assert(e.message.includes("at byte 72"), e.message);
});

Deno.test("record batch: legacy magic 0 and 1 are refused with UnsupportedMagicError", () => {
  for (const magic of [0, 1]) {
    const legacy = new Uint8Array(40); // a v0/v1 message: offset, size, crc, magic...
    new DataView(legacy.buffer).setInt32(8, 28);
    legacy[16] = magic;
    const e = assertThrows(() => splitBatches(legacy), UnsupportedMagicError);
    assertEquals([e.magic, e.reason, e.code], [
      magic,
      "legacy_magic",
      ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
    ]);
    // Even after a valid batch, and even when the legacy message is short.
    const after = concatBytes([GOLDEN, legacy.subarray(0, 26)]);
    assertThrows(() => splitBatches(after), UnsupportedMagicError);
  }
  for (const magic of [3, 127, -1]) {
    assertEquals(reasonOf(edited((v) => v.setInt8(16, magic))), "bad_magic");
  }
});

Deno.test("record batch: negative recordCount and impossible lastOffsetDelta are corrupt", () => {
  assertEquals(reasonOf(edited((v) => v.setInt32(57, -1))), "negative_record_count");
  assertEquals(reasonOf(edited((v) => v.setInt32(23, 0))), "offset_delta_mismatch");
  assertEquals(reasonOf(edited((v) => v.setInt32(23, -5))), "offset_delta_mismatch");
  // More offsets than records is legal on disk (compacted batches keep their offset range).
  assertEquals(splitBatches(edited((v) => v.setInt32(23, 10)))[0]!.lastOffset, 10);
});

Deno.test("record batch: the view refuses bytes shorter than a header", () => {
  const e = assertThrows(() => new RecordBatchView(GOLDEN.subarray(0, 60)), CorruptRecordError);
  assertEquals(e.reason, "truncated");
});

Deno.test("record batch: random bytes only ever raise RecordBatchError (seeded fuzz)", () => {
  const rnd = seededRandom(2024);
  for (let iter = 0; iter < 3000; iter++) {
    const bytes = iter % 2 === 0 ? randomBytes(rnd, Math.floor(rnd() * 200)) : golden();
    if (iter % 2 === 1) {
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
        bytes[Math.floor(rnd() * bytes.byteLength)] = Math.floor(rnd() * 256);
      }
    }
    try {
      for (const v of splitBatches(bytes, { verifyCrc: true })) decodeRecords(v);
    } catch (e) {
      if (!(e instanceof RecordBatchError) && !String(e).includes("compressed")) throw e;
    }
  }
});

Deno.test("record batch: a shared DataView is used only when it covers the bytes", () => {
  const blob = concatBytes([new Uint8Array(5), GOLDEN]);
  const bytes = blob.subarray(5);
  const whole = new DataView(blob.buffer);
  const other = new DataView(new ArrayBuffer(200));
  const short = new DataView(blob.buffer, 0, 40);
  for (const shared of [whole, other, short, undefined]) {
    const v = new RecordBatchView(bytes, shared);
    assertEquals([v.batchLength, v.maxTimestamp, v.recordCount], [71, TS + 5, 2]);
  }
});

Deno.test("record batch: setLogAppendTime sets the type bit and max timestamp, recomputes the CRC, and leaves the rest", () => {
  const bytes = GOLDEN.slice();
  setLogAppendTime(bytes, TS + 1234);
  const v = new RecordBatchView(bytes);
  assertEquals([v.isLogAppendTime, v.timestampType, v.maxTimestamp], [
    true,
    "LogAppendTime",
    TS + 1234,
  ]);
  assertEquals(v.baseTimestamp, TS, "the first timestamp is the producer's");
  assert(v.crcValid() && v.crc !== new RecordBatchView(GOLDEN).crc, "a new, valid CRC");
  const changed = [...bytes.keys()].filter((i) => bytes[i] !== GOLDEN[i]);
  const inHeader = (i: number) =>
    (i >= FIELD.crc && i < FIELD.crc + 4) || (i >= FIELD.attributes && i < FIELD.attributes + 2) ||
    (i >= FIELD.maxTimestamp && i < FIELD.maxTimestamp + 8);
  assert(changed.length > 0 && changed.every(inHeader), `changed bytes ${changed}`);
  assertThrows(() => setLogAppendTime(bytes, -1), RangeError);
});
