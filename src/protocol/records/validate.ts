/**
 * The checks Kafka's broker makes on a client's record batches before appending them, made on
 * the header alone (records stay opaque). Sources of the rules, as facts, not code:
 *
 * - the produce request (v3+): at least one batch per partition, exactly one, magic 2, and no
 *   zstd before produce v7 (UNSUPPORTED_COMPRESSION_TYPE): `checkProduceBatches`;
 * - the log append (client origin): baseOffset 0, a valid CRC, recordCount > 0 and equal to
 *   lastOffsetDelta + 1, no control batches, a base sequence whenever a producer id is set:
 *   `validateForAppend`.
 *
 * Deliberate differences from Kafka: a log-append-time flag from a client is refused with
 * INVALID_TIMESTAMP (producers never set it; Kafka overwrites it with the topic's timestamp
 * type, which the broker sets itself on LogAppendTime topics); an uncompressed batch
 * whose recordCount cannot fit in its bytes is CORRUPT_MESSAGE up front (Kafka finds out while
 * iterating records). Per-record checks that need the records decoded are not made here:
 * inner offsets are not checked; keys on compacted topics are checked by src/log/append_rules.ts
 * (record_scan.ts, the one place Produce opens records); timestamp bounds are checked on the
 * header's first and max timestamps (src/log/append_rules.ts).
 * @module
 */
import type { RecordBatchView } from "./record_batch.ts";
import {
  CorruptRecordError,
  crcError,
  InvalidRecordError,
  RecordBatchError,
  UnsupportedMagicError,
} from "./errors.ts";

/** The smallest encoded v2 record: seven one-byte varints/fields. */
const MIN_RECORD_BYTES = 7;
const ZSTD = 4;

/**
 * Throws unless a client's batch may be appended: magic 2, baseOffset 0, CRC valid, a known
 * codec, 1+ records with lastOffsetDelta + 1 == recordCount, not a control batch, a base
 * sequence when a producer id is set, create-time timestamps. The thrown errors are
 * `RecordBatchError`s whose `code` is the Kafka error to answer.
 */
export function validateForAppend(view: RecordBatchView): void {
  const magic = view.magic;
  if (magic === 0 || magic === 1) throw new UnsupportedMagicError(magic);
  if (magic !== 2) throw new CorruptRecordError("bad_magic", `${CANNOT}: unknown magic ${magic}`);
  if (view.baseOffset !== 0) {
    throw new InvalidRecordError(
      "base_offset_not_zero",
      `${CANNOT}: a client's baseOffset must be 0, it is ${view.baseOffset}`,
    );
  }
  const computed = view.computeCrc();
  if (computed !== view.crc) throw crcError(view.crc, computed);
  checkCounts(view);
  checkFlags(view);
}

const CANNOT = "Cannot append record batch";

function checkCounts(view: RecordBatchView): void {
  const count = view.recordCount;
  const delta = view.lastOffsetDelta;
  if (count <= 0) {
    throw new InvalidRecordError("empty_batch", `${CANNOT}: recordCount is ${count}`);
  }
  if (delta + 1 !== count) {
    throw new InvalidRecordError(
      "offset_delta_mismatch",
      `${CANNOT}: lastOffsetDelta ${delta} spans ${delta + 1} offsets for ${count} records`,
    );
  }
  if (view.compression === 0 && count > view.records.byteLength / MIN_RECORD_BYTES) {
    throw new CorruptRecordError(
      "record_count_too_large",
      `${CANNOT}: ${count} records cannot fit in ${view.records.byteLength} uncompressed bytes`,
    );
  }
}

function checkFlags(view: RecordBatchView): void {
  if (view.compression > ZSTD) {
    throw new InvalidRecordError(
      "unknown_compression",
      `${CANNOT}: unknown compression codec id ${view.compression}`,
    );
  }
  if (view.isControl) {
    throw new InvalidRecordError(
      "control_batch",
      `${CANNOT}: clients may not write control batches`,
    );
  }
  if (view.hasProducerId && view.baseSequence < 0) {
    throw new InvalidRecordError(
      "invalid_sequence",
      `${CANNOT}: base sequence ${view.baseSequence} with producer id ${view.producerId}`,
    );
  }
  if (view.isLogAppendTime) {
    throw new RecordBatchError(
      "INVALID_TIMESTAMP",
      "log_append_time",
      `${CANNOT}: producers must not set the log-append-time flag; the broker sets it`,
    );
  }
}

/**
 * The per-partition rules of a produce request of version `apiVersion` (Kafka checks them while
 * parsing the request): at least one batch; from v3, exactly one; zstd only from v7. Magic is
 * already checked by `splitBatches`.
 */
export function checkProduceBatches(views: readonly RecordBatchView[], apiVersion: number): void {
  const first = views[0];
  if (!first) {
    throw new InvalidRecordError(
      "no_batch",
      `Cannot append records: produce v${apiVersion} needs at least one record batch per partition`,
    );
  }
  if (apiVersion >= 3 && views.length > 1) {
    throw new InvalidRecordError(
      "multiple_batches",
      `Cannot append records: produce v${apiVersion} allows exactly one record batch per ` +
        `partition, got ${views.length}`,
    );
  }
  for (const v of views) {
    if (apiVersion < 7 && v.compression === ZSTD) {
      throw new RecordBatchError(
        "UNSUPPORTED_COMPRESSION_TYPE",
        "zstd_before_v7",
        `Cannot append records: zstd needs produce v7 or later, the request is v${apiVersion}`,
      );
    }
  }
}
