/**
 * The segment object format (DESIGN.md invariant 4). Objects are written once and never
 * changed. Layout, big-endian:
 *
 *   header  (48 B)  magic "KSEG", version u16, reserved u16, base offset i64, last offset i64,
 *                   max timestamp i64, batch count u32, data length u32, index length u32,
 *                   reserved u32
 *   data            record batches back to back, exactly as served to consumers
 *   index           per batch: base offset delta u32, position in data u32, last offset delta u32
 *   footer  (8 B)   CRC32C of everything before it, magic "KEND"
 *
 * A reader that knows the object size can fetch the header and index with two ranged GETs, or
 * the whole object with one; every read verifies the checksum.
 * @module
 */
import { crc32c } from "../protocol/records/crc32c.ts";

const MAGIC = 0x4b53_4547; // "KSEG"
const END = 0x4b45_4e44; // "KEND"
const VERSION = 1;
const HEADER = 48;
const FOOTER = 8;
const INDEX_ENTRY = 12;
const TWO_32 = 4294967296;

/** One batch's place in a segment. */
export interface BatchEntry {
  baseOffset: number;
  lastOffset: number;
  position: number;
  size: number;
}

/** A batch to put into a segment. */
export interface SegmentBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  bytes: Uint8Array;
}

/** A decoded, verified segment. */
export interface Segment {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  data: Uint8Array;
  batches: BatchEntry[];
}

/** Raised when an object is not a valid segment (wrong magic, version, or checksum). */
export class CorruptSegmentError extends Error {
  constructor(key: string, why: string) {
    super(`Cannot read segment ${key}: ${why}`);
    this.name = "CorruptSegmentError";
  }
}

function setI64(v: DataView, at: number, n: number) {
  const hi = Math.floor(n / TWO_32);
  v.setInt32(at, hi);
  v.setUint32(at + 4, n - hi * TWO_32);
}
function getI64(v: DataView, at: number): number {
  return v.getInt32(at) * TWO_32 + v.getUint32(at + 4);
}

/** Builds a segment object from batches in offset order. */
export function encodeSegment(batches: readonly SegmentBatch[]): Uint8Array {
  if (batches.length === 0) throw new RangeError("Cannot encode segment: no batches");
  let dataLength = 0;
  let maxTimestamp = -1;
  for (const b of batches) {
    dataLength += b.bytes.byteLength;
    if (b.maxTimestamp > maxTimestamp) maxTimestamp = b.maxTimestamp;
  }
  const indexLength = batches.length * INDEX_ENTRY;
  const total = HEADER + dataLength + indexLength + FOOTER;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const base = batches[0]!.baseOffset;
  const last = batches[batches.length - 1]!.lastOffset;
  v.setUint32(0, MAGIC);
  v.setUint16(4, VERSION);
  setI64(v, 8, base);
  setI64(v, 16, last);
  setI64(v, 24, maxTimestamp);
  v.setUint32(32, batches.length);
  v.setUint32(36, dataLength);
  v.setUint32(40, indexLength);
  let pos = 0;
  let idx = HEADER + dataLength;
  for (const b of batches) {
    out.set(b.bytes, HEADER + pos);
    v.setUint32(idx, b.baseOffset - base);
    v.setUint32(idx + 4, pos);
    v.setUint32(idx + 8, b.lastOffset - base);
    idx += INDEX_ENTRY;
    pos += b.bytes.byteLength;
  }
  v.setUint32(idx, crc32c(out.subarray(0, idx)));
  v.setUint32(idx + 4, END);
  return out;
}

/** Parses and verifies a whole segment object. `data` is a view into `bytes`. */
export function decodeSegment(key: string, bytes: Uint8Array): Segment {
  return parseSegment(key, bytes, true);
}

/**
 * Parses a segment this process has just encoded (to cache it after its upload, or to describe
 * it), without recomputing its checksum: the bytes never left memory, and checksumming every
 * flushed byte again costs a share of the produce path's CPU. Bytes read back from anywhere
 * go through `decodeSegment`.
 */
export function parseOwnSegment(bytes: Uint8Array): Segment {
  return parseSegment("own segment", bytes, false);
}

function parseSegment(key: string, bytes: Uint8Array, verify: boolean): Segment {
  if (bytes.byteLength < HEADER + FOOTER) throw new CorruptSegmentError(key, "too short");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0) !== MAGIC) throw new CorruptSegmentError(key, "bad magic");
  if (v.getUint16(4) !== VERSION) {
    throw new CorruptSegmentError(key, `unknown version ${v.getUint16(4)}`);
  }
  const count = v.getUint32(32);
  const dataLength = v.getUint32(36);
  const indexLength = v.getUint32(40);
  const end = HEADER + dataLength + indexLength;
  if (indexLength !== count * INDEX_ENTRY || end + FOOTER !== bytes.byteLength) {
    throw new CorruptSegmentError(key, "lengths do not match the object size");
  }
  if (v.getUint32(end + 4) !== END) throw new CorruptSegmentError(key, "bad end marker");
  if (verify && crc32c(bytes.subarray(0, end)) !== v.getUint32(end)) {
    throw new CorruptSegmentError(key, "checksum mismatch");
  }
  const base = getI64(v, 8);
  const batches: BatchEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = HEADER + dataLength + i * INDEX_ENTRY;
    const position = v.getUint32(at + 4);
    const next = i + 1 < count ? v.getUint32(at + INDEX_ENTRY + 4) : dataLength;
    batches[i] = {
      baseOffset: base + v.getUint32(at),
      lastOffset: base + v.getUint32(at + 8),
      position,
      size: next - position,
    };
  }
  return {
    baseOffset: base,
    lastOffset: getI64(v, 16),
    maxTimestamp: getI64(v, 24),
    data: bytes.subarray(HEADER, HEADER + dataLength),
    batches,
  };
}

/** Index of the first batch whose last offset is >= `offset`, or -1. */
export function findBatch(segment: Segment, offset: number): number {
  const b = segment.batches;
  let lo = 0;
  let hi = b.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (b[mid]!.lastOffset >= offset) {
      found = mid;
      hi = mid - 1;
    } else lo = mid + 1;
  }
  return found;
}
