/**
 * Kafka wire primitives: a bounds-checked reader and a chunked writer over bytes.
 * Sans-io: nothing here touches the network or the file system (DESIGN.md house rule 1).
 *
 * int64 values are carried as JS numbers: exact within ±2^53, which covers offsets,
 * timestamps and producer ids a broker hands out; larger values lose low bits.
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const TWO_32 = 4294967296;

/** Raised when bytes cannot be decoded: truncated input or an impossible length. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecodeError";
  }
}

/** A cursor over a byte array. Every read checks bounds and throws `DecodeError`. */
export class Reader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.bytes.byteLength) {
      throw new DecodeError(
        `Cannot read ${n} bytes at offset ${at}: only ${this.bytes.byteLength - at} left`,
      );
    }
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.view.getInt8(this.need(1));
  }
  int16(): number {
    return this.view.getInt16(this.need(2));
  }
  uint16(): number {
    return this.view.getUint16(this.need(2));
  }
  int32(): number {
    return this.view.getInt32(this.need(4));
  }
  uint32(): number {
    return this.view.getUint32(this.need(4));
  }
  int64(): number {
    const at = this.need(8);
    return this.view.getInt32(at) * TWO_32 + this.view.getUint32(at + 4);
  }
  float64(): number {
    return this.view.getFloat64(this.need(8));
  }
  bool(): boolean {
    return this.view.getUint8(this.need(1)) !== 0;
  }

  /** Unsigned LEB128 varint up to 35 bits (lengths, tags). */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.bytes[this.need(1)]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    throw new DecodeError("Cannot read unsigned varint: longer than 5 bytes");
  }
  /** Zigzag varint (int32). */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  /** Zigzag varlong (int64, exact within ±2^53). */
  varlong(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.bytes[this.need(1)]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      mul *= 128;
    }
    throw new DecodeError("Cannot read varlong: longer than 10 bytes");
  }

  /** A view (not a copy) of the next `n` bytes. */
  raw(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  uuid(): Uint8Array {
    return this.raw(16).slice();
  }
  utf8(n: number): string {
    const at = this.need(n);
    try {
      return decoder.decode(this.bytes.subarray(at, at + n));
    } catch {
      throw new DecodeError(`Cannot decode string at offset ${at}: invalid UTF-8`);
    }
  }

  /** int16-length string; `null` for length -1. */
  nullableString(): string | null {
    const n = this.int16();
    if (n === -1) return null;
    if (n < -1) throw new DecodeError(`Cannot read string: negative length ${n}`);
    return this.utf8(n);
  }
  /** uvarint(length+1) string; `null` for 0. */
  compactNullableString(): string | null {
    const n = this.uvarint() - 1;
    return n === -1 ? null : this.utf8(n);
  }
  /** int32-length bytes (view); `null` for length -1. */
  nullableBytes(): Uint8Array | null {
    const n = this.int32();
    if (n === -1) return null;
    if (n < -1) throw new DecodeError(`Cannot read bytes: negative length ${n}`);
    return this.raw(n);
  }
  /** uvarint(length+1) bytes (view); `null` for 0. */
  compactNullableBytes(): Uint8Array | null {
    const n = this.uvarint() - 1;
    return n === -1 ? null : this.raw(n);
  }
  /** Array length: int32, or uvarint(n+1) when compact; -1 means null. */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < -1) throw new DecodeError(`Cannot read array: negative length ${n}`);
    // Every element takes at least one byte: a larger count is garbage, not a huge allocation.
    if (n > this.remaining) {
      throw new DecodeError(
        `Cannot read array of ${n} elements: only ${this.remaining} bytes left`,
      );
    }
    return n;
  }
}

/** Encoded UTF-8 of a string (shared so callers can size before writing). */
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * An append-only byte builder. Small values go into a growing scratch buffer; large byte
 * arrays (record batches) are kept by reference as separate chunks so fetch responses are
 * written without copying segment bytes.
 */
export class Writer {
  private chunks: Uint8Array[] = [];
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  private flushedLength = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.flushedLength + this.pos;
  }

  private ensure(n: number): number {
    if (this.pos + n > this.buf.byteLength) {
      const next = new Uint8Array(Math.max(this.buf.byteLength * 2, this.pos + n, 256));
      next.set(this.buf.subarray(0, this.pos));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  int8(v: number): this {
    const at = this.ensure(1);
    this.view.setInt8(at, v);
    return this;
  }
  int16(v: number): this {
    const at = this.ensure(2);
    this.view.setInt16(at, v);
    return this;
  }
  uint16(v: number): this {
    const at = this.ensure(2);
    this.view.setUint16(at, v);
    return this;
  }
  int32(v: number): this {
    const at = this.ensure(4);
    this.view.setInt32(at, v);
    return this;
  }
  uint32(v: number): this {
    const at = this.ensure(4);
    this.view.setUint32(at, v);
    return this;
  }
  int64(v: number): this {
    const at = this.ensure(8); // before reading this.view: ensure() may replace it
    const hi = Math.floor(v / TWO_32);
    this.view.setInt32(at, hi);
    this.view.setUint32(at + 4, v - hi * TWO_32);
    return this;
  }
  float64(v: number): this {
    const at = this.ensure(8);
    this.view.setFloat64(at, v);
    return this;
  }
  bool(v: boolean): this {
    const at = this.ensure(1);
    this.view.setUint8(at, v ? 1 : 0);
    return this;
  }
  uvarint(v: number): this {
    let n = v;
    while (n >= 0x80) {
      const at = this.ensure(1); // ensure() may replace this.buf: index first
      this.buf[at] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    const at = this.ensure(1);
    this.buf[at] = n;
    return this;
  }
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  varlong(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Appends bytes; large arrays are referenced, not copied. */
  raw(bytes: Uint8Array): this {
    if (bytes.byteLength >= 4096) {
      this.seal();
      this.chunks.push(bytes);
      this.flushedLength += bytes.byteLength;
    } else {
      const at = this.ensure(bytes.byteLength); // may replace this.buf
      this.buf.set(bytes, at);
    }
    return this;
  }
  uuid(v: Uint8Array): this {
    if (v.byteLength !== 16) {
      throw new RangeError(`Cannot write UUID: ${v.byteLength} bytes, not 16`);
    }
    return this.raw(v);
  }
  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const b = encoder.encode(v);
    if (b.byteLength > 32767) throw new RangeError("Cannot write string: longer than 32767 bytes");
    return this.int16(b.byteLength).raw(b);
  }
  compactNullableString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const b = encoder.encode(v);
    return this.uvarint(b.byteLength + 1).raw(b);
  }
  nullableBytes(v: Uint8Array | null): this {
    if (v === null) return this.int32(-1);
    return this.int32(v.byteLength).raw(v);
  }
  compactNullableBytes(v: Uint8Array | null): this {
    if (v === null) return this.uvarint(0);
    return this.uvarint(v.byteLength + 1).raw(v);
  }
  arrayLength(n: number | null, compact: boolean): this {
    if (compact) return this.uvarint(n === null ? 0 : n + 1);
    return this.int32(n === null ? -1 : n);
  }

  /** Reserves an int32 to patch later (frame sizes); returns its absolute position. */
  reserveInt32(): number {
    const at = this.length;
    this.int32(0);
    return at;
  }

  private seal(): void {
    if (this.pos > 0) {
      this.chunks.push(this.buf.subarray(0, this.pos));
      this.flushedLength += this.pos;
      this.buf = this.buf.subarray(this.pos);
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
      this.pos = 0;
    }
  }

  /** The written bytes as a list of chunks (no copy of referenced chunks). */
  chunksOut(): Uint8Array[] {
    this.seal();
    return this.chunks;
  }

  /** The written bytes as one array (copies when there is more than one chunk). */
  finish(): Uint8Array {
    const chunks = this.chunksOut();
    if (chunks.length === 1) return chunks[0]!;
    return concatBytes(chunks);
  }
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Copies `n` bytes between places that do not overlap: a loop for the short runs most sequences
 * are (a typed-array view per run costs more than the run), `set` for long ones.
 */
export function copyBytes(
  src: Uint8Array,
  from: number,
  dst: Uint8Array,
  to: number,
  n: number,
): void {
  if (n < 32) { for (let k = 0; k < n; k++) dst[to + k] = src[from + k]!; }
  else dst.set(src.subarray(from, from + n), to);
}
