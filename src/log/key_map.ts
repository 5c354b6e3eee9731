/**
 * The compactor's map from record key to the offset of its latest record, in a fixed amount of
 * memory whatever the keys (Kafka's SkimpyOffsetMap): keys are stored as their 128-bit
 * MurmurHash3 (x86_128), never as bytes, in an open-addressed table with linear probing, filled
 * to at most 90% of its slots. When a pass meets more distinct keys than fit, it stops there
 * and the next pass goes on from that offset (several passes, memory still bounded).
 *
 * Two keys with the same 128-bit hash would be taken for one, so the older one's record could
 * be removed; with a 128-bit hash that takes about 2^64 keys to expect once (Kafka accepts the
 * same with MD5). A hash of JavaScript rather than `node:crypto`'s MD5: a digest object per key
 * cost 5 us there, the hash below well under 1 us.
 * @module
 */

/** Bytes per slot: 16 of hash and 8 of offset. */
export const SLOT_BYTES = 24;
/** The share of slots a map fills before it counts as full. */
const LOAD_FACTOR = 0.9;

/** A fixed-size map from key hash to offset. */
export class KeyMap {
  private readonly hashes: Uint32Array;
  private readonly offsets: Float64Array;
  private readonly slots: number;
  private count = 0;
  /** Most distinct keys the map takes. */
  readonly capacity: number;
  private readonly h = new Uint32Array(4);

  /** A map in about `bytes` of memory (at least 16 slots). */
  constructor(bytes: number) {
    this.slots = Math.max(16, Math.floor(bytes / SLOT_BYTES));
    this.hashes = new Uint32Array(this.slots * 4);
    this.offsets = new Float64Array(this.slots).fill(-1);
    this.capacity = Math.floor(this.slots * LOAD_FACTOR);
  }

  /** Bytes the map holds. */
  get bytes(): number {
    return this.hashes.byteLength + this.offsets.byteLength;
  }
  /** Distinct keys in the map. */
  get size(): number {
    return this.count;
  }

  /** Empties the map (for the next pass). */
  clear(): void {
    this.offsets.fill(-1);
    this.count = 0;
  }

  /** The slot of `key`'s hash (in `this.h`): where it is, or the empty slot it would go to. */
  private find(key: Uint8Array): number {
    murmur3x86_128(key, this.h);
    const h = this.h;
    let i = h[0]! % this.slots;
    for (;;) {
      if (this.offsets[i] === -1) return i;
      const at = i * 4;
      const hs = this.hashes;
      if (hs[at] === h[0] && hs[at + 1] === h[1] && hs[at + 2] === h[2] && hs[at + 3] === h[3]) {
        return i;
      }
      i = i + 1 === this.slots ? 0 : i + 1;
    }
  }

  /**
   * Records `offset` as the latest of `key` (offsets are put in increasing order). False when
   * the key is new and the map is full: nothing was stored.
   */
  put(key: Uint8Array, offset: number): boolean {
    const i = this.find(key);
    if (this.offsets[i] === -1) {
      if (this.count >= this.capacity) return false;
      this.count++;
      this.hashes.set(this.h, i * 4);
    }
    this.offsets[i] = offset;
    return true;
  }

  /** The latest offset recorded for `key`, or -1. */
  get(key: Uint8Array): number {
    return this.offsets[this.find(key)]!;
  }
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

function word(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
}

/**
 * MurmurHash3_x86_128 of `key` with `seed` (Austin Appleby's reference), written into `out` as
 * four 32-bit words (h1..h4).
 */
export function murmur3x86_128(key: Uint8Array, out: Uint32Array, seed = 0): void {
  const len = key.byteLength;
  const blocks = len >>> 4;
  let h1 = seed | 0, h2 = seed | 0, h3 = seed | 0, h4 = seed | 0;
  for (let i = 0; i < blocks; i++) {
    const at = i * 16;
    let k1 = word(key, at), k2 = word(key, at + 4), k3 = word(key, at + 8), k4 = word(key, at + 12);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = rotl(h1, 19) + h2 | 0;
    h1 = Math.imul(h1, 5) + 0x561ccd1b | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = rotl(h2, 17) + h3 | 0;
    h2 = Math.imul(h2, 5) + 0x0bcaa747 | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = rotl(h3, 15) + h4 | 0;
    h3 = Math.imul(h3, 5) + 0x96cd1c35 | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = rotl(h4, 13) + h1 | 0;
    h4 = Math.imul(h4, 5) + 0x32ac3b17 | 0;
  }
  const tail = blocks * 16;
  let k1 = 0, k2 = 0, k3 = 0, k4 = 0;
  switch (len & 15) {
    case 15:
      k4 ^= key[tail + 14]! << 16; // falls through
    case 14:
      k4 ^= key[tail + 13]! << 8; // falls through
    case 13:
      k4 ^= key[tail + 12]!;
      k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
      h4 ^= k4; // falls through
    case 12:
      k3 ^= key[tail + 11]! << 24; // falls through
    case 11:
      k3 ^= key[tail + 10]! << 16; // falls through
    case 10:
      k3 ^= key[tail + 9]! << 8; // falls through
    case 9:
      k3 ^= key[tail + 8]!;
      k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
      h3 ^= k3; // falls through
    case 8:
      k2 ^= key[tail + 7]! << 24; // falls through
    case 7:
      k2 ^= key[tail + 6]! << 16; // falls through
    case 6:
      k2 ^= key[tail + 5]! << 8; // falls through
    case 5:
      k2 ^= key[tail + 4]!;
      k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
      h2 ^= k2; // falls through
    case 4:
      k1 ^= key[tail + 3]! << 24; // falls through
    case 3:
      k1 ^= key[tail + 2]! << 16; // falls through
    case 2:
      k1 ^= key[tail + 1]! << 8; // falls through
    case 1:
      k1 ^= key[tail]!;
      k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
      h1 ^= k1;
  }
  h1 ^= len, h2 ^= len, h3 ^= len, h4 ^= len;
  h1 = h1 + h2 + h3 + h4 | 0;
  h2 = h2 + h1 | 0;
  h3 = h3 + h1 | 0;
  h4 = h4 + h1 | 0;
  h1 = fmix(h1), h2 = fmix(h2), h3 = fmix(h3), h4 = fmix(h4);
  h1 = h1 + h2 + h3 + h4 | 0;
  h2 = h2 + h1 | 0;
  h3 = h3 + h1 | 0;
  h4 = h4 + h1 | 0;
  out[0] = h1, out[1] = h2, out[2] = h3, out[3] = h4;
}
