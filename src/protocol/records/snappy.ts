/**
 * Snappy, the snappy codec of record batches (codec 2), for the compactor and the produce key
 * check, which must read records (docs/DESIGN.md, "Log compaction"). Written from the Snappy
 * format description; pure computation, no I/O.
 *
 * Clients write one of two forms, and a consumer reads both: the Java client (and
 * kafka-python) the xerial stream (an 8-byte magic, two version words, then chunks each a
 * big-endian length and a raw Snappy block); librdkafka and franz-go one raw Snappy block.
 * `snappyDecompress` reads either; `snappyCompress` writes the form it is asked for, so a
 * rebuilt batch keeps the form its producer chose. Compression is a greedy single-probe
 * matcher over 64 KiB fragments (fast, not the smallest output).
 * @module
 */

import { concatBytes, copyBytes } from "../primitives.ts";

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER = 16;
/** Uncompressed bytes per xerial chunk (the Java client's default block size). */
const XERIAL_CHUNK = 32 * 1024;
const FRAGMENT = 64 * 1024;
const HASH_BITS = 14;
/** Output bytes per input byte a raw block can reach (see `decodeRaw`). */
const MAX_EXPANSION = 22;

function corrupt(why: string): Error {
  return new Error(`Cannot decompress snappy data: ${why}`);
}

/** Whether `data` is a xerial stream (the Java client's form). */
export function isXerial(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER) return false;
  return XERIAL_MAGIC.every((b, i) => data[i] === b);
}

/** Decodes raw Snappy or a xerial stream of Snappy chunks. Throws on bad input. */
export function snappyDecompress(data: Uint8Array): Uint8Array {
  if (!isXerial(data)) return decodeRaw(data);
  const parts: Uint8Array[] = [];
  let total = 0;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let pos = XERIAL_HEADER; pos < data.length;) {
    if (pos + 4 > data.length) throw corrupt("a chunk length runs past the data");
    const size = v.getInt32(pos);
    pos += 4;
    if (size < 0 || pos + size > data.length) throw corrupt("a chunk runs past the data");
    const part = decodeRaw(data.subarray(pos, pos + size));
    parts.push(part);
    total += part.length;
    pos += size;
  }
  return concatBytes(parts);
}

/** Decodes one raw Snappy block: a varint length, then literals and copies. */
function decodeRaw(src: Uint8Array): Uint8Array {
  let i = 0;
  let length = 0;
  for (let shift = 0;; shift += 7) {
    if (i >= src.length || shift > 28) throw corrupt("bad length header");
    const b = src[i++]!;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  // The longest output an element can give is a 64-byte copy from 3 bytes: a header claiming
  // more than that allows is damaged (or hostile), and is refused before anything is allocated.
  if (length > src.length * MAX_EXPANSION) {
    throw corrupt("length header larger than the data holds");
  }
  const out = new Uint8Array(length);
  let o = 0;
  const need = (n: number) => {
    if (i + n > src.length) throw corrupt("an element runs past the data");
  };
  while (i < src.length) {
    const tag = src[i++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const bytes = n - 59;
        need(bytes);
        n = 0;
        for (let k = 0; k < bytes; k++) n += src[i + k]! * 2 ** (8 * k);
        i += bytes;
      }
      n += 1;
      need(n);
      if (o + n > length) throw corrupt("output longer than its header says");
      copyBytes(src, i, out, o, n);
      i += n;
      o += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      need(1);
      n = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[i++]!;
    } else if (kind === 2) {
      need(2);
      n = (tag >>> 2) + 1;
      offset = src[i]! | (src[i + 1]! << 8);
      i += 2;
    } else {
      need(4);
      n = (tag >>> 2) + 1;
      offset = (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)) >>> 0;
      i += 4;
    }
    if (offset === 0 || offset > o) throw corrupt("a copy points before the data");
    if (o + n > length) throw corrupt("output longer than its header says");
    const from = o - offset;
    if (offset >= n) copyBytes(out, from, out, o, n);
    else for (let k = 0; k < n; k++) out[o + k] = out[from + k]!;
    o += n;
  }
  if (o !== length) throw corrupt(`${length - o} bytes fewer than its header says`);
  return out;
}

/** Encodes `data` as raw Snappy, or as a xerial stream when `xerial` is set. */
export function snappyCompress(data: Uint8Array, xerial = false): Uint8Array {
  if (!xerial) return encodeRaw(data);
  const chunks: Uint8Array[] = [];
  let total = XERIAL_HEADER;
  for (let at = 0; at < data.length; at += XERIAL_CHUNK) {
    const c = encodeRaw(data.subarray(at, Math.min(at + XERIAL_CHUNK, data.length)));
    chunks.push(c);
    total += 4 + c.length;
  }
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set(XERIAL_MAGIC);
  v.setInt32(8, 1); // version
  v.setInt32(12, 1); // compatible version
  let pos = XERIAL_HEADER;
  for (const c of chunks) {
    v.setInt32(pos, c.length);
    out.set(c, pos + 4);
    pos += 4 + c.length;
  }
  return out;
}

function read32(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
}

function encodeRaw(src: Uint8Array): Uint8Array {
  // Snappy's own bound on the output: literal runs and short copies can cost more than they cover.
  const out = new Uint8Array(32 + src.length + Math.ceil(src.length / 6));
  let o = 0;
  let length = src.length;
  for (; length >= 0x80; length = Math.floor(length / 128)) out[o++] = (length & 0x7f) | 0x80;
  out[o++] = length;
  const table = new Int32Array(1 << HASH_BITS);

  const literal = (from: number, to: number) => {
    const n = to - from;
    if (n === 0) return;
    if (n <= 60) out[o++] = (n - 1) << 2;
    else if (n <= 256) {
      out[o++] = 60 << 2;
      out[o++] = n - 1;
    } else {
      out[o++] = 61 << 2;
      out[o++] = (n - 1) & 0xff;
      out[o++] = (n - 1) >>> 8;
    }
    copyBytes(src, from, out, o, n);
    o += n;
  };
  const copy = (offset: number, n: number) => {
    const two = (len: number) => {
      out[o++] = ((len - 1) << 2) | 2;
      out[o++] = offset & 0xff;
      out[o++] = offset >>> 8;
    };
    for (; n >= 68; n -= 64) two(64);
    if (n > 64) {
      two(60);
      n -= 60;
    }
    if (n >= 12 || offset >= 2048) two(n);
    else {
      out[o++] = ((offset >>> 8) << 5) | ((n - 4) << 2) | 1;
      out[o++] = offset & 0xff;
    }
  };

  for (let start = 0; start < src.length; start += FRAGMENT) {
    const end = Math.min(start + FRAGMENT, src.length);
    table.fill(-1);
    let anchor = start;
    let i = start;
    let misses = 0; // as in lz4.ts: past 32 misses in a row, the probe steps further
    while (i + 4 <= end) {
      const seq = read32(src, i);
      const h = Math.imul(seq, 0x1e35a7bd) >>> (32 - HASH_BITS);
      const ref = table[h]!;
      table[h] = i;
      if (ref < start || read32(src, ref) !== seq) {
        i += 1 + (misses++ >>> 5);
        continue;
      }
      misses = 0;
      let n = 4;
      while (i + n < end && src[ref + n] === src[i + n]) n++;
      literal(anchor, i);
      copy(i - ref, n);
      i += n;
      anchor = i;
    }
    literal(anchor, end);
  }
  return out.subarray(0, o);
}
