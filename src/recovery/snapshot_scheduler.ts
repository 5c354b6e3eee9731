/**
 * Periodic metadata snapshots in `serve`. Every broker looks at the snapshot folder once a
 * tick (a tenth of the interval, between 1 s and 60 s) and reports what it sees (the age of
 * the newest committed snapshot is the object store's, so every broker reports the same);
 * the one broker that owns the snapshot duty (cluster placement, as for partitions and groups)
 * takes a snapshot when the newest one is due, then prunes old ones.
 *
 * Due: two ticks before the newest snapshot is `intervalMs` old (so, with the staleness
 * threshold equal to the interval, a healthy cluster's age never crosses it), or one tick
 * after start when there is none. The schedule lives in the object store, not in a broker: a
 * new owner after a failover continues it. Two brokers that both believe they own the duty
 * for a moment write two snapshots; unique names make that harmless.
 *
 * States: `idle` (between ticks) -> `looking` (listing the folder) -> `snapshotting` (the
 * owner, when due) -> `idle`; `stopped` after `stop`, which waits for a snapshot under way.
 * @module
 */
import type { MetadataStore } from "../metadata/types.ts";
import type { ObjectStore } from "../object_store/types.ts";
import { takeSnapshot } from "./snapshot.ts";
import {
  listSnapshots,
  type PruneResult,
  pruneSnapshots,
  readMarker,
  snapshotIdTime,
  type SnapshotMarker,
} from "./snapshot_store.ts";

/** What the folder showed at the last look. */
export interface SnapshotStatus {
  lastSuccessMs: number | null;
  lastScheduleMs: number | null;
  accessOk: boolean;
}

/** Settings and hooks of the scheduler. */
export interface SnapshotSchedulerOptions {
  /** How often a snapshot is due (ms); 0: never (the folder is still watched). */
  intervalMs: number;
  keep: number;
  retentionMs: number;
  namespace: string;
  brokerId: number;
  version: string;
  /** The cluster id the metadata store must hold (see `SnapshotOptions.expectClusterId`). */
  clusterId: string;
  /** Whether this broker owns the snapshot duty now. */
  owns(): boolean;
  onStatus?(status: SnapshotStatus): void;
  onSnapshot?(marker: SnapshotMarker, ms: number, pruned: PruneResult): void;
  onError?(what: string, e: unknown): void;
  now?: () => number;
}

/** Ticks between 1 s and 60 s: a tenth of the interval. */
export function tickMs(intervalMs: number): number {
  if (intervalMs <= 0) return 60_000;
  return Math.min(60_000, Math.max(1000, Math.floor(intervalMs / 10)));
}

/** Runs the snapshot schedule of one broker. */
export class SnapshotScheduler {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly startedMs: number;
  private lastStartMs: number | null = null;
  private readonly markers = new Map<string, SnapshotMarker>();
  private last: SnapshotStatus = { lastSuccessMs: null, lastScheduleMs: null, accessOk: true };

  constructor(
    private readonly meta: MetadataStore,
    private readonly objects: ObjectStore,
    private readonly options: SnapshotSchedulerOptions,
  ) {
    this.startedMs = this.now();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Starts ticking (the first look happens at once). */
  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick().finally(() => {
        this.running = null;
        if (!this.stopped) this.timer = setTimeout(loop, tickMs(this.options.intervalMs));
      });
    };
    loop();
  }

  /** One look at the folder, and a snapshot when this broker owns the duty and one is due. */
  async tick(): Promise<void> {
    const status = await this.look();
    const o = this.options;
    if (this.stopped || o.intervalMs <= 0 || !status.accessOk || !o.owns()) return;
    const now = this.now();
    const tick = tickMs(o.intervalMs);
    const due = status.lastSuccessMs === null
      ? now - this.startedMs >= tick
      : now - status.lastSuccessMs >= o.intervalMs - 2 * tick;
    if (!due) return;
    this.lastStartMs = now;
    o.onStatus?.({ ...status, lastScheduleMs: now });
    try {
      const began = performance.now();
      const marker = await takeSnapshot(this.meta, this.objects, {
        namespace: o.namespace,
        brokerId: o.brokerId,
        version: o.version,
        expectClusterId: o.clusterId,
        now: o.now,
      });
      this.markers.set(marker.id, marker);
      const pruned = await pruneSnapshots(this.objects, o.namespace, {
        keep: o.keep,
        maxAgeMs: o.retentionMs,
        now: this.now(),
      });
      o.onSnapshot?.(marker, performance.now() - began, pruned);
    } catch (e) {
      o.onError?.("metadata snapshot failed", e);
    }
    await this.look();
  }

  /** Lists the folder and reports the newest snapshot's times. */
  private async look(): Promise<SnapshotStatus> {
    let status: SnapshotStatus;
    try {
      const listing = await listSnapshots(this.objects, this.options.namespace);
      const newest = listing.committed[0];
      let marker = newest === undefined ? undefined : this.markers.get(newest);
      if (newest !== undefined && !marker) {
        marker = await readMarker(this.objects, this.options.namespace, newest);
        this.markers.clear(); // only the newest is needed again
        this.markers.set(newest, marker);
      }
      const attempts = [
        ...listing.committed.slice(0, 1).map(snapshotIdTime),
        ...listing.uncommitted.map((o) => snapshotIdTime(o.key.slice(o.key.lastIndexOf("/") + 1))),
        this.lastStartMs ?? NaN,
      ].filter((t) => Number.isFinite(t));
      status = {
        lastSuccessMs: marker?.committed_ms ?? null,
        lastScheduleMs: attempts.length > 0 ? Math.max(...attempts) : null,
        accessOk: true,
      };
    } catch (e) {
      this.options.onError?.("reading the metadata snapshot folder failed", e);
      status = { ...this.last, accessOk: false }; // what was seen last still holds
    }
    this.last = status;
    this.options.onStatus?.(status);
    return status;
  }

  /** Stops ticking; waits for a snapshot under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.running;
  }
}
