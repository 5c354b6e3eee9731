import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { ErrorCode } from "../errors.ts";
import { type BatchOptions, buildRecordBatch, type RecordInput } from "./builder.ts";
import {
  RecordBatchError,
  RecordBatchView,
  setBaseOffset,
  splitBatches,
  updateCrc,
} from "./record_batch.ts";
import { checkProduceBatches, validateForAppend } from "./validate.ts";

const enc = new TextEncoder();
const two: RecordInput[] = [{ value: enc.encode("a") }, { value: enc.encode("b") }];

function view(records: RecordInput[] = two, options: BatchOptions = {}): RecordBatchView {
  return splitBatches(buildRecordBatch(records, { baseTimestamp: 1000, ...options }))[0]!;
}

/** A batch with header fields edited after building and the CRC recomputed. */
function editedView(edit: (v: DataView) => void, records: RecordInput[] = two): RecordBatchView {
  const bytes = buildRecordBatch(records, { baseTimestamp: 1000 });
  edit(new DataView(bytes.buffer));
  updateCrc(bytes);
  return new RecordBatchView(bytes);
}

function refusal(v: RecordBatchView): [string, number] {
  const e = assertThrows(() => validateForAppend(v), RecordBatchError);
  return [e.reason, e.code];
}

Deno.test("validateForAppend: a plain and an idempotent client batch pass", () => {
  validateForAppend(view());
  validateForAppend(view(two, { producerId: 7, producerEpoch: 0, baseSequence: 0 }));
  validateForAppend(
    view(two, { transactional: true, producerId: 7, producerEpoch: 0, baseSequence: 0 }),
  );
  validateForAppend(view(two, { attributes: 4 })); // the codec label alone is not checked here
});

Deno.test("validateForAppend: a damaged batch is CORRUPT_MESSAGE (crc_mismatch)", () => {
  const v = view();
  v.bytes[v.bytes.byteLength - 1]! ^= 1;
  assertEquals(refusal(v), ["crc_mismatch", ErrorCode.CORRUPT_MESSAGE]);
});

Deno.test("validateForAppend: a client baseOffset other than 0 is INVALID_RECORD", () => {
  const v = view();
  setBaseOffset(v.bytes, 5);
  assertEquals(refusal(v), ["base_offset_not_zero", ErrorCode.INVALID_RECORD]);
});

Deno.test("validateForAppend: recordCount and lastOffsetDelta must agree, with 1+ records", () => {
  assertEquals(refusal(view([])), ["empty_batch", ErrorCode.INVALID_RECORD]);
  // Compacted-looking offset holes are legal on disk, not from a client.
  const holes = view([{ value: null, offsetDelta: 0 }, { value: null, offsetDelta: 3 }]);
  assertEquals(refusal(holes), ["offset_delta_mismatch", ErrorCode.INVALID_RECORD]);
  const more = editedView((d) => d.setInt32(23, 5));
  assertEquals(refusal(more), ["offset_delta_mismatch", ErrorCode.INVALID_RECORD]);
});

Deno.test("validateForAppend: more records than the uncompressed bytes can hold is corrupt", () => {
  const v = editedView((d) => {
    d.setInt32(57, 1000);
    d.setInt32(23, 999);
  });
  assertEquals(refusal(v), ["record_count_too_large", ErrorCode.CORRUPT_MESSAGE]);
  // Compressed records are opaque: no such bound is assumed.
  const z = editedView((d) => {
    d.setInt16(21, 1);
    d.setInt32(57, 1000);
    d.setInt32(23, 999);
  });
  validateForAppend(z);
});

Deno.test("validateForAppend: control batches from clients are INVALID_RECORD", () => {
  assertEquals(refusal(view(two, { control: true })), ["control_batch", ErrorCode.INVALID_RECORD]);
});

Deno.test("validateForAppend: a producer id without a base sequence is INVALID_RECORD", () => {
  const v = view(two, { producerId: 7, producerEpoch: 0, baseSequence: -1 });
  assertEquals(refusal(v), ["invalid_sequence", ErrorCode.INVALID_RECORD]);
});

Deno.test("validateForAppend: unknown codec ids 5-7 are INVALID_RECORD", () => {
  for (const id of [5, 6, 7]) {
    assertEquals(refusal(view(two, { attributes: id })), [
      "unknown_compression",
      ErrorCode.INVALID_RECORD,
    ]);
  }
});

Deno.test("validateForAppend: the log-append-time flag from a client is INVALID_TIMESTAMP", () => {
  assertEquals(refusal(view(two, { logAppendTime: true })), [
    "log_append_time",
    ErrorCode.INVALID_TIMESTAMP,
  ]);
});

Deno.test("validateForAppend: a view over legacy bytes is still refused by magic", () => {
  const legacy = editedView((d) => d.setInt8(16, 1));
  assertEquals(refusal(legacy), ["legacy_magic", ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT]);
  const future = editedView((d) => d.setInt8(16, 3));
  assertEquals(refusal(future), ["bad_magic", ErrorCode.CORRUPT_MESSAGE]);
});

Deno.test("checkProduceBatches: one batch per partition from v3, zstd from v7", () => {
  const plain = view();
  const zstd = view(two, { attributes: 4 });
  checkProduceBatches([plain], 3);
  checkProduceBatches([plain, plain], 2);
  checkProduceBatches([zstd], 7);
  const reason = (views: RecordBatchView[], version: number) => {
    const e = assertThrows(() => checkProduceBatches(views, version), RecordBatchError);
    return [e.reason, e.code];
  };
  assertEquals(reason([], 9), ["no_batch", ErrorCode.INVALID_RECORD]);
  assertEquals(reason([plain, plain], 3), ["multiple_batches", ErrorCode.INVALID_RECORD]);
  assertEquals(reason([zstd], 6), ["zstd_before_v7", ErrorCode.UNSUPPORTED_COMPRESSION_TYPE]);
});
