/**
 * The record codecs, for the two places that must read records rather than carry them: keys on
 * compacted topics at produce, and the compactor. gzip and zstd use the runtime's built-in zlib
 * (`node:zlib`, synchronous: no stream round trips per batch); snappy and lz4 have no built-in
 * codec and use ours (`snappy.ts`, `lz4.ts`). Pure computation, no I/O.
 * @module
 */
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from "node:zlib";
import { isXerial, snappyCompress, snappyDecompress } from "./snappy.ts";
import { lz4Compress, lz4Decompress } from "./lz4.ts";

const NONE = 0;
const GZIP = 1;
const SNAPPY = 2;
const LZ4 = 3;
const ZSTD = 4;

/** Whether records in codec `codec` (attributes bits 0-2) can be read and written here. */
export function canOpen(codec: number): boolean {
  return codec >= NONE && codec <= ZSTD;
}

/**
 * The uncompressed records section of a batch in `codec`, or null when the codec id is not one
 * `canOpen` accepts. Throws when the bytes do not decompress.
 */
export function decompress(codec: number, data: Uint8Array): Uint8Array | null {
  if (codec === NONE) return data;
  if (codec === GZIP) return new Uint8Array(gunzipSync(data));
  if (codec === SNAPPY) return snappyDecompress(data);
  if (codec === LZ4) return lz4Decompress(data);
  if (codec === ZSTD) return new Uint8Array(zstdDecompressSync(data));
  return null;
}

/**
 * Compresses a records section with `codec` (one `canOpen` accepts). `like` is the section it
 * replaces, when there is one: snappy then keeps that section's form (xerial or raw, see
 * snappy.ts), else writes the xerial form the Java client writes.
 */
export function compress(codec: number, data: Uint8Array, like?: Uint8Array): Uint8Array {
  if (codec === NONE) return data;
  if (codec === GZIP) return new Uint8Array(gzipSync(data));
  if (codec === SNAPPY) return snappyCompress(data, like === undefined || isXerial(like));
  if (codec === LZ4) return lz4Compress(data);
  if (codec === ZSTD) return new Uint8Array(zstdCompressSync(data));
  throw new RangeError(`Cannot compress records with codec ${codec}: not a codec`);
}
