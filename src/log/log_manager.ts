/**
 * Owns the open partition logs of this broker and drives their flushes. Flushes are group
 * commits (flush_scheduler.ts): an append asks for a flush cycle, which starts at the end of the
 * event-loop turn unless the last one started less than `flushIntervalMs` ago or too many are in
 * flight (with `flushIntervalMs` 0: one; then it starts right after the one in flight); a cycle
 * flushes every partition appended to since the last one together, so their segments share one
 * object and their commits one metadata transaction. A partition that buffers `segmentBytes`
 * flushes at once (size). Also runs retention and segment merging (one timer) and
 * the object garbage collector (its own timer).
 * @module
 */
import { KafkaError } from "../protocol/errors.ts";
import {
  type FlushProgress,
  type PartitionDeps,
  PartitionLog,
  type RetentionDeletion,
} from "./partition_log.ts";
import { collectGarbage, type GcResult, ManifestIndex } from "./object_gc.ts";
import { ROLL_AT_TAIL_KEYS, ROLL_WHEN_IDLE_TAIL_KEYS } from "./manifest_roll.ts";
import { FlushScheduler, type FlushTimers } from "./flush_scheduler.ts";

/** A topic's effective log settings (its overrides, else the broker defaults). */
export interface TopicLogSettings {
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
}

/** Flush and retention settings and hooks. */
export interface LogManagerOptions {
  /** Least time between the starts of two flush cycles (ms); 0: a cycle follows the last. */
  flushIntervalMs: number;
  /** Clock and timers of the flush scheduler (tests); default: the real ones. */
  flushTimers?: FlushTimers;
  segmentBytes: number;
  /** How often retention runs (ms). */
  retentionCheckMs?: number;
  /** How often the object garbage collector runs (ms); 0 or absent: never on a timer. */
  gcIntervalMs?: number;
  /** Age before an unreferenced object is garbage (ms). */
  gcGraceMs?: number;
  /** The cluster id the metadata store must hold for a garbage-collection pass to sweep. */
  clusterId?: string;
  /**
   * Whether this broker owns a partition (cluster placement); a partition it does not own is
   * refused with NOT_LEADER_OR_FOLLOWER. Absent: every partition is ours (one broker).
   */
  owns?(topic: string, partition: number): boolean;
  /** Current settings of a topic; read on every use, so config changes apply at once. */
  settingsFor?(topic: string): TopicLogSettings | undefined;
  onFlush?(millis: number, ok: boolean, bytes: number): void;
  onGc?(result: GcResult | Error): void;
  onRetention?(topic: string, partition: number, deleted: RetentionDeletion[]): void;
  /** A retention pass over every open partition finished. */
  onRetentionCheck?(): void;
  /** A roll moved `moved` tail keys into the partition's manifest (or failed: an Error). */
  onRoll?(topic: string, partition: number, moved: number | Error): void;
  /** A roll merged `merged` small segments into larger ones. */
  onMerge?(merged: number): void;
}

/** The broker's partition logs. */
export class LogManager {
  private readonly logs = new Map<string, Promise<PartitionLog>>();
  /** Starts flush cycles once `start` ran. */
  private scheduler: FlushScheduler | null = null;
  /** Partitions appended to since the last flush cycle began. */
  private readonly dirty = new Set<PartitionLog>();
  private retentionTimer: ReturnType<typeof setInterval> | null = null;
  private gcTimer: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  /** Manifests' referenced objects, kept between garbage-collection passes (immutable). */
  private readonly manifests = new ManifestIndex();
  /** Rolls started after flushes, awaited on close. */
  private readonly rolls = new Set<Promise<number>>();

  constructor(private readonly deps: PartitionDeps, private readonly options: LogManagerOptions) {}

  /** The object store segments live in (for deleting a topic's data). */
  get objectStore() {
    return this.deps.objects;
  }

  /** Starts flushing (appends made before are flushed at once) and the maintenance timers. */
  start(): void {
    this.scheduler = new FlushScheduler(() => this.flushCycle(), {
      spacingMs: this.options.flushIntervalMs,
      timers: this.options.flushTimers,
    });
    if (this.dirty.size > 0) this.scheduler.request();
    this.retentionTimer = setInterval(() => {
      // Storage errors are counted by the store wrappers.
      this.applyRetention().then(() => this.options.onRetentionCheck?.()).then(() => this.rollAll())
        .catch(() => {});
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
      manifests: this.manifests,
      expectClusterId: this.options.clusterId,
    });
  }

  private key(topic: string, partition: number) {
    return `${topic}\u0000${partition}`;
  }

  /**
   * The log of a partition, opening (and taking ownership of) it on first use, and again when
   * an earlier writer here was fenced but placement gives the partition back to this broker.
   */
  get(topic: string, topicId: string, partition: number): Promise<PartitionLog> {
    if (this.options.owns && !this.options.owns(topic, partition)) {
      return Promise.reject(
        new KafkaError("NOT_LEADER_OR_FOLLOWER", `${topic}-${partition} is led by another broker`),
      );
    }
    const k = this.key(topic, partition);
    const existing = this.logs.get(k);
    if (existing) {
      return existing.then((l) => {
        if (!l.isFenced) return l;
        if (this.logs.get(k) === existing) {
          this.logs.delete(k); // forget the fenced writer (it failed what it held)
          l.close().catch(() => {});
        }
        return this.get(topic, topicId, partition); // and take the epoch again (or join that)
      });
    }
    // A partition that cannot be opened (storage trouble) answers a retriable error.
    const log = PartitionLog.open(topic, topicId, partition, this.deps).catch((e) => {
      if (e instanceof KafkaError) throw e;
      throw new KafkaError("KAFKA_STORAGE_ERROR", `Cannot open ${topic}-${partition}: ${e}`);
    });
    this.logs.set(k, log);
    log.catch(() => {
      if (this.logs.get(k) === log) this.logs.delete(k);
    });
    return log;
  }

  /**
   * Closes the logs of partitions this broker no longer owns (placement moved them): buffered
   * records are flushed and committed while the epoch is still ours, then the new owner takes
   * over.
   */
  async release(): Promise<void> {
    for (const [k, p] of [...this.logs]) {
      const log = await p.catch(() => undefined);
      if (!log || !this.options.owns || this.options.owns(log.topic, log.partition)) continue;
      if (this.logs.get(k) === p) this.logs.delete(k);
      await log.close().catch(() => {});
    }
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

  /** Segment references and unflushed bytes of the open partitions (metrics). */
  async segmentCounts(): Promise<
    { manifest: number; tail: number; maxTail: number; unflushedBytes: number }
  > {
    const c = { manifest: 0, tail: 0, maxTail: 0, unflushedBytes: 0 };
    for (const log of await this.openLogs()) {
      c.unflushedBytes += log.unflushedBytes;
      c.tail += log.tailKeys;
      c.manifest += log.committedSegments.length - log.tailKeys;
      c.maxTail = Math.max(c.maxTail, log.tailKeys);
    }
    return c;
  }

  /**
   * Called after an append: flushes at once when the partition has buffered a segment's worth,
   * and asks for a flush cycle for what stays buffered.
   */
  afterAppend(log: PartitionLog): void {
    if (log.bufferedBytes >= this.segmentBytesOf(log.topic)) this.flushLog(log);
    if (log.bufferedBytes > 0) this.markDirty(log);
  }

  private markDirty(log: PartitionLog): void {
    this.dirty.add(log);
    this.scheduler?.request();
  }

  /**
   * One flush cycle: every partition appended to since the last cycle flushes now. Resolves once
   * their uploads ended (their commits follow, in order per partition): the scheduler's limit on
   * cycles in flight bounds PUTs in flight, while the next upload may overlap this cycle's
   * commits. A partition that could not seal (too many of its flushes in flight) waited for its
   * newest commit and goes into the next cycle.
   */
  private async flushCycle(): Promise<void> {
    const logs = [...this.dirty].filter((l) => l.bufferedBytes > 0);
    this.dirty.clear();
    const uploads = logs.map((l) => this.flushLog(l).uploaded.catch(() => {}));
    await Promise.all(uploads);
    for (const l of logs) if (l.bufferedBytes > 0 && l.isOpen) this.markDirty(l);
  }

  /** Applies each open partition's topic retention once. */
  async applyRetention(now = Date.now()): Promise<void> {
    for (const log of await this.openLogs()) {
      const s = this.options.settingsFor?.(log.topic);
      if (!s || (s.retentionMs < 0 && s.retentionBytes < 0)) continue;
      const deleted = await log.applyRetention(now, s.retentionMs, s.retentionBytes);
      if (deleted.length > 0) this.options.onRetention?.(log.topic, log.partition, deleted);
    }
  }

  private segmentBytesOf(topic: string): number {
    return this.options.settingsFor?.(topic)?.segmentBytes ?? this.options.segmentBytes;
  }

  /**
   * Rolls a partition's tail keys into its manifest (merging small segments on the way) once it
   * holds `minTail` keys; repeats while a roll leaves that many. Failures are reported, and the
   * next flush or maintenance pass tries again.
   */
  async roll(log: PartitionLog, minTail = ROLL_AT_TAIL_KEYS): Promise<number> {
    let total = 0;
    try {
      for (let i = 0; i < 1000 && !this.closed; i++) {
        const { moved, merged } = await log.roll(this.segmentBytesOf(log.topic), minTail);
        if (merged > 0) this.options.onMerge?.(merged);
        if (moved === 0) break;
        total += moved;
        this.options.onRoll?.(log.topic, log.partition, moved);
      }
    } catch (e) {
      this.options.onRoll?.(log.topic, log.partition, e as Error);
    }
    return total;
  }

  /** Rolls every open partition that has gathered tail keys (the maintenance pass). */
  async rollAll(minTail = ROLL_WHEN_IDLE_TAIL_KEYS): Promise<void> {
    for (const log of await this.openLogs()) await this.roll(log, minTail);
  }

  /** Flushes one partition, reporting the flush when it committed (or failed). */
  private flushLog(log: PartitionLog): FlushProgress {
    const started = performance.now();
    const bytes = log.bufferedBytes;
    const progress = log.beginFlush();
    if (!progress.sealed) return { ...progress, committed: progress.committed.catch(() => {}) };
    const reported = progress.committed.then(
      () => {
        this.options.onFlush?.(performance.now() - started, true, bytes);
        if (log.tailKeys >= ROLL_AT_TAIL_KEYS && !this.closed) {
          const rolled = this.roll(log);
          this.rolls.add(rolled);
          void rolled.finally(() => this.rolls.delete(rolled));
        }
      },
      () => this.options.onFlush?.(performance.now() - started, false, bytes),
    );
    return { ...progress, committed: reported };
  }

  /**
   * Flushes every log with buffered data now, whatever the flush cycles do, and resolves when
   * those flushes committed (tests, and callers that must not wait for a cycle).
   */
  async flushAll(): Promise<void> {
    const logs = await this.openLogs();
    const flushing = logs.filter((l) => l.bufferedBytes > 0).map((l) => this.flushLog(l));
    await Promise.all(flushing.map((f) => f.committed));
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

  /** Stops the timers, flushes what is buffered, and closes every log. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.scheduler?.close();
    this.dirty.clear();
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    if (this.gcTimer !== null) clearInterval(this.gcTimer);
    await Promise.all([...this.rolls]);
    const logs = await this.openLogs();
    await Promise.all(logs.map((l) => l.close()));
    this.logs.clear();
  }
}
