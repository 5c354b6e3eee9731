/**
 * What a topic's configs ask of each produced batch, checked and applied on the batch header
 * alone (records stay opaque, DESIGN.md invariant 3):
 * - size: a batch over `maxMessageBytes` is MESSAGE_TOO_LARGE (max.message.bytes);
 * - CreateTime topics: a batch whose timestamps lie more than `timestampAfterMaxMs` in the
 *   future or `timestampBeforeMaxMs` in the past is INVALID_TIMESTAMP
 *   (message.timestamp.after.max.ms / before.max.ms). The header's first and max timestamps
 *   are checked; -1 (no timestamp) always passes. A far-future timestamp would keep its
 *   segment, and every later one, from time retention; a far-past one would be deleted by the
 *   next retention pass;
 * - LogAppendTime topics: the batch is stamped with the append time (header and CRC), and its
 *   own timestamps are not checked;
 * - compacted topics (cleanup.policy with `compact`): a record without a key is INVALID_RECORD,
 *   as in Kafka. This is the one check that opens records (invariant 3's exception, as Kafka
 *   makes it): compressed batches are decompressed (every codec), and records that do not
 *   decompress or decode are CORRUPT_MESSAGE.
 * @module
 */
import { KafkaError } from "../protocol/errors.ts";
import { type RecordBatchView, setLogAppendTime } from "../protocol/records/record_batch.ts";
import { scanRecords } from "../protocol/records/record_scan.ts";

/** A topic's rules for appended batches. */
export interface AppendRules {
  /** Every record needs a key (compacted topics). */
  requireKeys: boolean;
  maxMessageBytes: number;
  timestampType: "CreateTime" | "LogAppendTime";
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
}

/** Throws MESSAGE_TOO_LARGE when a batch is over the topic's max.message.bytes. */
export function checkBatchSize(view: RecordBatchView, rules: AppendRules): void {
  if (view.sizeInBytes > rules.maxMessageBytes) {
    throw new KafkaError(
      "MESSAGE_TOO_LARGE",
      `Cannot append a batch of ${view.sizeInBytes} bytes: the topic's max.message.bytes is ` +
        rules.maxMessageBytes,
    );
  }
}

/**
 * Throws INVALID_TIMESTAMP when a CreateTime topic's batch carries a timestamp too far in the
 * future or the past of `now`.
 */
export function checkTimestamps(view: RecordBatchView, rules: AppendRules, now: number): void {
  if (rules.timestampType !== "CreateTime") return;
  const stamps = [view.baseTimestamp, view.maxTimestamp].filter((t) => t >= 0);
  if (stamps.length === 0) return;
  const newest = Math.max(...stamps);
  const oldest = Math.min(...stamps);
  if (newest - now > rules.timestampAfterMaxMs) {
    throw new KafkaError(
      "INVALID_TIMESTAMP",
      `Cannot append a batch with timestamp ${newest}: it is ${newest - now} ms in the future, ` +
        `more than the topic's message.timestamp.after.max.ms (${rules.timestampAfterMaxMs})`,
    );
  }
  if (now - oldest > rules.timestampBeforeMaxMs) {
    throw new KafkaError(
      "INVALID_TIMESTAMP",
      `Cannot append a batch with timestamp ${oldest}: it is ${now - oldest} ms in the past, ` +
        `more than the topic's message.timestamp.before.max.ms (${rules.timestampBeforeMaxMs})`,
    );
  }
}

/**
 * Applies the topic's timestamp type to a checked batch: on LogAppendTime topics stamps it with
 * `now`. Returns the batch's max timestamp as stored (what retention ages the segment by).
 */
export function applyTimestampType(
  view: RecordBatchView,
  rules: AppendRules,
  now: number,
): number {
  if (rules.timestampType !== "LogAppendTime") return view.maxTimestamp;
  setLogAppendTime(view.bytes, now);
  return now;
}

/**
 * Throws INVALID_RECORD when a compacted topic's batch holds a record without a key (Kafka's
 * message), CORRUPT_MESSAGE when its records do not decompress or decode; a batch whose codec id
 * is not a codec (refused earlier by validation) passes unchecked.
 */
export function checkKeys(view: RecordBatchView, rules: AppendRules, where: string): void {
  if (!rules.requireKeys) return;
  const records = scanRecords(view);
  if (records?.some((r) => r.key === null)) {
    throw new KafkaError(
      "INVALID_RECORD",
      `Compacted topic cannot accept message without key in topic partition ${where}.`,
    );
  }
}
