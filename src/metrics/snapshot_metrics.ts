/**
 * Metrics of metadata snapshots, with the spec's names (they were the operator's etcd
 * snapshot series in the Go KafScale). The times come from the object store, not from this
 * broker, so every broker of a cluster reports the same age whichever one snapshots:
 *
 * - `kafscale_operator_etcd_snapshot_age_seconds`: seconds since the newest committed snapshot
 *   finished uploading (+Inf when there is none);
 * - `kafscale_operator_etcd_snapshot_last_success_timestamp`: when that was (unix seconds, 0
 *   when none);
 * - `kafscale_operator_etcd_snapshot_last_schedule_timestamp`: when the newest attempt started,
 *   as the object store shows it or as this broker made it (unix seconds, 0 when none);
 * - `kafscale_operator_etcd_snapshot_stale`: 1 when the age is past the threshold
 *   (`KAFSCALE_METADATA_SNAPSHOT_STALE_SECONDS`) while snapshots are expected (the interval is
 *   not 0, or snapshots exist), else 0;
 * - `kafscale_operator_etcd_snapshot_access_ok`: 1 when the last read or write of the snapshot
 *   folder in the object store succeeded.
 * @module
 */
import client from "prom-client";

/** What is known about snapshots, as of the last look at the object store. */
export interface SnapshotStatus {
  /** When the newest committed snapshot's upload finished (ms), or null. */
  lastSuccessMs: number | null;
  /** When the newest snapshot attempt started (ms), or null. */
  lastScheduleMs: number | null;
  accessOk: boolean;
}

/** The snapshot gauges, read at scrape time from the latest status. */
export class SnapshotMetrics {
  private status: SnapshotStatus = { lastSuccessMs: null, lastScheduleMs: null, accessOk: true };

  constructor(
    registry: client.Registry,
    options: { staleSeconds: number; expected: boolean; now?: () => number },
  ) {
    const now = options.now ?? Date.now;
    const get = () => this.status;
    const age = () => {
      const last = get().lastSuccessMs;
      return last === null ? Infinity : Math.max(0, (now() - last) / 1000);
    };
    const r = [registry];
    new client.Gauge({
      name: "kafscale_operator_etcd_snapshot_age_seconds",
      help: "Seconds since the newest metadata snapshot in the object store finished uploading",
      registers: r,
      collect() {
        this.set(age());
      },
    });
    new client.Gauge({
      name: "kafscale_operator_etcd_snapshot_last_success_timestamp",
      help: "When the newest metadata snapshot finished uploading (unix seconds; 0: none)",
      registers: r,
      collect() {
        this.set((get().lastSuccessMs ?? 0) / 1000);
      },
    });
    new client.Gauge({
      name: "kafscale_operator_etcd_snapshot_last_schedule_timestamp",
      help: "When the newest metadata snapshot attempt started (unix seconds; 0: none)",
      registers: r,
      collect() {
        this.set((get().lastScheduleMs ?? 0) / 1000);
      },
    });
    new client.Gauge({
      name: "kafscale_operator_etcd_snapshot_stale",
      help: "1 when the newest metadata snapshot is older than the staleness threshold",
      registers: r,
      collect() {
        const expected = options.expected || get().lastSuccessMs !== null;
        this.set(expected && age() > options.staleSeconds ? 1 : 0);
      },
    });
    new client.Gauge({
      name: "kafscale_operator_etcd_snapshot_access_ok",
      help: "1 when the last access to the snapshot folder in the object store succeeded",
      registers: r,
      collect() {
        this.set(get().accessOk ? 1 : 0);
      },
    });
  }

  /** Seconds since the newest snapshot finished uploading, or null when there is none. */
  ageSeconds(now = Date.now()): number | null {
    const last = this.status.lastSuccessMs;
    return last === null ? null : Math.max(0, (now - last) / 1000);
  }

  /** Records what the object store showed. */
  update(status: SnapshotStatus): void {
    this.status = status;
  }
}
