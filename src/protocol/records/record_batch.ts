/**
 * A zero-copy view of Kafka RecordBatch v2 (magic 2) headers. Records stay opaque bytes: the
 * broker reads the 61-byte header, checks it, and rewrites only the base offset (which the
 * CRC does not cover). Layout (big-endian):
 *
 *   0 baseOffset i64 | 8 batchLength i32 | 12 partitionLeaderEpoch i32 | 16 magic i8 |
 *   17 crc u32 (CRC32C of bytes 21..end) | 21 attributes i16 | 23 lastOffsetDelta i32 |
 *   27 baseTimestamp i64 | 35 maxTimestamp i64 | 43 producerId i64 | 51 producerEpoch i16 |
 *   53 baseSequence i32 | 57 recordCount i32 | 61 records...
 *
 * int64 fields are JS numbers (exact within ±2^53).
 * @module
 */
import { crc32c } from "./crc32c.ts";

/** Bytes before the records. */
export const BATCH_HEADER_BYTES = 61;
/** Bytes covered by batchLength are everything after offset 12. */
const LOG_OVERHEAD = 12;
const TWO_32 = 4294967296;

/** A batch that cannot be accepted (truncated, bad CRC, inconsistent header). */
export class CorruptRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CorruptRecordError";
  }
}

/** A legacy (magic 0 or 1) message set: refused, never misparsed. */
export class UnsupportedMagicError extends Error {
  constructor(readonly magic: number) {
    super(`Cannot accept message format v${magic}: only record batch v2 (magic 2) is supported`);
    this.name = "UnsupportedMagicError";
  }
}

/** Compression codecs by attribute value. */
export const COMPRESSION = ["none", "gzip", "snappy", "lz4", "zstd"] as const;

/** A view over one record batch's bytes. */
export class RecordBatchView {
  private readonly v: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private i64(at: number): number {
    return this.v.getInt32(at) * TWO_32 + this.v.getUint32(at + 4);
  }

  get baseOffset(): number {
    return this.i64(0);
  }
  get batchLength(): number {
    return this.v.getInt32(8);
  }
  get partitionLeaderEpoch(): number {
    return this.v.getInt32(12);
  }
  get magic(): number {
    return this.v.getInt8(16);
  }
  get crc(): number {
    return this.v.getUint32(17);
  }
  get attributes(): number {
    return this.v.getInt16(21);
  }
  get lastOffsetDelta(): number {
    return this.v.getInt32(23);
  }
  get baseTimestamp(): number {
    return this.i64(27);
  }
  get maxTimestamp(): number {
    return this.i64(35);
  }
  get producerId(): number {
    return this.i64(43);
  }
  get producerEpoch(): number {
    return this.v.getInt16(51);
  }
  get baseSequence(): number {
    return this.v.getInt32(53);
  }
  get recordCount(): number {
    return this.v.getInt32(57);
  }
  /** The batch's total size including the offset and length prefix. */
  get sizeInBytes(): number {
    return this.bytes.byteLength;
  }
  /** baseOffset + lastOffsetDelta. */
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  /** Compression codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  get compression(): number {
    return this.attributes & 0x07;
  }
  /** Compression codec name. */
  get compressionName(): string {
    return COMPRESSION[this.compression] ?? `unknown(${this.compression})`;
  }
  /** True when timestamps are log-append time. */
  get logAppendTime(): boolean {
    return (this.attributes & 0x08) !== 0;
  }
  get isTransactional(): boolean {
    return (this.attributes & 0x10) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & 0x20) !== 0;
  }
  /** The records section (opaque; compressed unless compression is none). */
  get records(): Uint8Array {
    return this.bytes.subarray(BATCH_HEADER_BYTES);
  }
  /** True when the stored CRC matches the bytes. */
  crcValid(): boolean {
    return crc32c(this.bytes.subarray(21)) === this.crc;
  }
}

/**
 * Splits a produce `records` blob into batch views. Throws `UnsupportedMagicError` for
 * magic 0/1 and `CorruptRecordError` for truncated or impossible lengths.
 */
export function splitBatches(bytes: Uint8Array): RecordBatchView[] {
  const out: RecordBatchView[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.byteLength) {
    if (bytes.byteLength - at < LOG_OVERHEAD + 5) {
      throw new CorruptRecordError(`Cannot read record batch at byte ${at}: truncated header`);
    }
    const length = v.getInt32(at + 8);
    const magic = v.getInt8(at + 16);
    if (magic === 0 || magic === 1) throw new UnsupportedMagicError(magic);
    if (magic !== 2) {
      throw new CorruptRecordError(`Cannot read record batch at byte ${at}: magic ${magic}`);
    }
    if (length < BATCH_HEADER_BYTES - LOG_OVERHEAD) {
      throw new CorruptRecordError(
        `Cannot read record batch at byte ${at}: length ${length} too small`,
      );
    }
    const end = at + LOG_OVERHEAD + length;
    if (end > bytes.byteLength) {
      throw new CorruptRecordError(
        `Cannot read record batch at byte ${at}: length ${length} runs past the ${bytes.byteLength}-byte input`,
      );
    }
    out.push(new RecordBatchView(bytes.subarray(at, end)));
    at = end;
  }
  return out;
}

/**
 * The checks a broker makes before appending a client's batch: valid CRC, not a control
 * batch, a record count matching the offset deltas, and sane producer fields.
 */
export function validateForAppend(b: RecordBatchView): void {
  if (!b.crcValid()) {
    throw new CorruptRecordError(`Record batch CRC mismatch (stored ${b.crc >>> 0})`);
  }
  if (b.isControl) throw new CorruptRecordError("Clients cannot produce control batches");
  if (b.recordCount <= 0) throw new CorruptRecordError(`Record batch has ${b.recordCount} records`);
  if (b.lastOffsetDelta !== b.recordCount - 1) {
    throw new CorruptRecordError(
      `Record batch lastOffsetDelta ${b.lastOffsetDelta} does not match ${b.recordCount} records`,
    );
  }
  if (b.compression > 4) throw new CorruptRecordError(`Unknown compression codec ${b.compression}`);
  if (b.producerId >= 0 && (b.producerEpoch < 0 || b.baseSequence < 0)) {
    throw new CorruptRecordError("Idempotent batch without producer epoch or sequence");
  }
}
