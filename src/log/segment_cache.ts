/**
 * A least-recently-used cache of decoded segments, bounded by bytes (`KAFSCALE_CACHE_BYTES`).
 * Newly flushed segments are put in as they are written, so tail reads never touch storage.
 * @module
 */
import type { Segment } from "./segment_format.ts";

/** Cache hit/miss counters, read by metrics. */
export interface CacheStats {
  hits: number;
  misses: number;
  bytes: number;
  entries: number;
}

/** LRU by insertion order of a Map (re-inserted on every hit). */
export class SegmentCache {
  private readonly entries = new Map<string, Segment>();
  private bytes = 0;
  readonly stats: CacheStats = { hits: 0, misses: 0, bytes: 0, entries: 0 };

  constructor(private readonly maxBytes: number) {}

  /** The segment for a key, refreshing its recency. */
  get(key: string): Segment | undefined {
    const s = this.entries.get(key);
    if (s) {
      this.entries.delete(key);
      this.entries.set(key, s);
      this.stats.hits++;
    } else this.stats.misses++;
    return s;
  }

  /** Adds a segment, evicting the least recently used ones past the byte bound. */
  put(key: string, segment: Segment): void {
    const size = segment.data.byteLength;
    if (size > this.maxBytes) return;
    this.remove(key);
    this.entries.set(key, segment);
    this.bytes += size;
    for (const [k, s] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= s.data.byteLength;
    }
    this.sync();
  }

  /** Drops a key (deleted segments). */
  remove(key: string): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.data.byteLength;
      this.sync();
    }
  }

  private sync() {
    this.stats.bytes = this.bytes;
    this.stats.entries = this.entries.size;
  }
}
