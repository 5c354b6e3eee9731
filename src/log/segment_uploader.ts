/**
 * Packs the segments of every partition flushing at the same moment into one object, so the
 * number of object PUTs per flush cycle does not grow with the partition count (DESIGN.md
 * section 4: PUTs cost money on S3). Each segment keeps its own header, index and checksum, and
 * its reference records its position: a reader fetches it with one ranged GET.
 *
 * States of a group: `collecting` (segments that arrive before the event loop turns join it:
 * the log manager starts every partition's flush in one pass; `setImmediate`, because a
 * `setTimeout(0)` costs about 2 ms here, on every flush's latency) -> `uploading`
 * (one PUT) -> settled (every segment's promise resolves with its place, or all reject).
 * A group that reaches `maxObjectBytes` is uploaded at once, so objects stay bounded.
 *
 * Every object ends with an index describing its segments (object_index.ts), so the object
 * store alone says what each object holds (recovery after the metadata store is lost).
 * @module
 */
import type { ObjectStore } from "../object_store/types.ts";
import { concatBytes } from "../protocol/primitives.ts";
import { clearImmediate, setImmediate } from "node:timers";
import { type ChunkAbout, type ChunkDescription, encodeObjectIndex } from "./object_index.ts";

/** Where an uploaded segment landed. */
export interface UploadedSegment {
  key: string;
  position: number;
  /** Segments in the object (1 means the object belongs to that segment alone). */
  objectChunks: number;
  /** When the PUT started (ms): a commit later than the collector's grace must not happen. */
  startedMs: number;
}

/** Settings of an uploader. */
export interface UploaderOptions {
  /** Object key prefix (the cluster's namespace in the bucket). */
  namespace: string;
  brokerId: number;
  /** A group is uploaded as soon as it holds this many bytes. */
  maxObjectBytes: number;
  now?: () => number;
  /** Called after every PUT with its size (metrics). */
  onUpload?(bytes: number, segments: number, ok: boolean): void;
}

interface Waiter {
  position: number;
  resolve: (u: UploadedSegment) => void;
  reject: (e: unknown) => void;
}

interface Group {
  parts: Uint8Array[];
  chunks: ChunkDescription[];
  bytes: number;
  waiters: Waiter[];
  timer: ReturnType<typeof setImmediate>;
}

/** Groups concurrent segment uploads into shared objects. */
export class SegmentUploader {
  private group: Group | null = null;

  constructor(private readonly objects: ObjectStore, private readonly options: UploaderOptions) {}

  /**
   * Uploads one encoded segment, described by `about` in the object's index; resolves with its
   * object and position once it is durable.
   */
  upload(segment: Uint8Array, about: ChunkAbout): Promise<UploadedSegment> {
    return new Promise((resolve, reject) => {
      let g = this.group;
      if (!g) {
        const fresh: Group = {
          parts: [],
          chunks: [],
          bytes: 0,
          waiters: [],
          timer: setImmediate(() => this.send(fresh)),
        };
        g = this.group = fresh;
      }
      g.waiters.push({ position: g.bytes, resolve, reject });
      g.parts.push(segment);
      g.chunks.push({ ...about, position: g.bytes, size: segment.byteLength });
      g.bytes += segment.byteLength;
      if (g.bytes >= this.options.maxObjectBytes) {
        clearImmediate(g.timer);
        this.send(g);
      }
    });
  }

  private async send(g: Group): Promise<void> {
    if (this.group === g) this.group = null;
    const now = this.options.now ?? Date.now;
    const startedMs = now();
    const key = `${this.options.namespace}/segments/${String(startedMs).padStart(15, "0")}-` +
      `b${this.options.brokerId}-${crypto.randomUUID()}.seg`;
    const body = concatBytes([...g.parts, encodeObjectIndex(g.chunks)]);
    try {
      // Fresh: the key is unique to this PUT and referenced only once the PUT resolved.
      await this.objects.put(key, body, { ifNoneMatch: true, fresh: true });
      this.options.onUpload?.(g.bytes, g.waiters.length, true);
      const objectChunks = g.waiters.length;
      for (const w of g.waiters) w.resolve({ key, position: w.position, objectChunks, startedMs });
    } catch (e) {
      this.options.onUpload?.(g.bytes, g.waiters.length, false);
      for (const w of g.waiters) w.reject(e);
    }
  }
}
