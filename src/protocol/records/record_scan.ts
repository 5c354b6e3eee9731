/**
 * Reading the records of a stored batch and rebuilding it with fewer of them, for log
 * compaction (and the key check on compacted topics at produce). Records are decoded only as
 * far as compaction needs (offset, key, whether the value is null) and kept as views of their
 * encoded bytes, which a rebuilt batch copies unchanged: the batch keeps its base offset, last
 * offset delta (so offsets never change and the producer's last sequence survives), producer
 * fields, leader epoch, timestamps and codec, as Kafka's cleaner does.
 *
 * The delete horizon (KIP-534): the first time compaction keeps a tombstone it sets attribute
 * bit 6 and stores `now + delete.retention.ms` in the batch's base timestamp; every record's
 * timestamp delta is re-based onto it, so `baseTimestamp + delta` still gives each record's
 * timestamp to every client (Kafka's own clients read it the same way). Pure computation.
 * @module
 */
import { Writer } from "../primitives.ts";
import { CorruptRecordError } from "./errors.ts";
import { canOpen, compress, decompress } from "./compression.ts";
import {
  ATTRIBUTE,
  BATCH_HEADER_BYTES,
  FIELD,
  LOG_OVERHEAD,
  type RecordBatchView,
  updateCrc,
} from "./record_batch.ts";

/** One record of a batch, decoded as far as compaction needs; `bytes` and `key` are views. */
export interface ScannedRecord {
  offset: number;
  key: Uint8Array | null;
  /** A null value: a tombstone. */
  tombstone: boolean;
  /** The whole encoded record, its length prefix included. */
  bytes: Uint8Array;
}

/** A cursor over varints (zigzag, as in record encoding). */
class Cursor {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  private unsigned(maxBytes: number): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      const byte = this.b[this.pos++];
      if (byte === undefined) throw bad("truncated varint");
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw bad("varint too long");
  }
  /** Zigzag varint (int32) or varlong (int64, exact within ±2^53). */
  signed(maxBytes = 5): number {
    const u = this.unsigned(maxBytes);
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
}

function bad(why: string): CorruptRecordError {
  return new CorruptRecordError("bad_record", `Cannot read records: ${why}`);
}

/**
 * The records of a batch, or null when its codec id is not a codec (attributes 5-7).
 * Throws CorruptRecordError when they do not decode or their count disagrees with the header.
 */
export function scanRecords(view: RecordBatchView): ScannedRecord[] | null {
  if (!canOpen(view.compression)) return null;
  let data: Uint8Array | null;
  try {
    data = decompress(view.compression, view.records);
  } catch (e) {
    throw bad(`${view.compressionName} data does not decompress (${(e as Error).message})`);
  }
  if (data === null) return null;
  const base = view.baseOffset;
  const c = new Cursor(data);
  const out: ScannedRecord[] = [];
  for (let i = 0; i < view.recordCount; i++) {
    const start = c.pos;
    const length = c.signed();
    const body = c.pos;
    const end = body + length;
    if (length < 0 || end > data.byteLength) throw bad(`record ${i} runs past the batch`);
    c.pos++; // attributes
    c.signed(10); // timestamp delta
    const offset = base + c.signed();
    const keyLength = c.signed();
    const key = keyLength < 0 ? null : data.subarray(c.pos, c.pos + keyLength);
    c.pos += Math.max(keyLength, 0);
    const valueLength = c.signed();
    if (c.pos > end) throw bad(`record ${i} is longer than its length says`);
    out.push({ offset, key, tombstone: valueLength < 0, bytes: data.subarray(start, end) });
    c.pos = end;
  }
  if (c.pos !== data.byteLength) throw bad(`${data.byteLength - c.pos} bytes after the records`);
  return out;
}

/** A record with its timestamp delta moved by `shift` (re-encoded). */
function shiftTimestamp(record: Uint8Array, shift: number): Uint8Array {
  const c = new Cursor(record);
  c.signed(); // length
  const attrAt = c.pos;
  c.pos++;
  const delta = c.signed(10);
  const rest = record.subarray(c.pos);
  const body = new Writer(rest.byteLength + 16);
  body.int8(record[attrAt]! << 24 >> 24).varlong(delta + shift).raw(rest);
  const bytes = body.finish();
  return new Writer(bytes.byteLength + 5).varint(bytes.byteLength).raw(bytes).finish();
}

/** Options of `rebuildBatch`. */
export interface RebuildOptions {
  /**
   * Sets this delete horizon when the batch has none (it kept a tombstone for the first
   * time); a batch that has one keeps it.
   */
  deleteHorizonMs?: number;
}

/**
 * The batch with only `kept` of its records (in order), everything else in the header as it
 * was; compressed again with its own codec (snappy in its own form; an empty batch is written
 * uncompressed, as Kafka's empty batches are), CRC recomputed. The batch's codec must be one
 * `canOpen` accepts.
 */
export function rebuildBatch(
  view: RecordBatchView,
  kept: readonly ScannedRecord[],
  options: RebuildOptions = {},
): Uint8Array {
  let attributes = view.attributes;
  let baseTimestamp = view.baseTimestamp;
  let records = kept.map((r) => r.bytes);
  if (options.deleteHorizonMs !== undefined && !view.hasDeleteHorizon) {
    const shift = baseTimestamp - options.deleteHorizonMs;
    records = records.map((r) => shiftTimestamp(r, shift));
    baseTimestamp = options.deleteHorizonMs;
    attributes |= ATTRIBUTE.deleteHorizon;
  }
  const plain = new Writer(records.reduce((n, r) => n + r.byteLength, 0) || 1);
  for (const r of records) plain.raw(r);
  let body = plain.finish();
  if (kept.length === 0) attributes &= ~ATTRIBUTE.compressionMask;
  else body = compress(view.compression, body, view.records);
  const out = new Uint8Array(BATCH_HEADER_BYTES + body.byteLength);
  out.set(view.bytes.subarray(0, BATCH_HEADER_BYTES));
  out.set(body, BATCH_HEADER_BYTES);
  const v = new DataView(out.buffer);
  v.setInt32(FIELD.batchLength, out.byteLength - LOG_OVERHEAD);
  v.setInt16(FIELD.attributes, attributes);
  const high = Math.floor(baseTimestamp / 4294967296);
  v.setInt32(FIELD.baseTimestamp, high);
  v.setUint32(FIELD.baseTimestamp + 4, baseTimestamp - high * 4294967296);
  v.setInt32(FIELD.recordCount, kept.length);
  updateCrc(out);
  return out;
}
