/**
 * A topic's rules for produced batches, on the header alone: max.message.bytes, the
 * CreateTime timestamp bounds (first and max timestamps; -1 always passes) and the
 * LogAppendTime stamp (attribute bit, max timestamp, valid CRC, records untouched); keys on
 * compacted topics (batches of every codec checked; records that do not decompress refused).
 */
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { KafkaError } from "../protocol/errors.ts";
import { buildRecordBatch, decodeRecords } from "../protocol/records/builder.ts";
import { RecordBatchView } from "../protocol/records/record_batch.ts";
import {
  type AppendRules,
  applyTimestampType,
  checkBatchSize,
  checkKeys,
  checkTimestamps,
} from "./append_rules.ts";
import { compress } from "../protocol/records/compression.ts";
import { updateCrc } from "../protocol/records/record_batch.ts";

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const rules: AppendRules = {
  requireKeys: false,
  maxMessageBytes: 1000,
  timestampType: "CreateTime",
  timestampBeforeMaxMs: 24 * HOUR,
  timestampAfterMaxMs: HOUR,
};

/** A batch of two records stamped `first` and `first + delta`. */
const view = (first: number, delta = 0, value = "x") =>
  new RecordBatchView(buildRecordBatch([
    { value: new TextEncoder().encode(value) },
    { value: new TextEncoder().encode(value), timestampDelta: delta },
  ], { baseTimestamp: first }));

function code(fn: () => void): number {
  return assertThrows(fn, KafkaError).code;
}

Deno.test("append rules: a batch over max.message.bytes is MESSAGE_TOO_LARGE, naming both sizes", () => {
  checkBatchSize(view(NOW, 0, "a".repeat(400)), rules);
  const big = view(NOW, 0, "a".repeat(600));
  const e = assertThrows(() => checkBatchSize(big, rules), KafkaError);
  assertEquals(e.code, 10);
  assertEquals(
    e.message,
    `Cannot append a batch of ${big.sizeInBytes} bytes: the topic's max.message.bytes is 1000`,
  );
});

Deno.test("append rules: CreateTime timestamps beyond after.max.ms in the future or before.max.ms in the past are INVALID_TIMESTAMP", () => {
  checkTimestamps(view(NOW - 24 * HOUR, 24 * HOUR + HOUR), rules, NOW); // both bounds exactly
  assertEquals(code(() => checkTimestamps(view(NOW, HOUR + 1), rules, NOW)), 32); // max too new
  assertEquals(code(() => checkTimestamps(view(NOW - 24 * HOUR - 1, 10), rules, NOW)), 32);
  const far = assertThrows(() => checkTimestamps(view(NOW + 365 * 24 * HOUR), rules, NOW));
  assertEquals(
    far.message,
    `Cannot append a batch with timestamp ${NOW + 365 * 24 * HOUR}: it is ${
      365 * 24 * HOUR
    } ms in the future, more than the topic's message.timestamp.after.max.ms (3600000)`,
  );
});

Deno.test("append rules: timestamp -1 always passes, and unlimited bounds accept year-1970 records", () => {
  checkTimestamps(view(-1), rules, NOW);
  const open = { ...rules, timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER };
  checkTimestamps(view(1000), open, NOW);
  assertEquals(code(() => checkTimestamps(view(1000), rules, NOW)), 32);
});

Deno.test("append rules: LogAppendTime skips the bounds and stamps the header, leaving records as they were", () => {
  const lat: AppendRules = { ...rules, timestampType: "LogAppendTime" };
  const v = view(1000, 5); // a 1970 timestamp: fine, the broker's clock is used
  const before = decodeRecords(v);
  checkTimestamps(v, lat, NOW);
  assertEquals(applyTimestampType(v, lat, NOW), NOW);
  assertEquals([v.isLogAppendTime, v.maxTimestamp, v.baseTimestamp], [true, NOW, 1000]);
  assertEquals(v.crcValid(), true);
  assertEquals(decodeRecords(v), before);
  // CreateTime topics keep the producer's timestamps.
  const c = view(NOW, 7);
  assertEquals(applyTimestampType(c, rules, NOW + 50), NOW + 7);
  assertEquals(c.isLogAppendTime, false);
});

Deno.test("append rules: a compacted topic refuses a record without a key, in any batch it can open", () => {
  const compacted = { ...rules, requireKeys: true };
  const enc = new TextEncoder();
  const keyed = buildRecordBatch([{ key: enc.encode("k"), value: enc.encode("v") }]);
  const keyless = buildRecordBatch([
    { key: enc.encode("k"), value: enc.encode("v") },
    { key: null, value: enc.encode("v") },
  ]);
  /** The batch with its records section re-encoded as `codec` (`label`: only labelled). */
  const as = (batch: Uint8Array, codec: number, label = false) => {
    const body = label ? batch.subarray(61) : compress(codec, batch.subarray(61));
    const out = new Uint8Array(61 + body.byteLength);
    out.set(batch.subarray(0, 61));
    out.set(body, 61);
    new DataView(out.buffer).setInt32(8, out.byteLength - 12);
    new DataView(out.buffer).setInt16(21, codec);
    updateCrc(out);
    return new RecordBatchView(out);
  };
  checkKeys(new RecordBatchView(keyed), compacted, "t-0");
  checkKeys(new RecordBatchView(keyless), rules, "t-0"); // not compacted
  for (const codec of [0, 1, 2, 3, 4]) {
    const e = assertThrows(() => checkKeys(as(keyless, codec), compacted, "t-0"), KafkaError);
    assertEquals(e.code, 87); // INVALID_RECORD
    assertEquals(
      e.message,
      "Compacted topic cannot accept message without key in topic partition t-0.",
    );
    checkKeys(as(keyed, codec), compacted, "t-0");
  }
  // Records that do not decompress are CORRUPT_MESSAGE.
  const e = assertThrows(() => checkKeys(as(keyless, 3, true), compacted, "t-0"), KafkaError);
  assertEquals(e.code, 2);
});
