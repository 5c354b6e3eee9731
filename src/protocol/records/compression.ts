/**
 * The record codecs the broker can open, for the two places that must read records rather than
 * carry them: keys on compacted topics at produce, and the compactor. gzip and zstd use the
 * runtime's built-in zlib (`node:zlib`, synchronous: no stream round trips per batch); snappy
 * and lz4 have no built-in codec, so batches in them are never opened: `decompress` answers
 * null and callers keep such batches whole (see docs/DESIGN.md, "Log compaction").
 * Pure computation, no I/O.
 * @module
 */
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from "node:zlib";

const NONE = 0;
const GZIP = 1;
const ZSTD = 4;

/** Whether records in codec `codec` (attributes bits 0-2) can be read and written here. */
export function canOpen(codec: number): boolean {
  return codec === NONE || codec === GZIP || codec === ZSTD;
}

/**
 * The uncompressed records section of a batch in `codec`, or null when the codec is one the
 * broker cannot open (snappy, lz4, or an invalid id). Throws when the bytes do not decompress.
 */
export function decompress(codec: number, data: Uint8Array): Uint8Array | null {
  if (codec === NONE) return data;
  if (codec === GZIP) return new Uint8Array(gunzipSync(data));
  if (codec === ZSTD) return new Uint8Array(zstdDecompressSync(data));
  return null;
}

/** Compresses a records section with `codec` (one `canOpen` accepts). */
export function compress(codec: number, data: Uint8Array): Uint8Array {
  if (codec === NONE) return data;
  if (codec === GZIP) return new Uint8Array(gzipSync(data));
  if (codec === ZSTD) return new Uint8Array(zstdCompressSync(data));
  throw new RangeError(`Cannot compress records with codec ${codec}: not supported here`);
}
