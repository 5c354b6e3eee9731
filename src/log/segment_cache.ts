/**
 * A least-recently-used cache of decoded segments, bounded by bytes (`KAFSCALE_CACHE_BYTES`).
 * Newly flushed segments are put in as they are written, so tail reads never touch storage.
 * Loads go through `load`, which shares one GET among concurrent readers of a segment and
 * lets read-ahead fill the cache in the background.
 * @module
 */
import type { Segment } from "./segment_format.ts";

/** Cache hit/miss counters, read by metrics. */
export interface CacheStats {
  hits: number;
  misses: number;
  /** Segments loaded ahead of a sequential reader. */
  readahead: number;
  bytes: number;
  entries: number;
}

/** LRU by insertion order of a Map (re-inserted on every hit). */
export class SegmentCache {
  private readonly entries = new Map<string, Segment>();
  private readonly loading = new Map<string, Promise<Segment>>();
  private bytes = 0;
  readonly stats: CacheStats = { hits: 0, misses: 0, readahead: 0, bytes: 0, entries: 0 };

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

  /** Whether a key is cached or being loaded (no effect on recency or counters). */
  has(key: string): boolean {
    return this.entries.has(key) || this.loading.has(key);
  }

  /**
   * The cached segment, or the one `loader` fetches (one fetch however many callers wait).
   * `ahead` marks a read-ahead load, counted apart from misses.
   */
  load(key: string, loader: () => Promise<Segment>, ahead = false): Promise<Segment> {
    const cached = ahead ? this.entries.get(key) : this.get(key);
    if (cached) return Promise.resolve(cached);
    let p = this.loading.get(key);
    if (!p) {
      if (ahead) this.stats.readahead++;
      p = loader().then((seg) => {
        if (this.loading.get(key) === p) this.put(key, seg);
        return seg;
      }).finally(() => this.loading.delete(key));
      this.loading.set(key, p);
    }
    return p;
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
    this.loading.delete(key);
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
