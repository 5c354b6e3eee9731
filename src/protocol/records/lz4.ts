/**
 * LZ4 frames, the lz4 codec of record batches (codec 3), for the compactor and the produce key
 * check, which must read records (docs/DESIGN.md, "Log compaction"). Written from the LZ4 frame
 * and block format descriptions; pure computation, no I/O.
 *
 * - Decoding takes any frame clients write: independent or linked blocks, block and content
 *   checksums and a content size present or not (checksums are not verified: the batch's CRC
 *   covers these bytes). A dictionary id is refused.
 * - Encoding writes what Kafka's own Java producer writes: independent 64 KiB blocks, no
 *   checksums, the header checksum byte that Kafka's reader verifies. Blocks are compressed by a
 *   greedy single-probe matcher (fast, not the smallest output); a block that does not shrink is
 *   stored uncompressed.
 * @module
 */

import { copyBytes } from "../primitives.ts";

const MAGIC = 0x184d2204;
/** FLG: version 01, blocks independent; no checksums, no content size, no dictionary. */
const FLG = 0x60;
/** BD: 64 KiB maximum block size. */
const BD = 0x40;
const BLOCK_BYTES = 64 * 1024;
const UNCOMPRESSED_BLOCK = 0x80000000;
const MIN_MATCH = 4;
/** The last 5 bytes of a block are literals, and the last match starts 12 bytes before its end. */
const LAST_LITERALS = 5;
const MATCH_START_LIMIT = 12;
const HASH_BITS = 14;

/** A growing output buffer. */
class Output {
  buf: Uint8Array;
  len = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(capacity, 64));
  }

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.len);
    this.len += src.length;
  }

  u32le(n: number, at = this.len): void {
    if (at === this.len) this.ensure(4);
    this.buf[at] = n & 0xff;
    this.buf[at + 1] = (n >>> 8) & 0xff;
    this.buf[at + 2] = (n >>> 16) & 0xff;
    this.buf[at + 3] = (n >>> 24) & 0xff;
    if (at === this.len) this.len += 4;
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function corrupt(why: string): Error {
  return new Error(`Cannot decompress lz4 data: ${why}`);
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** Decodes an LZ4 frame (see the module doc for what is accepted). Throws on bad input. */
export function lz4Decompress(src: Uint8Array): Uint8Array {
  if (src.length < 7 || u32le(src, 0) !== MAGIC) throw corrupt("not an LZ4 frame");
  const flg = src[4]!;
  if (flg >>> 6 !== 1) throw corrupt(`frame version ${flg >>> 6}`);
  if (flg & 0x01) throw corrupt("frames with a dictionary are not supported");
  const blockMax = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20][(src[5]! >>> 4) & 7]!;
  if (blockMax === 0) throw corrupt("invalid block size in the frame descriptor");
  let pos = 6;
  let capacity = src.length * 4;
  if (flg & 0x08) {
    // Content size (u64): a hint for the output's size, never trusted beyond what the data can
    // plausibly hold (the output grows as it is written anyway).
    const size = u32le(src, pos) + u32le(src, pos + 4) * 4294967296;
    capacity = Math.min(size, src.length * 16);
    pos += 8;
  }
  pos++; // header checksum
  const out = new Output(capacity);
  for (;;) {
    if (pos + 4 > src.length) throw corrupt("the frame ends before its end mark");
    const word = u32le(src, pos);
    pos += 4;
    if (word === 0) break;
    const size = word & ~UNCOMPRESSED_BLOCK;
    if (size > blockMax || pos + size > src.length) throw corrupt("a block runs past the frame");
    if (word & UNCOMPRESSED_BLOCK) out.bytes(src.subarray(pos, pos + size));
    else decodeBlock(src, pos, pos + size, out);
    pos += size + (flg & 0x10 ? 4 : 0); // block checksum
  }
  return out.result();
}

/** Decodes one LZ4 block into `out` (matches may reach into earlier blocks' output). */
function decodeBlock(src: Uint8Array, start: number, end: number, out: Output): void {
  let i = start;
  const length = (n: number): number => {
    let b;
    do {
      if (i >= end) throw corrupt("a length runs past the block");
      b = src[i++]!;
      n += b;
    } while (b === 255);
    return n;
  };
  while (i < end) {
    const token = src[i++]!;
    let literals = token >>> 4;
    if (literals === 15) literals = length(literals);
    if (i + literals > end) throw corrupt("literals run past the block");
    out.ensure(literals);
    copyBytes(src, i, out.buf, out.len, literals);
    out.len += literals;
    i += literals;
    if (i === end) return; // the last sequence has literals only
    if (i + 2 > end) throw corrupt("a match offset runs past the block");
    const offset = src[i]! | (src[i + 1]! << 8);
    i += 2;
    if (offset === 0 || offset > out.len) throw corrupt("a match points before the data");
    let match = token & 15;
    if (match === 15) match = length(match);
    match += MIN_MATCH;
    out.ensure(match);
    const buf = out.buf;
    const from = out.len - offset;
    if (offset >= match) copyBytes(buf, from, buf, out.len, match);
    else for (let k = 0; k < match; k++) buf[out.len + k] = buf[from + k]!;
    out.len += match;
  }
}

/** Encodes `data` as one LZ4 frame (see the module doc). */
export function lz4Compress(data: Uint8Array): Uint8Array {
  const out = new Output(data.length + (data.length >>> 7) + 64);
  out.u32le(MAGIC);
  out.byte(FLG);
  out.byte(BD);
  out.byte((xxh32(new Uint8Array([FLG, BD])) >>> 8) & 0xff);
  const table = new Int32Array(1 << HASH_BITS);
  for (let start = 0; start < data.length; start += BLOCK_BYTES) {
    const end = Math.min(start + BLOCK_BYTES, data.length);
    const sizeAt = out.len;
    out.u32le(0);
    encodeBlock(data, start, end, out, table);
    const size = out.len - sizeAt - 4;
    if (size >= end - start) {
      out.len = sizeAt;
      out.u32le((end - start) | UNCOMPRESSED_BLOCK);
      out.bytes(data.subarray(start, end));
    } else {
      out.u32le(size, sizeAt);
    }
  }
  out.u32le(0); // end mark
  return out.result();
}

function read32(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
}

/** Compresses data[start, end) as one independent block (greedy, one probe per position). */
function encodeBlock(
  src: Uint8Array,
  start: number,
  end: number,
  out: Output,
  table: Int32Array,
): void {
  table.fill(-1);
  let anchor = start;
  const matchStartLimit = end - MATCH_START_LIMIT;
  const matchEndLimit = end - LAST_LITERALS;
  let i = start;
  // After every 64 misses in a row the probe steps one byte further (LZ4's acceleration), so
  // data without matches costs less to get through.
  let misses = 0;
  while (i < matchStartLimit) {
    const seq = read32(src, i);
    const h = Math.imul(seq, 2654435761) >>> (32 - HASH_BITS);
    const ref = table[h]!;
    table[h] = i;
    if (ref < start || i - ref > 65535 || read32(src, ref) !== seq) {
      i += 1 + (misses++ >>> 6);
      continue;
    }
    misses = 0;
    let match = MIN_MATCH;
    while (i + match < matchEndLimit && src[ref + match] === src[i + match]) match++;
    sequence(out, src, anchor, i, i - ref, match);
    i += match;
    anchor = i;
  }
  sequence(out, src, anchor, end, 0, 0);
}

/** Writes literals src[from, to) and then a match (`match` 0: the last sequence, literals only). */
function sequence(
  out: Output,
  src: Uint8Array,
  from: number,
  to: number,
  offset: number,
  match: number,
): void {
  const literals = to - from;
  const code = match - MIN_MATCH;
  out.ensure(literals + (literals >>> 8) + (code >>> 8) + 8);
  out.byte((Math.min(literals, 15) << 4) | (match ? Math.min(code, 15) : 0));
  if (literals >= 15) lengthBytes(out, literals - 15);
  copyBytes(src, from, out.buf, out.len, literals);
  out.len += literals;
  if (!match) return;
  out.byte(offset & 0xff);
  out.byte(offset >>> 8);
  if (code >= 15) lengthBytes(out, code - 15);
}

function lengthBytes(out: Output, n: number): void {
  for (; n >= 255; n -= 255) out.byte(255);
  out.byte(n);
}

const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** xxHash32 of `b` (the frame descriptor's checksum byte is its second byte). */
export function xxh32(b: Uint8Array, seed = 0): number {
  const n = b.length;
  let i = 0;
  let h: number;
  if (n >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    const round = (acc: number, lane: number) => Math.imul(rotl(acc + Math.imul(lane, P2), 13), P1);
    for (; i + 16 <= n; i += 16) {
      v1 = round(v1, read32(b, i));
      v2 = round(v2, read32(b, i + 4));
      v3 = round(v3, read32(b, i + 8));
      v4 = round(v4, read32(b, i + 12));
    }
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
  } else {
    h = seed + P5;
  }
  h = (h + n) | 0;
  for (; i + 4 <= n; i += 4) h = Math.imul(rotl(h + Math.imul(read32(b, i), P3), 17), P4);
  for (; i < n; i++) h = Math.imul(rotl(h + Math.imul(b[i]!, P5), 11), P1);
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}
