/**
 * Builds and reads uncompressed RecordBatch v2 bytes. Used by tests and the admin CLI, never
 * on the broker's hot path (the broker keeps records opaque).
 * @module
 */
import { Reader, Writer } from "../primitives.ts";
import { crc32c } from "./crc32c.ts";
import { BATCH_HEADER_BYTES, RecordBatchView } from "./record_batch.ts";

/** One record to put in a batch. */
export interface RecordInput {
  key?: Uint8Array | null;
  value: Uint8Array | null;
  headers?: { key: string; value: Uint8Array | null }[];
  timestampDelta?: number;
}

/** A decoded record. */
export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: { key: string; value: Uint8Array | null }[];
}

/** Batch-level options. */
export interface BatchOptions {
  baseOffset?: number;
  baseTimestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  attributes?: number;
}

function writeNullableVarBytes(w: Writer, b: Uint8Array | null | undefined) {
  if (b === null || b === undefined) w.varint(-1);
  else w.varint(b.byteLength).raw(b);
}

/** Builds one uncompressed v2 batch with a valid CRC. */
export function buildRecordBatch(records: RecordInput[], o: BatchOptions = {}): Uint8Array {
  const body = new Writer(256);
  const baseTs = o.baseTimestamp ?? Date.now();
  let maxTs = baseTs;
  records.forEach((r, i) => {
    const rec = new Writer(64);
    rec.int8(0).varlong(r.timestampDelta ?? 0).varint(i);
    writeNullableVarBytes(rec, r.key);
    writeNullableVarBytes(rec, r.value);
    rec.varint(r.headers?.length ?? 0);
    for (const h of r.headers ?? []) {
      const k = new TextEncoder().encode(h.key);
      rec.varint(k.byteLength).raw(k);
      writeNullableVarBytes(rec, h.value);
    }
    const bytes = rec.finish();
    body.varint(bytes.byteLength).raw(bytes);
    maxTs = Math.max(maxTs, baseTs + (r.timestampDelta ?? 0));
  });
  const recs = body.finish();
  const w = new Writer(BATCH_HEADER_BYTES + recs.byteLength);
  w.int64(o.baseOffset ?? 0).int32(BATCH_HEADER_BYTES - 12 + recs.byteLength).int32(-1).int8(2);
  w.uint32(0).int16(o.attributes ?? 0).int32(records.length - 1).int64(baseTs).int64(maxTs);
  w.int64(o.producerId ?? -1).int16(o.producerEpoch ?? -1).int32(o.baseSequence ?? -1);
  w.int32(records.length).raw(recs);
  const out = w.finish();
  new DataView(out.buffer, out.byteOffset).setUint32(17, crc32c(out.subarray(21)));
  return out;
}

function readNullableVarBytes(r: Reader): Uint8Array | null {
  const n = r.varint();
  return n < 0 ? null : r.raw(n);
}

/** Decodes the records of an uncompressed batch. Throws for compressed batches. */
export function decodeRecords(view: RecordBatchView): DecodedRecord[] {
  if (view.compression !== 0) {
    throw new Error(`Cannot decode records: batch is ${view.compressionName}-compressed`);
  }
  const r = new Reader(view.records);
  const out: DecodedRecord[] = [];
  for (let i = 0; i < view.recordCount; i++) {
    r.varint(); // length
    r.int8(); // attributes
    const tsDelta = r.varlong();
    const offDelta = r.varint();
    const key = readNullableVarBytes(r);
    const value = readNullableVarBytes(r);
    const headers = [];
    const hn = r.varint();
    for (let h = 0; h < hn; h++) {
      const k = r.utf8(r.varint());
      headers.push({ key: k, value: readNullableVarBytes(r) });
    }
    out.push({
      offset: view.baseOffset + offDelta,
      timestamp: view.baseTimestamp + tsDelta,
      key,
      value,
      headers,
    });
  }
  return out;
}

/** Convenience: a view over built bytes. */
export function viewOf(bytes: Uint8Array): RecordBatchView {
  return new RecordBatchView(bytes);
}
