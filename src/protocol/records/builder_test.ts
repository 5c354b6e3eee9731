import { assert, assertEquals, assertThrows } from "../../testing/assert.ts";
import { concatBytes } from "../primitives.ts";
import {
  type BatchOptions,
  buildRecordBatch,
  decodeRecords,
  type RecordHeader,
  type RecordInput,
} from "./builder.ts";
import {
  CorruptRecordError,
  RecordBatchError,
  RecordBatchView,
  setBaseOffset,
  splitBatches,
  updateCrc,
  validateForAppend,
} from "./record_batch.ts";
import { randomBytes, seededRandom } from "./_prng.ts";

const enc = new TextEncoder();

function randomRecord(rnd: () => number, i: number): RecordInput {
  const size = () => (rnd() < 0.05 ? 5000 + Math.floor(rnd() * 5000) : Math.floor(rnd() * 300));
  const headers: RecordHeader[] = [];
  const nHeaders = rnd() < 0.5 ? 0 : Math.floor(rnd() * 4);
  for (let h = 0; h < nHeaders; h++) {
    headers.push({
      key: ["trace", "ключ", "🔑", ""][Math.floor(rnd() * 4)]! + h,
      value: rnd() < 0.2 ? null : randomBytes(rnd, Math.floor(rnd() * 40)),
    });
  }
  return {
    key: rnd() < 0.3 ? null : randomBytes(rnd, Math.floor(rnd() * 40)),
    value: rnd() < 0.1 ? null : randomBytes(rnd, size()),
    headers,
    timestampDelta: i === 0 ? 0 : Math.floor((rnd() - 0.3) * 2 ** 40),
  };
}

function randomOptions(rnd: () => number): BatchOptions {
  const idempotent = rnd() < 0.5;
  return {
    baseTimestamp: Math.floor(rnd() * 2 ** 45),
    producerId: idempotent ? Math.floor(rnd() * 2 ** 52) : -1,
    producerEpoch: idempotent ? Math.floor(rnd() * 32767) : -1,
    baseSequence: idempotent ? Math.floor(rnd() * 2 ** 31) : -1,
  };
}

Deno.test("builder: random batches round-trip through split, validate and decode (seeded)", () => {
  const rnd = seededRandom(42);
  for (let iter = 0; iter < 300; iter++) {
    const batches = 1 + Math.floor(rnd() * 3);
    const inputs = Array.from({ length: batches }, () => ({
      records: Array.from({ length: 1 + Math.floor(rnd() * 8) }, (_, i) => randomRecord(rnd, i)),
      options: randomOptions(rnd),
    }));
    const blob = concatBytes(inputs.map((b) => buildRecordBatch(b.records, b.options)));
    const views = splitBatches(blob, { verifyCrc: true });
    assertEquals(views.length, batches);
    views.forEach((v, b) => {
      const { records, options } = inputs[b]!;
      validateForAppend(v);
      const ts = records.map((r) => options.baseTimestamp! + (r.timestampDelta ?? 0));
      assertEquals(
        [v.recordCount, v.lastOffsetDelta, v.baseTimestamp, v.maxTimestamp],
        [records.length, records.length - 1, options.baseTimestamp, Math.max(...ts)],
      );
      assertEquals([v.producerId, v.producerEpoch, v.baseSequence], [
        options.producerId,
        options.producerEpoch,
        options.baseSequence,
      ]);
      const base = Math.floor(rnd() * 2 ** 50);
      setBaseOffset(v.bytes, base);
      assertEquals(
        decodeRecords(v),
        records.map((r, i) => ({
          offset: base + i,
          timestamp: ts[i],
          key: r.key,
          value: r.value,
          headers: r.headers,
        })),
      );
    });
  }
});

Deno.test("builder: the object form and the array form build the same bytes", () => {
  const records = [{ key: enc.encode("k"), value: enc.encode("v") }];
  const options = { baseOffset: 3, baseTimestamp: 99, producerId: 5, producerEpoch: 1 };
  assertEquals(buildRecordBatch({ records, ...options }), buildRecordBatch(records, options));
});

Deno.test("builder: header options land in the header; defaults are what clients send", () => {
  const v = new RecordBatchView(buildRecordBatch({
    records: [{ value: null }],
    baseOffset: 2 ** 40,
    partitionLeaderEpoch: 9,
    baseTimestamp: 5,
    maxTimestamp: 77,
    transactional: true,
    producerId: 1,
    producerEpoch: 2,
    baseSequence: 3,
  }));
  assertEquals(
    [v.baseOffset, v.partitionLeaderEpoch, v.maxTimestamp, v.isTransactional, v.producerId],
    [2 ** 40, 9, 77, true, 1],
  );
  const d = new RecordBatchView(buildRecordBatch([{ value: null }]));
  assertEquals([d.baseOffset, d.partitionLeaderEpoch, d.producerId, d.attributes], [0, -1, -1, 0]);
  assert(Math.abs(d.baseTimestamp - Date.now()) < 60_000, "baseTimestamp defaults to now");
  assertEquals(decodeRecords(d)[0]!.value, null);
});

Deno.test("builder: offset holes set lastOffsetDelta and decode to their offsets", () => {
  const v = new RecordBatchView(buildRecordBatch(
    [{ value: null, offsetDelta: 0 }, { value: null, offsetDelta: 4 }],
    { baseOffset: 10 },
  ));
  assertEquals([v.lastOffsetDelta, v.lastOffset, v.recordCount], [4, 14, 2]);
  assertEquals(decodeRecords(v).map((r) => r.offset), [10, 14]);
});

Deno.test("decodeRecords: batches of every codec decode; data that does not decompress is CorruptRecordError", () => {
  const records = [{ key: enc.encode("k"), value: enc.encode("v") }, { value: null }];
  for (const compression of [0, 1, 2, 3, 4]) {
    const v = new RecordBatchView(buildRecordBatch(records, { compression }));
    assertEquals(v.compression, compression);
    const out = decodeRecords(v);
    assertEquals(out.map((r) => [r.key, r.value]), [[enc.encode("k"), enc.encode("v")], [
      null,
      null,
    ]]);
  }
  // Labelled gzip, holding uncompressed records.
  const v = new RecordBatchView(buildRecordBatch(records, { attributes: 1 }));
  const e = assertThrows(() => decodeRecords(v), RecordBatchError, "gzip data does not decompress");
  assertEquals(e.reason, "bad_record");
});

/** A batch whose records section is replaced by `records` (CRC recomputed). */
function withRecords(count: number, records: number[]): RecordBatchView {
  const bytes = buildRecordBatch([], { baseTimestamp: 0 });
  const out = concatBytes([bytes, new Uint8Array(records)]);
  const d = new DataView(out.buffer);
  d.setInt32(8, out.byteLength - 12);
  d.setInt32(57, count);
  d.setInt32(23, count - 1);
  updateCrc(out);
  return new RecordBatchView(out);
}

Deno.test("decodeRecords: malformed records are CorruptRecordError (bad_record)", () => {
  const ok = [0x0e, 0, 0, 0, 0x01, 0x02, 0x61, 0]; // length 7, key null, value "a", 0 headers
  assertEquals(decodeRecords(withRecords(1, ok))[0]!.value, enc.encode("a"));
  const cases: [string, number, number[]][] = [
    ["missing record", 2, ok],
    ["bytes left over", 1, [...ok, 0]],
    ["record length too short", 1, [0x0c, ...ok.slice(1)]],
    ["record length too long", 1, [0x10, ...ok.slice(1)]],
    ["negative record length", 1, [0x03, ...ok.slice(1)]],
    ["key length -2", 1, [0x0e, 0, 0, 0, 0x03, 0x02, 0x61, 0]],
    ["value runs past the record", 1, [0x0e, 0, 0, 0, 0x01, 0x08, 0x61, 0]],
    ["negative header count", 1, [0x0e, 0, 0, 0, 0x01, 0x02, 0x61, 0x01]],
    ["header key not UTF-8", 1, [0x12, 0, 0, 0, 0x01, 0x01, 0x02, 0x02, 0xff, 0x01]],
    ["varint too long", 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ];
  for (const [name, count, records] of cases) {
    const e = assertThrows(() => decodeRecords(withRecords(count, records)), CorruptRecordError);
    assertEquals(e.reason, "bad_record", name);
  }
});

Deno.test("decodeRecords: mutated records only ever raise CorruptRecordError (seeded fuzz)", () => {
  const rnd = seededRandom(99);
  for (let iter = 0; iter < 2000; iter++) {
    const bytes = buildRecordBatch(
      Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, i) => randomRecord(rnd, i)),
      { baseTimestamp: 0 },
    );
    for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
      const at = 61 + Math.floor(rnd() * (bytes.byteLength - 61));
      bytes[at] = Math.floor(rnd() * 256);
    }
    updateCrc(bytes);
    try {
      decodeRecords(new RecordBatchView(bytes));
    } catch (e) {
      if (!(e instanceof CorruptRecordError)) throw e;
    }
  }
});
