/**
 * The read side of a partition log: finds the segment holding an offset, loads segments
 * through the cache with one ranged GET each (checksum verified), keeps the next
 * `readaheadSegments` loading in the background, and assembles up to `maxBytes` of whole
 * record batches (the first batch whole even when larger, as Kafka does).
 * @module
 */
import { KafkaError } from "../protocol/errors.ts";
import { concatBytes } from "../protocol/primitives.ts";
import type { ObjectStore } from "../object_store/types.ts";
import type { SegmentRef } from "../metadata/records.ts";
import { decodeSegment, findBatch, type Segment } from "./segment_format.ts";
import type { SegmentCache } from "./segment_cache.ts";

/** Cache key of a segment: its object and position (objects hold many segments). */
export function cacheKey(ref: SegmentRef): string {
  return `${ref.key}#${ref.position}`;
}

/** Reads committed segments of one partition. */
export class SegmentReader {
  constructor(
    private readonly objects: ObjectStore,
    private readonly cache: SegmentCache,
    private readonly readaheadSegments = 0,
  ) {}

  /** Loads a committed segment through the cache (one ranged GET; checksum verified). */
  load(ref: SegmentRef, ahead = false): Promise<Segment> {
    return this.cache.load(cacheKey(ref), async () => {
      const range = { start: ref.position, end: ref.position + ref.size };
      const bytes = await this.objects.get(ref.key, range);
      if (!bytes || bytes.byteLength !== ref.size) {
        throw new KafkaError("KAFKA_STORAGE_ERROR", `segment ${ref.key} is missing from storage`);
      }
      return decodeSegment(ref.key, bytes);
    }, ahead);
  }

  /**
   * Whole batches from `offset` (below `end`) up to `maxBytes`, or null when there are none.
   * `segments` is the list as the read started: rolls, compaction and retention replace the log's
   * list, and a read keeps iterating the one it began with.
   */
  async read(
    segments: readonly SegmentRef[],
    range: { offset: number; end: number; maxBytes: number },
  ): Promise<Uint8Array | null> {
    const parts: Uint8Array[] = [];
    let size = 0;
    let i = indexFor(segments, range.offset);
    let next = range.offset;
    while (i >= 0 && i < segments.length && next < range.end && size < range.maxBytes) {
      this.readAhead(segments, i + 1); // keeps a sequential reader's next segments loading
      const seg = await this.load(segments[i]!);
      const first = findBatch(seg, next);
      if (first >= 0) {
        const start = seg.batches[first]!.position;
        let endPos = start;
        let j = first;
        for (; j < seg.batches.length; j++) {
          const b = seg.batches[j]!;
          if (b.baseOffset >= range.end) break; // a last stable offset inside the segment
          const over = size + (b.position + b.size - start) > range.maxBytes;
          if (over && (size > 0 || j > first)) break;
          endPos = b.position + b.size;
          next = b.lastOffset + 1;
        }
        const chunk = seg.data.subarray(start, endPos);
        if (chunk.byteLength > 0) parts.push(chunk);
        size += chunk.byteLength;
        if (j < seg.batches.length) break;
      }
      i++;
    }
    if (parts.length === 0) return null;
    return parts.length === 1 ? parts[0]! : concatBytes(parts);
  }

  /** Starts loading the segments from index `from` on that are not cached yet (no waiting). */
  private readAhead(segments: readonly SegmentRef[], from: number): void {
    const last = Math.min(segments.length, from + this.readaheadSegments);
    for (let i = from; i < last; i++) {
      const ref = segments[i]!;
      if (this.cache.has(cacheKey(ref))) continue;
      // A failure here is met again (and reported) by the read that needs the segment.
      this.load(ref, true).catch(() => {});
    }
  }
}

/** Index of the segment holding `offset`, else of the first one after it, else -1. */
function indexFor(segments: readonly SegmentRef[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segments[mid]!;
    if (s.last_offset < offset) lo = mid + 1;
    else if (s.base_offset > offset) hi = mid - 1;
    else return mid;
  }
  return lo < segments.length ? lo : -1;
}
