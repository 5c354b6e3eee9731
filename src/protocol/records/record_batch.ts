/**
 * A zero-copy view of Kafka RecordBatch v2 (magic 2) bytes, and the header-only operations a
 * broker needs: split a produce `records` blob into batches, check them, rewrite the two
 * fields the CRC does not cover (base offset, partition leader epoch), and stamp a batch with
 * its log append time (header fields and CRC). Records stay opaque; nothing here decompresses
 * or decodes them (DESIGN.md invariant 3).
 *
 * Layout (big-endian; `@n` is the byte position):
 *
 *   @0 baseOffset i64 | @8 batchLength i32 (bytes after this field) | @12 partitionLeaderEpoch i32
 *   @16 magic i8 | @17 crc u32 (CRC32C of @21..end) | @21 attributes i16 | @23 lastOffsetDelta i32
 *   @27 baseTimestamp i64 | @35 maxTimestamp i64 | @43 producerId i64 | @51 producerEpoch i16
 *   @53 baseSequence i32 | @57 recordCount i32 | @61 records...
 *
 * Attributes: bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), bit 3 timestamp
 * type (1 = log append time), bit 4 transactional, bit 5 control, bit 6 delete horizon set.
 *
 * int64 fields are read as JS numbers: exact within ±2^53 (about 9e15), which holds for every
 * offset, millisecond timestamp and producer id a broker hands out; a value beyond that is
 * rounded to the nearest representable number.
 * @module
 */
import { crc32c } from "./crc32c.ts";
import { CorruptRecordError, crcError, UnsupportedMagicError } from "./errors.ts";

export {
  CorruptRecordError,
  InvalidRecordError,
  RecordBatchError,
  type RecordBatchErrorReason,
  UnsupportedMagicError,
} from "./errors.ts";
export { checkProduceBatches, validateForAppend } from "./validate.ts";

/** Size of the fixed header before the records (Kafka's RECORD_BATCH_OVERHEAD). */
export const BATCH_HEADER_BYTES = 61;
/** The baseOffset and batchLength prefix, not counted in batchLength (Kafka's LOG_OVERHEAD). */
export const LOG_OVERHEAD = 12;
/** The only magic this broker accepts. */
export const MAGIC_V2 = 2;
/** Byte position of each header field. */
export const FIELD = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;
/** Attribute bits. */
export const ATTRIBUTE = {
  compressionMask: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;
/** Compression codec names by id (attributes bits 0-2). */
export const COMPRESSION_CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
/** A compression codec name. */
export type CompressionCodec = typeof COMPRESSION_CODECS[number];

const TWO_32 = 4294967296;
/** The smallest legal batchLength: the header after the length field, with no records. */
const MIN_BATCH_LENGTH = BATCH_HEADER_BYTES - LOG_OVERHEAD;

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function readInt64(v: DataView, at: number): number {
  return v.getInt32(at) * TWO_32 + v.getUint32(at + 4);
}

/**
 * A read-only view over one batch's bytes; getters read the header on demand (no copy, no
 * parse up front). `bytes` may extend past the batch: `sizeInBytes` and `records` follow
 * batchLength.
 */
export class RecordBatchView {
  /** The batch's bytes (a view into the caller's buffer). */
  readonly bytes: Uint8Array;
  private readonly v: DataView;
  /** Position of `bytes` inside `v`. */
  private readonly o: number;

  /**
   * Wraps `bytes`; throws `CorruptRecordError` when they cannot hold a v2 header. `shared` is an
   * existing DataView over a range holding `bytes` (splitBatches passes the blob's), which
   * saves allocating one per batch.
   */
  constructor(bytes: Uint8Array, shared?: DataView) {
    if (bytes.byteLength < BATCH_HEADER_BYTES) {
      throw new CorruptRecordError(
        "truncated",
        `Cannot read record batch: ${bytes.byteLength} bytes, the header alone is ${BATCH_HEADER_BYTES}`,
      );
    }
    this.bytes = bytes;
    const o = shared ? bytes.byteOffset - shared.byteOffset : 0;
    if (
      shared && shared.buffer === bytes.buffer && o >= 0 &&
      o + bytes.byteLength <= shared.byteLength
    ) {
      this.v = shared;
      this.o = o;
    } else {
      this.v = dataView(bytes);
      this.o = 0;
    }
  }

  /** Offset of the first record (0 from clients; assigned by the broker on append). */
  get baseOffset(): number {
    return readInt64(this.v, this.o + FIELD.baseOffset);
  }
  /** Bytes after the batchLength field (header remainder plus records). */
  get batchLength(): number {
    return this.v.getInt32(this.o + FIELD.batchLength);
  }
  /** Leader epoch stamped by the broker on append (-1 from clients). */
  get partitionLeaderEpoch(): number {
    return this.v.getInt32(this.o + FIELD.partitionLeaderEpoch);
  }
  /** Format version: 2 for record batches. */
  get magic(): number {
    return this.v.getInt8(this.o + FIELD.magic);
  }
  /** The stored CRC32C (unsigned). */
  get crc(): number {
    return this.v.getUint32(this.o + FIELD.crc);
  }
  /** Raw attribute bits (see `ATTRIBUTE`). */
  get attributes(): number {
    return this.v.getInt16(this.o + FIELD.attributes);
  }
  /** Offset of the last record relative to baseOffset. */
  get lastOffsetDelta(): number {
    return this.v.getInt32(this.o + FIELD.lastOffsetDelta);
  }
  /** Timestamp of the first record (or the delete horizon when `hasDeleteHorizon`). */
  get baseTimestamp(): number {
    return readInt64(this.v, this.o + FIELD.baseTimestamp);
  }
  /** Largest record timestamp (or the append time for log-append-time batches). */
  get maxTimestamp(): number {
    return readInt64(this.v, this.o + FIELD.maxTimestamp);
  }
  /** Idempotent/transactional producer id, -1 for none. */
  get producerId(): number {
    return readInt64(this.v, this.o + FIELD.producerId);
  }
  /** Producer epoch, -1 for none. */
  get producerEpoch(): number {
    return this.v.getInt16(this.o + FIELD.producerEpoch);
  }
  /** Sequence number of the first record, -1 for none. */
  get baseSequence(): number {
    return this.v.getInt32(this.o + FIELD.baseSequence);
  }
  /** Number of records in the batch. */
  get recordCount(): number {
    return this.v.getInt32(this.o + FIELD.recordCount);
  }

  /** Total bytes of the batch: batchLength + 12 (the offset and length prefix). */
  get sizeInBytes(): number {
    return this.batchLength + LOG_OVERHEAD;
  }
  /** baseOffset + lastOffsetDelta. */
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  /** The offset after this batch: lastOffset + 1. */
  get nextOffset(): number {
    return this.lastOffset + 1;
  }
  /** Compression codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd; 5-7 are invalid). */
  get compression(): number {
    return this.attributes & ATTRIBUTE.compressionMask;
  }
  /** Compression codec name, or `unknown(<id>)` for ids 5-7. */
  get compressionName(): CompressionCodec | `unknown(${number})` {
    return COMPRESSION_CODECS[this.compression] ?? `unknown(${this.compression})`;
  }
  /** True when timestamps are log-append time (attribute bit 3). */
  get isLogAppendTime(): boolean {
    return (this.attributes & ATTRIBUTE.logAppendTime) !== 0;
  }
  /** Kafka's name for the timestamp type. */
  get timestampType(): "CreateTime" | "LogAppendTime" {
    return this.isLogAppendTime ? "LogAppendTime" : "CreateTime";
  }
  /** True for batches written inside a transaction (attribute bit 4). */
  get isTransactional(): boolean {
    return (this.attributes & ATTRIBUTE.transactional) !== 0;
  }
  /** True for control batches (transaction markers; attribute bit 5). */
  get isControl(): boolean {
    return (this.attributes & ATTRIBUTE.control) !== 0;
  }
  /** True when the log cleaner stored a delete horizon in baseTimestamp (attribute bit 6). */
  get hasDeleteHorizon(): boolean {
    return (this.attributes & ATTRIBUTE.deleteHorizon) !== 0;
  }
  /** True when the batch carries a producer id (idempotent or transactional producer). */
  get hasProducerId(): boolean {
    return this.producerId >= 0;
  }
  /** The records section (opaque; compressed unless `compression` is 0). */
  get records(): Uint8Array {
    return this.bytes.subarray(BATCH_HEADER_BYTES, this.sizeInBytes);
  }
  /** The CRC32C of the bytes the stored CRC covers (attributes to the end). */
  computeCrc(): number {
    return crc32c(this.bytes.subarray(FIELD.attributes, this.sizeInBytes));
  }
  /** True when the stored CRC matches the bytes. */
  crcValid(): boolean {
    return this.computeCrc() === this.crc;
  }
}

function writeInt64(v: DataView, at: number, n: number): void {
  const hi = Math.floor(n / TWO_32);
  v.setInt32(at, hi);
  v.setUint32(at + 4, n - hi * TWO_32);
}

/**
 * Rewrites the base offset in place. The CRC does not cover it, so the batch stays valid; this
 * is the only change the broker makes to a client's batch besides the leader epoch.
 */
export function setBaseOffset(bytes: Uint8Array, offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`Cannot set base offset to ${offset}: not an integer in [0, 2^53)`);
  }
  writeInt64(dataView(bytes), FIELD.baseOffset, offset);
}

/** Rewrites the partition leader epoch in place (not covered by the CRC either). */
export function setPartitionLeaderEpoch(bytes: Uint8Array, epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < -1 || epoch > 0x7fffffff) {
    throw new RangeError(`Cannot set partition leader epoch to ${epoch}: not an int32 >= -1`);
  }
  dataView(bytes).setInt32(FIELD.partitionLeaderEpoch, epoch);
}

/**
 * Stamps a batch with its log append time, in place, as Kafka does for topics with
 * message.timestamp.type=LogAppendTime: sets the timestamp-type attribute bit and the max
 * timestamp, then recomputes the CRC (both are covered by it). The records are untouched:
 * consumers take every record's timestamp from the batch's max timestamp.
 */
export function setLogAppendTime(bytes: Uint8Array, timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`Cannot set log append time to ${timestamp}: not a time in ms`);
  }
  const v = dataView(bytes);
  v.setInt16(FIELD.attributes, v.getInt16(FIELD.attributes) | ATTRIBUTE.logAppendTime);
  writeInt64(v, FIELD.maxTimestamp, timestamp);
  updateCrc(bytes);
}

/** Recomputes and stores the CRC (for builders and tests that edit covered fields). */
export function updateCrc(bytes: Uint8Array): void {
  const view = new RecordBatchView(bytes);
  dataView(bytes).setUint32(FIELD.crc, view.computeCrc());
}

/** Options for `splitBatches`. */
export interface SplitOptions {
  /** Also check every batch's CRC (default false: `validateForAppend` checks it). */
  verifyCrc?: boolean;
}

/**
 * Splits a `records` blob (batches back to back, as in a produce request, a fetch response or
 * a segment) into views over the same bytes. Checks structure only: magic, lengths, record
 * count, offset delta; with `verifyCrc`, CRCs too. An empty blob yields no batches. Throws
 * `UnsupportedMagicError` for magic 0/1 and `CorruptRecordError` otherwise; unlike Kafka, a
 * trailing partial batch is an error, never silently dropped.
 */
export function splitBatches(bytes: Uint8Array, options: SplitOptions = {}): RecordBatchView[] {
  const out: RecordBatchView[] = [];
  const v = dataView(bytes);
  const total = bytes.byteLength;
  let at = 0;
  while (at < total) {
    const size = checkBatchAt(v, at, total - at);
    const view = new RecordBatchView(bytes.subarray(at, at + size), v);
    if (options.verifyCrc) {
      const computed = view.computeCrc();
      if (computed !== view.crc) throw crcError(view.crc, computed, at);
    }
    out.push(view);
    at += size;
  }
  return out;
}

/** Checks the header of the batch at `at` with `left` bytes remaining; returns its size. */
function checkBatchAt(v: DataView, at: number, left: number): number {
  const where = `Cannot read record batch at byte ${at}`;
  if (left <= FIELD.magic) {
    throw new CorruptRecordError("truncated", `${where}: only ${left} bytes left`);
  }
  const magic = v.getInt8(at + FIELD.magic);
  if (magic === 0 || magic === 1) throw new UnsupportedMagicError(magic, at);
  if (magic !== MAGIC_V2) {
    throw new CorruptRecordError("bad_magic", `${where}: unknown magic ${magic}`);
  }
  const length = v.getInt32(at + FIELD.batchLength);
  if (length < MIN_BATCH_LENGTH) {
    throw new CorruptRecordError(
      "length_too_small",
      `${where}: batchLength ${length} is below the ${MIN_BATCH_LENGTH}-byte minimum`,
    );
  }
  if (left < BATCH_HEADER_BYTES) {
    throw new CorruptRecordError(
      "truncated",
      `${where}: only ${left} bytes left, the header alone is ${BATCH_HEADER_BYTES}`,
    );
  }
  if (length > left - LOG_OVERHEAD) {
    throw new CorruptRecordError(
      "length_too_large",
      `${where}: batchLength ${length} runs past the end of the input (${
        left - LOG_OVERHEAD
      } bytes left)`,
    );
  }
  const count = v.getInt32(at + FIELD.recordCount);
  if (count < 0) {
    throw new CorruptRecordError("negative_record_count", `${where}: recordCount ${count}`);
  }
  const delta = v.getInt32(at + FIELD.lastOffsetDelta);
  if (delta < count - 1) {
    throw new CorruptRecordError(
      "offset_delta_mismatch",
      `${where}: lastOffsetDelta ${delta} leaves no room for ${count} records`,
    );
  }
  return length + LOG_OVERHEAD;
}
