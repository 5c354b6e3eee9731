/**
 * Owns the open partition logs of this broker and drives their flushes: every
 * `flushIntervalMs` (timer) and as soon as a partition buffers `segmentBytes` (size).
 * @module
 */
import { type PartitionDeps, PartitionLog } from "./partition_log.ts";

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
  /** Current settings of a topic; read on every use, so config changes apply at once. */
  settingsFor?(topic: string): TopicLogSettings | undefined;
  onFlush?(millis: number, ok: boolean): void;
  onRetention?(topic: string, partition: number, deleted: number): void;
}

/** The broker's partition logs. */
export class LogManager {
  private readonly logs = new Map<string, Promise<PartitionLog>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private retentionTimer: ReturnType<typeof setInterval> | null = null;
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
      this.applyRetention().catch(() => {}); // storage errors are counted by the store wrappers
    }, this.options.retentionCheckMs ?? 30_000);
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

  private flushLog(log: PartitionLog): Promise<void> {
    const started = performance.now();
    return log.flush().then(
      () => this.options.onFlush?.(performance.now() - started, true),
      () => this.options.onFlush?.(performance.now() - started, false),
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
    const logs = await this.openLogs();
    await Promise.all(logs.map((l) => l.close()));
    this.logs.clear();
  }
}
