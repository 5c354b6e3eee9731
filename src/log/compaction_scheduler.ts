/**
 * Runs compaction on this broker: the writer of a partition compacts it (see docs/DESIGN.md,
 * "Log compaction": the swap needs the writer's epoch fence, and placement already spreads
 * partitions over brokers). Every `checkMs` it opens the partitions of compacted topics this
 * broker owns (a few at a time, so a restart does not claim thousands at once), asks each for
 * its outlook (compaction_policy.ts: references only, no I/O), and runs the due ones, the
 * dirtiest first, at most `concurrency` at a time; a partition whose key map filled goes
 * again at once, up to a few passes per check. Each running pass has its own key map of
 * `mapBytes` (memory: `concurrency` x `mapBytes`, plus the segments a pass holds), and all
 * share one byte-rate throttle. `stop` closes the throttle, so passes under way end at their
 * next read or write without committing; what they uploaded is garbage for the collector.
 *
 * States: `idle` (timer armed) -> `checking` (one check at a time) -> `idle`; `stopped`.
 * @module
 */
import type { PartitionLog } from "./partition_log.ts";
import { type CompactionPlan, type PassStats, prepareCompaction } from "./compactor.ts";
import { compactionOutlook, type CompactionSettings } from "./compaction_policy.ts";
import { KeyMap } from "./key_map.ts";
import { Throttle, ThrottleClosedError } from "./throttle.ts";
import type { ObjectStore } from "../object_store/types.ts";

/** A compacted topic and its settings. */
export interface CompactedTopic {
  name: string;
  topicId: string;
  partitions: number;
  settings: CompactionSettings;
}

/** What the scheduler needs from the broker. */
export interface CompactionSources {
  /** The compacted topics now (cleanup.policy with `compact`). */
  topics(): CompactedTopic[];
  /** Whether this broker owns a partition (absent: all of them). */
  owns?(topic: string, partition: number): boolean;
  /** A partition's log if it is open here. */
  peek(topic: string, partition: number): Promise<PartitionLog | undefined>;
  /** Opens (or returns) a partition's log. */
  open(topic: string, topicId: string, partition: number): Promise<PartitionLog>;
  objects: ObjectStore;
  namespace: string;
}

/** Settings and hooks of the scheduler. */
export interface CompactionOptions {
  checkMs: number;
  bytesPerSecond: number;
  concurrency: number;
  mapBytes: number;
  /** A pass ended: its stats, or the error that stopped it; `ms` it took. */
  onPass?(at: { topic: string; partition: number }, result: PassStats | Error, ms: number): void;
  /** A check ended: the largest dirty ratio among this broker's compacted partitions. */
  onCheck?(maxDirtyRatio: number): void;
  now?: () => number;
}

/** Partitions opened per check for compaction alone. */
const OPENS_PER_CHECK = 64;
/** Passes one partition may take in a row within a check (a filled key map goes on). */
const PASSES_IN_A_ROW = 8;

/** Finds and runs due compaction passes on this broker. */
export class CompactionScheduler {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private checking: Promise<void> | null = null;
  private stopped = false;
  private readonly throttle: Throttle;
  private readonly maps: KeyMap[] = [];

  constructor(private readonly src: CompactionSources, private readonly o: CompactionOptions) {
    this.throttle = new Throttle({ bytesPerSecond: o.bytesPerSecond, now: o.now });
  }

  /** Milliseconds passes have waited on the throttle. */
  get throttledMs(): number {
    return this.throttle.waitedMs;
  }

  /** Starts the periodic checks. */
  start(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.checking = this.check().finally(() => {
        this.checking = null;
        if (!this.stopped) this.start();
      });
    }, this.o.checkMs);
  }

  /** One check: opens owned partitions of compacted topics, runs the due passes. */
  async check(): Promise<void> {
    const now = (this.o.now ?? Date.now)();
    const due: { log: PartitionLog; settings: CompactionSettings; ratio: number }[] = [];
    let opens = 0;
    let maxRatio = 0;
    for (const t of this.src.topics()) {
      for (let p = 0; p < t.partitions && !this.stopped; p++) {
        if (this.src.owns && !this.src.owns(t.name, p)) continue;
        const log = await this.openLog(t, p, () => opens++ < OPENS_PER_CHECK);
        if (!log) continue;
        const outlook = compactionOutlook(log.committedSegments, log.compactionState, {
          now,
          settings: t.settings,
        });
        maxRatio = Math.max(maxRatio, outlook.ratio);
        if (outlook.due) due.push({ log, settings: t.settings, ratio: outlook.ratio });
      }
    }
    this.o.onCheck?.(maxRatio);
    due.sort((a, b) => b.ratio - a.ratio);
    const workers = Array.from({ length: Math.max(1, this.o.concurrency) }, async (_, slot) => {
      for (let job = due.shift(); job && !this.stopped; job = due.shift()) {
        await this.compactLog(job.log, job.settings, slot);
      }
    });
    await Promise.all(workers);
  }

  /** The open log of a partition, opening it while `mayOpen` allows; undefined if none. */
  private async openLog(
    t: CompactedTopic,
    p: number,
    mayOpen: () => boolean,
  ): Promise<PartitionLog | undefined> {
    let log = await this.src.peek(t.name, p);
    // Not ours, or storage trouble: the next check tries again.
    if (!log && mayOpen()) log = await this.src.open(t.name, t.topicId, p).catch(() => undefined);
    return log?.isOpen ? log : undefined;
  }

  /** Runs passes on one partition while they are due (a few at most). */
  async compactLog(log: PartitionLog, settings: CompactionSettings, slot = 0): Promise<void> {
    const map = this.maps[slot] ??= new KeyMap(this.o.mapBytes);
    // Passes compact manifest segments only: cleanable tail keys are rolled in first.
    const now = (this.o.now ?? Date.now)();
    const end = compactionOutlook(log.committedSegments, log.compactionState, { now, settings });
    if (end.end > log.committedSegments.length - log.tailKeys) {
      await log.roll(settings.segmentBytes, 1).catch(() => {}); // a later check retries
    }
    for (let i = 0; i < PASSES_IN_A_ROW && !this.stopped && log.isOpen; i++) {
      const started = performance.now();
      const at = { topic: log.topic, partition: log.partition };
      let plan: CompactionPlan | null;
      try {
        plan = await log.replaceSegments("compact", (view) =>
          prepareCompaction(view, {
            settings,
            map,
            objects: this.src.objects,
            namespace: this.src.namespace,
            throttle: (bytes) => this.throttle.take(bytes),
            now: this.o.now,
          }));
      } catch (e) {
        if (!(e instanceof ThrottleClosedError)) {
          this.o.onPass?.(at, e as Error, performance.now() - started);
        }
        return;
      }
      if (!plan) return;
      this.o.onPass?.(at, plan.stats, performance.now() - started);
      if (!plan.stats.mapFull) return;
    }
  }

  /** Stops checking; passes under way stop at their next read or write. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.throttle.close();
    await this.checking;
  }
}
