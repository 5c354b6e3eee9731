import { assert, assertEquals, assertThrows } from "../../testing/assert.ts";
import { buildRecordBatch, decodeRecords } from "./builder.ts";
import {
  CorruptRecordError,
  RecordBatchView,
  splitBatches,
  UnsupportedMagicError,
  validateForAppend,
} from "./record_batch.ts";

const enc = new TextEncoder();

Deno.test("record batch: build, split, read header fields and records back", () => {
  const b = buildRecordBatch([
    {
      key: enc.encode("k1"),
      value: enc.encode("v1"),
      headers: [{ key: "h", value: enc.encode("x") }],
    },
    { key: null, value: enc.encode("v2"), timestampDelta: 5 },
  ], {
    baseOffset: 0,
    baseTimestamp: 1_700_000_000_000,
    producerId: 7,
    producerEpoch: 1,
    baseSequence: 3,
  });
  const [v] = splitBatches(b);
  assert(v);
  validateForAppend(v);
  assertEquals(v.magic, 2);
  assertEquals(v.recordCount, 2);
  assertEquals(v.lastOffsetDelta, 1);
  assertEquals(v.maxTimestamp, 1_700_000_000_005);
  assertEquals([v.producerId, v.producerEpoch, v.baseSequence], [7, 1, 3]);
  const recs = decodeRecords(v);
  assertEquals(recs.map((r) => r.value && new TextDecoder().decode(r.value)), ["v1", "v2"]);
  assertEquals(recs[0]!.headers[0]!.key, "h");
  assertEquals(recs[1]!.key, null);
});

Deno.test("record batch: several batches back to back split in order", () => {
  const a = buildRecordBatch([{ value: enc.encode("a") }]);
  const b = buildRecordBatch([{ value: enc.encode("b") }, { value: enc.encode("c") }]);
  const blob = new Uint8Array([...a, ...b]);
  const views = splitBatches(blob);
  assertEquals(views.map((v) => v.recordCount), [1, 2]);
});

Deno.test("record batch: base offset rewrite keeps the CRC valid", () => {
  const b = buildRecordBatch([{ value: enc.encode("a") }]);
  new DataView(b.buffer, b.byteOffset).setInt32(4, 12345);
  const v = new RecordBatchView(b);
  assertEquals(v.baseOffset, 12345);
  assert(v.crcValid());
});

Deno.test("record batch: a flipped payload bit fails the CRC check", () => {
  const b = buildRecordBatch([{ value: enc.encode("hello") }]);
  b[b.byteLength - 3]! ^= 0x01;
  assertThrows(() => validateForAppend(splitBatches(b)[0]!), CorruptRecordError, "CRC");
});

Deno.test("record batch: truncated input is refused, never misread", () => {
  const b = buildRecordBatch([{ value: enc.encode("hello") }]);
  for (const cut of [1, 10, 20, 60, b.byteLength - 1]) {
    assertThrows(() => splitBatches(b.subarray(0, cut)), CorruptRecordError);
  }
});

Deno.test("record batch: legacy magic 0 and 1 are refused with UnsupportedMagicError", () => {
  for (const magic of [0, 1]) {
    const legacy = new Uint8Array(40);
    new DataView(legacy.buffer).setInt32(8, 28);
    legacy[16] = magic;
    const e = assertThrows(() => splitBatches(legacy), UnsupportedMagicError);
    assertEquals(e.magic, magic);
  }
});

Deno.test("record batch: inconsistent lastOffsetDelta and control batches are refused", () => {
  const b = buildRecordBatch([{ value: enc.encode("a") }, { value: enc.encode("b") }]);
  const v = new DataView(b.buffer, b.byteOffset);
  v.setInt32(23, 5);
  assertThrows(() => validateForAppend(splitBatches(b)[0]!), CorruptRecordError);
  const c = buildRecordBatch([{ value: enc.encode("a") }], { attributes: 0x20 });
  assertThrows(() => validateForAppend(splitBatches(c)[0]!), CorruptRecordError, "control");
});

Deno.test("record batch: random records round-trip (seeded)", () => {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let iter = 0; iter < 200; iter++) {
    const n = 1 + Math.floor(rnd() * 5);
    const input = Array.from({ length: n }, () => ({
      key: rnd() < 0.3 ? null : crypto.getRandomValues(new Uint8Array(Math.floor(rnd() * 20))),
      value: rnd() < 0.1 ? null : crypto.getRandomValues(new Uint8Array(Math.floor(rnd() * 300))),
      headers: rnd() < 0.5 ? [] : [{ key: "k" + iter, value: new Uint8Array([iter & 0xff]) }],
      timestampDelta: Math.floor(rnd() * 1000),
    }));
    const v = splitBatches(buildRecordBatch(input, { baseTimestamp: 1000 }))[0]!;
    validateForAppend(v);
    const out = decodeRecords(v);
    assertEquals(
      out.map((r) => [r.key, r.value, r.headers]),
      input.map((r) => [r.key, r.value, r.headers]),
    );
  }
});
