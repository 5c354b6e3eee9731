/**
 * Builds RecordBatch v2 bytes and decodes the records of batches of any codec. For tests, the
 * admin CLI and the console's record browser, never the broker's hot path (the broker keeps
 * records opaque). Record layout (varints are zigzag, as in protobuf):
 *
 *   length varint | attributes int8 (unused, 0) | timestampDelta varlong | offsetDelta varint |
 *   keyLength varint (-1 = null) | key | valueLength varint (-1 = null) | value |
 *   headerCount varint | per header: keyLength varint | key utf-8 | valueLength varint | value
 * @module
 */
import { DecodeError, Reader, Writer } from "../primitives.ts";
import { CorruptRecordError } from "./errors.ts";
import { compress, decompress } from "./compression.ts";
import {
  ATTRIBUTE,
  BATCH_HEADER_BYTES,
  LOG_OVERHEAD,
  MAGIC_V2,
  type RecordBatchView,
  updateCrc,
} from "./record_batch.ts";

/** A record header: a UTF-8 key and optional bytes. */
export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

/** One record to put in a batch. */
export interface RecordInput {
  /** Null or absent for no key. */
  key?: Uint8Array | null;
  /** Null or absent for no value (a tombstone). */
  value?: Uint8Array | null;
  headers?: RecordHeader[];
  /** Milliseconds after the batch's baseTimestamp (may be negative); default 0. */
  timestampDelta?: number;
  /** Offset relative to baseOffset; default the record's index (set it to leave holes). */
  offsetDelta?: number;
}

/** A decoded record, with absolute offset and timestamp. */
export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

/** Batch header fields; each defaults to what a plain (non-idempotent) producer sends. */
export interface BatchOptions {
  /** Default 0, as clients send. */
  baseOffset?: number;
  /** Default -1 (no epoch), as clients send. */
  partitionLeaderEpoch?: number;
  /** Default `Date.now()`. */
  baseTimestamp?: number;
  /** Default: the largest record timestamp. */
  maxTimestamp?: number;
  /** Default -1 (none). */
  producerId?: number;
  /** Default -1 (none). */
  producerEpoch?: number;
  /** Default -1 (none). */
  baseSequence?: number;
  /** Set the transactional attribute bit. */
  transactional?: boolean;
  /** Set the control attribute bit. */
  control?: boolean;
  /** Set the log-append-time attribute bit. */
  logAppendTime?: boolean;
  /** Compress the records with this codec (1 gzip, 2 snappy, 3 lz4, 4 zstd); default none. */
  compression?: number;
  /**
   * Raw attribute bits OR-ed in, for tests that need odd batches. Compression bits only label
   * the batch: records are always written uncompressed.
   */
  attributes?: number;
}

/** Everything `buildRecordBatch` needs: header fields plus records. */
export interface BatchSpec extends BatchOptions {
  records: RecordInput[];
}

const encoder = new TextEncoder();

/**
 * Builds one v2 batch (uncompressed unless `compression` says) with a valid CRC. Call as `buildRecordBatch({ records,
 * ...fields })` or `buildRecordBatch(records, fields)`.
 */
export function buildRecordBatch(spec: BatchSpec): Uint8Array;
export function buildRecordBatch(records: RecordInput[], options?: BatchOptions): Uint8Array;
export function buildRecordBatch(
  a: BatchSpec | RecordInput[],
  options: BatchOptions = {},
): Uint8Array {
  const spec: BatchSpec = Array.isArray(a) ? { ...options, records: a } : a;
  const baseTs = spec.baseTimestamp ?? Date.now();
  const body = new Writer(256);
  let maxTs = -1;
  let lastDelta = -1;
  spec.records.forEach((r, i) => {
    const offsetDelta = r.offsetDelta ?? i;
    writeRecord(body, r, offsetDelta);
    maxTs = Math.max(maxTs, baseTs + (r.timestampDelta ?? 0));
    lastDelta = Math.max(lastDelta, offsetDelta);
  });
  if (spec.records.length === 0) maxTs = baseTs;
  const recs = spec.compression ? compress(spec.compression, body.finish()) : body.finish();
  const w = new Writer(BATCH_HEADER_BYTES);
  w.int64(spec.baseOffset ?? 0).int32(BATCH_HEADER_BYTES - LOG_OVERHEAD + recs.byteLength);
  w.int32(spec.partitionLeaderEpoch ?? -1).int8(MAGIC_V2).uint32(0).int16(attributesOf(spec));
  w.int32(lastDelta).int64(baseTs).int64(spec.maxTimestamp ?? maxTs);
  w.int64(spec.producerId ?? -1).int16(spec.producerEpoch ?? -1).int32(spec.baseSequence ?? -1);
  w.int32(spec.records.length);
  const out = new Uint8Array(BATCH_HEADER_BYTES + recs.byteLength);
  out.set(w.finish());
  out.set(recs, BATCH_HEADER_BYTES);
  updateCrc(out);
  return out;
}

function attributesOf(o: BatchOptions): number {
  let bits = o.attributes ?? 0;
  if (o.logAppendTime) bits |= ATTRIBUTE.logAppendTime;
  if (o.transactional) bits |= ATTRIBUTE.transactional;
  if (o.control) bits |= ATTRIBUTE.control;
  if (o.compression) bits |= o.compression;
  return bits;
}

function writeNullable(w: Writer, b: Uint8Array | null | undefined): void {
  if (b === null || b === undefined) w.varint(-1);
  else w.varint(b.byteLength).raw(b);
}

function writeRecord(out: Writer, r: RecordInput, offsetDelta: number): void {
  const rec = new Writer(64);
  rec.int8(0).varlong(r.timestampDelta ?? 0).varint(offsetDelta);
  writeNullable(rec, r.key);
  writeNullable(rec, r.value);
  rec.varint(r.headers?.length ?? 0);
  for (const h of r.headers ?? []) {
    const k = encoder.encode(h.key);
    rec.varint(k.byteLength).raw(k);
    writeNullable(rec, h.value);
  }
  const bytes = rec.finish();
  out.varint(bytes.byteLength).raw(bytes);
}

/**
 * Decodes the records of a batch of any codec (keys, values and header values are views into
 * the batch or its decompressed records, not copies). Throws `CorruptRecordError`
 * ("bad_record") when the records do not decompress, a record does not decode, its length
 * disagrees with its fields, or bytes are left over.
 */
export function decodeRecords(view: RecordBatchView): DecodedRecord[] {
  let data: Uint8Array | null;
  try {
    data = decompress(view.compression, view.records);
  } catch (e) {
    throw badRecord(
      0,
      `${view.compressionName} data does not decompress (${(e as Error).message})`,
    );
  }
  if (data === null) throw badRecord(0, `unknown codec ${view.compression}`);
  const r = new Reader(data);
  const out: DecodedRecord[] = [];
  try {
    for (let i = 0; i < view.recordCount; i++) out.push(readRecord(r, view, i));
  } catch (e) {
    if (e instanceof DecodeError) throw badRecord(out.length, e.message);
    throw e;
  }
  if (r.remaining !== 0) {
    throw badRecord(out.length, `${r.remaining} bytes left after ${view.recordCount} records`);
  }
  return out;
}

function badRecord(index: number, why: string): CorruptRecordError {
  return new CorruptRecordError("bad_record", `Cannot decode record ${index}: ${why}`);
}

function readNullable(r: Reader, what: string): Uint8Array | null {
  const n = r.varint();
  if (n === -1) return null;
  if (n < 0) throw new DecodeError(`${what} length ${n}`);
  return r.raw(n);
}

function readRecord(outer: Reader, view: RecordBatchView, index: number): DecodedRecord {
  const length = outer.varint();
  if (length < 0) throw new DecodeError(`record length ${length}`);
  const r = new Reader(outer.raw(length));
  r.int8(); // attributes: unused in v2
  const timestampDelta = r.varlong();
  const offsetDelta = r.varint();
  const key = readNullable(r, "key");
  const value = readNullable(r, "value");
  const count = r.varint();
  if (count < 0) throw new DecodeError(`header count ${count}`);
  const headers: RecordHeader[] = [];
  for (let h = 0; h < count; h++) {
    const keyLength = r.varint();
    if (keyLength < 0) throw new DecodeError(`header key length ${keyLength}`);
    headers.push({ key: r.utf8(keyLength), value: readNullable(r, "header value") });
  }
  if (r.remaining !== 0) {
    throw badRecord(index, `length ${length} leaves ${r.remaining} bytes unread`);
  }
  return {
    offset: view.baseOffset + offsetDelta,
    timestamp: view.baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}
