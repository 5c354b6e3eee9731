/**
 * Errors for record batches a broker refuses. Each is a `KafkaError`, so a produce handler can
 * answer `error.code` directly; `reason` names the exact check that failed (for metrics, logs
 * and tests). The split follows Kafka's own: damaged bytes are CORRUPT_MESSAGE (retriable:
 * the next attempt may arrive intact), well-formed batches that break a rule are INVALID_RECORD
 * (not retriable), legacy formats are UNSUPPORTED_FOR_MESSAGE_FORMAT.
 * @module
 */
import { type ErrorName, KafkaError } from "../errors.ts";

/** Why a batch was refused: one name per check. */
export type RecordBatchErrorReason =
  /** The input ends inside a batch's fixed header. */
  | "truncated"
  /** batchLength is smaller than the fixed header after it. */
  | "length_too_small"
  /** batchLength claims more bytes than the input holds. */
  | "length_too_large"
  /** magic is not 0, 1 or 2. */
  | "bad_magic"
  /** magic 0 or 1: a legacy message set. */
  | "legacy_magic"
  /** The stored CRC32C does not match the bytes. */
  | "crc_mismatch"
  /** recordCount is negative. */
  | "negative_record_count"
  /** recordCount cannot fit in the bytes of an uncompressed batch. */
  | "record_count_too_large"
  /** lastOffsetDelta disagrees with recordCount. */
  | "offset_delta_mismatch"
  /** A client batch whose baseOffset is not 0. */
  | "base_offset_not_zero"
  /** A client batch with no records. */
  | "empty_batch"
  /** A client tried to write a control batch. */
  | "control_batch"
  /** An idempotent batch (producerId >= 0) without a base sequence. */
  | "invalid_sequence"
  /** Compression codec id 5, 6 or 7. */
  | "unknown_compression"
  /** zstd in a produce request older than v7. */
  | "zstd_before_v7"
  /** A client batch flagged as log-append-time. */
  | "log_append_time"
  /** A produce request with no batch for a partition. */
  | "no_batch"
  /** A produce request (v3+) with more than one batch for a partition. */
  | "multiple_batches"
  /** A record inside an uncompressed batch does not decode. */
  | "bad_record";

/** Base class of every record batch refusal: a Kafka error code plus the failed check. */
export class RecordBatchError extends KafkaError {
  /** The check that failed. */
  readonly reason: RecordBatchErrorReason;

  constructor(code: ErrorName, reason: RecordBatchErrorReason, message: string) {
    super(code, message);
    this.name = "RecordBatchError";
    this.reason = reason;
  }
}

/** Damaged or impossible bytes (truncation, bad lengths, CRC mismatch): CORRUPT_MESSAGE. */
export class CorruptRecordError extends RecordBatchError {
  constructor(reason: RecordBatchErrorReason, message: string) {
    super("CORRUPT_MESSAGE", reason, message);
    this.name = "CorruptRecordError";
  }
}

/** A well-formed batch that breaks one of the broker's rules for client appends: INVALID_RECORD. */
export class InvalidRecordError extends RecordBatchError {
  constructor(reason: RecordBatchErrorReason, message: string) {
    super("INVALID_RECORD", reason, message);
    this.name = "InvalidRecordError";
  }
}

/**
 * A legacy (magic 0 or 1) message set: refused, never misparsed (Kafka 4.0 dropped these
 * formats). Answered as UNSUPPORTED_FOR_MESSAGE_FORMAT.
 */
export class UnsupportedMagicError extends RecordBatchError {
  /** The magic byte found (0 or 1). */
  readonly magic: number;

  constructor(magic: number, at = 0) {
    super(
      "UNSUPPORTED_FOR_MESSAGE_FORMAT",
      "legacy_magic",
      `Cannot read record batch at byte ${at}: message format v${magic} (magic ${magic}) is ` +
        "not supported; only record batch v2 (magic 2) is. Use a client that speaks produce v3+",
    );
    this.name = "UnsupportedMagicError";
    this.magic = magic;
  }
}

/** The error for a stored CRC that does not match the bytes (`at`: byte position in the input). */
export function crcError(stored: number, computed: number, at = 0): CorruptRecordError {
  const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;
  return new CorruptRecordError(
    "crc_mismatch",
    `Cannot accept record batch at byte ${at}: CRC32C mismatch (stored ${hex(stored)}, ` +
      `computed ${hex(computed)}); the bytes were damaged in transit or by the client`,
  );
}
