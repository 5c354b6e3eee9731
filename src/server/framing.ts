/**
 * Splits a TCP byte stream into Kafka frames (4-byte big-endian size, then the body).
 * Sans-io: the connection feeds chunks in and takes whole frames out.
 * @module
 */

/** Raised when a frame announces an impossible size; the connection must be closed. */
export class FrameSizeError extends Error {
  constructor(readonly size: number, readonly limit: number) {
    super(
      size < 0
        ? `Cannot read frame: negative size ${size}`
        : `Cannot read frame of ${size} bytes: larger than the limit of ${limit} bytes`,
    );
    this.name = "FrameSizeError";
  }
}

/** Accumulates chunks and yields complete frame bodies. */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private need = -1;

  /** The limit, or a function read at each frame's size (it may change between frames). */
  constructor(private readonly maxFrameBytes: number | (() => number)) {}

  /** Bytes held that do not yet form a whole frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Adds received bytes; returns every frame body now complete (views, not copies). */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.byteLength > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.byteLength;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 4) break;
        const head = this.take(4);
        const size = new DataView(head.buffer, head.byteOffset, 4).getInt32(0);
        const limit = typeof this.maxFrameBytes === "number"
          ? this.maxFrameBytes
          : this.maxFrameBytes();
        if (size < 0 || size > limit) throw new FrameSizeError(size, limit);
        this.need = size;
      }
      if (this.buffered < this.need) break;
      frames.push(this.take(this.need));
      this.need = -1;
    }
    return frames;
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.byteLength >= n) {
      const out = first.subarray(0, n);
      if (first.byteLength === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.byteLength, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.byteLength) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= n;
    return out;
  }
}
