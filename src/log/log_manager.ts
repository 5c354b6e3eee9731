/**
 * Owns the open partition logs of this broker and drives their flushes: every
 * `flushIntervalMs` (timer; all partitions at once, so their segments share one object) and as
 * soon as a partition buffers `segmentBytes` (size). Also runs retention and compaction of
 * small segments (one timer) and the object garbage collector (its own timer).
 * @module
 */
import { type PartitionDeps, PartitionLog } from "./partition_log.ts";
import { collectGarbage, type GcResult } from "./object_gc.ts";

/** A topic's effective log settings (its overrides, else the broker defaults). */
export interface TopicLogSettings {
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
}

/** Flush and retention settings and hooks. */
export interface LogManagerOptions {
  flushIntervalMs: number;
  segmentBytes: number;
  /** How often retention runs (ms). */
  retentionCheckMs?: number;
  /** How often the object garbage collector runs (ms); 0 or absent: never on a timer. */
  gcIntervalMs?: number;
  /** Age before an unreferenced object is garbage (ms). */
  gcGraceMs?: number;
  /** Current settings of a topic; read on every use, so config changes apply at once. */
  settingsFor?(topic: string): TopicLogSettings | undefined;
  onFlush?(millis: number, ok: boolean, bytes: number): void;
  onGc?(result: GcResult | Error): void;
  onRetention?(topic: string, partition: number, deleted: number): void;
  onCompaction?(topic: string, partition: number, merged: number): void;
}

/** The broker's partition logs. */
export class LogManager {
  private readonly logs = new Map<string, Promise<PartitionLog>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private retentionTimer: ReturnType<typeof setInterval> | null = null;
  private gcTimer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(private readonly deps: PartitionDeps, private readonly options: LogManagerOptions) {}

  /** The object store segments live in (for deleting a topic's data). */
  get objectStore() {
    return this.deps.objects;
  }

  /** Starts the flush timer. */
  start(): void {
    this.timer = setInterval(() => this.flushAll(), this.options.flushIntervalMs);
    this.retentionTimer = setInterval(() => {
      // Storage errors are counted by the store wrappers.
      this.applyRetention().then(() => this.compact()).catch(() => {});
    }, this.options.retentionCheckMs ?? 30_000);
    if (this.options.gcIntervalMs) {
      let running = false; // a slow pass (a big bucket) is not overlapped by the next one
      this.gcTimer = setInterval(() => {
        if (running) return;
        running = true;
        this.collectGarbage().then((r) => this.options.onGc?.(r), (e) => this.options.onGc?.(e))
          .finally(() => running = false);
      }, this.options.gcIntervalMs);
    }
  }

  /** One garbage-collection pass over this cluster's segment objects. */
  collectGarbage(now = Date.now()): Promise<GcResult> {
    return collectGarbage(this.deps.objects, this.deps.meta, {
      namespace: this.deps.namespace,
      graceMs: this.options.gcGraceMs ?? 30 * 60_000,
      now,
    });
  }

  private key(topic: string, partition: number) {
    return `${topic}\u0000${partition}`;
  }

  /** The log of a partition, opening (and taking ownership of) it on first use. */
  get(topic: string, topicId: string, partition: number): Promise<PartitionLog> {
    const k = this.key(topic, partition);
    let log = this.logs.get(k);
    if (!log) {
      log = PartitionLog.open(topic, topicId, partition, this.deps);
      this.logs.set(k, log);
      log.catch(() => this.logs.delete(k));
    }
    return log;
  }

  /** The log if it is already open, without opening it. */
  async peek(topic: string, partition: number): Promise<PartitionLog | undefined> {
    return await this.logs.get(this.key(topic, partition))?.catch(() => undefined);
  }

  /** Every open log. */
  async openLogs(): Promise<PartitionLog[]> {
    const all = await Promise.allSettled([...this.logs.values()]);
    return all.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
  }

  /** Called after an append: flushes at once when the partition has buffered enough. */
  afterAppend(log: PartitionLog): void {
    const limit = this.options.settingsFor?.(log.topic)?.segmentBytes ?? this.options.segmentBytes;
    if (log.bufferedBytes >= limit) this.flushLog(log);
  }

  /** Applies each open partition's topic retention once. */
  async applyRetention(now = Date.now()): Promise<void> {
    for (const log of await this.openLogs()) {
      const s = this.options.settingsFor?.(log.topic);
      if (!s || (s.retentionMs < 0 && s.retentionBytes < 0)) continue;
      const deleted = await log.applyRetention(now, s.retentionMs, s.retentionBytes);
      if (deleted > 0) this.options.onRetention?.(log.topic, log.partition, deleted);
    }
  }

  /** Merges runs of small segments of every open partition (a bounded amount per pass). */
  async compact(maxRunsPerPartition = 8): Promise<void> {
    for (const log of await this.openLogs()) {
      const target = this.options.settingsFor?.(log.topic)?.segmentBytes ??
        this.options.segmentBytes;
      for (let i = 0; i < maxRunsPerPartition; i++) {
        const merged = await log.compact(target);
        if (merged === 0) break;
        this.options.onCompaction?.(log.topic, log.partition, merged);
      }
    }
  }

  private flushLog(log: PartitionLog): Promise<void> {
    const started = performance.now();
    const bytes = log.bufferedBytes;
    return log.flush().then(
      () => this.options.onFlush?.(performance.now() - started, true, bytes),
      () => this.options.onFlush?.(performance.now() - started, false, bytes),
    );
  }

  /** Flushes every log with buffered data. */
  async flushAll(): Promise<void> {
    const logs = await this.openLogs();
    await Promise.all(logs.filter((l) => l.bufferedBytes > 0).map((l) => this.flushLog(l)));
  }

  /** Closes and forgets the logs of a topic (deleted topics). */
  async drop(topic: string): Promise<void> {
    for (const [k, log] of [...this.logs]) {
      if (k.startsWith(`${topic}\u0000`)) {
        this.logs.delete(k);
        await log.then((l) => l.close()).catch(() => {});
      }
    }
  }

  /** Stops the timer, flushes what is buffered, and closes every log. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    if (this.gcTimer !== null) clearInterval(this.gcTimer);
    const logs = await this.openLogs();
    await Promise.all(logs.map((l) => l.close()));
    this.logs.clear();
  }
}
