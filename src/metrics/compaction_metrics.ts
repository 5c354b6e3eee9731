/**
 * Compaction metrics (src/log/compactor.ts), per broker:
 *
 * - `kafscale_compaction_passes_total{outcome}`: passes committed (`ok`) or failed (`error`);
 * - `kafscale_compaction_read_bytes_total`, `kafscale_compaction_written_bytes_total`: segment
 *   bytes passes read and uploaded (what the throttle counts);
 * - `kafscale_compaction_removed_records_total{reason}`: records removed, `superseded` by a
 *   later record of the key, expired `tombstone`s, `keyless` records, records of `aborted`
 *   transactions;
 * - `kafscale_compaction_unreadable_batches_total`: batches kept whole because their records do
 *   not decompress or decode;
 * - `kafscale_compaction_pass_seconds`: how long a pass took, throttling included;
 * - `kafscale_compaction_throttled_seconds_total`: time passes waited on the throttle;
 * - `kafscale_compaction_dirty_ratio_max`: the largest dirty ratio among this broker's compacted
 *   partitions at the last check (a ratio that stays high: compaction is not keeping up).
 * @module
 */
import client from "prom-client";
import type { PassStats } from "../log/compactor.ts";

/** The compaction series. */
export class CompactionMetrics {
  private readonly passes;
  private readonly read;
  private readonly written;
  private readonly removed;
  private readonly unreadable;
  private readonly seconds;
  private maxRatio = 0;

  constructor(registry: client.Registry, throttledMs: () => number) {
    const r = [registry];
    this.passes = new client.Counter({
      name: "kafscale_compaction_passes_total",
      help: "Compaction passes by outcome (ok: committed, error: failed)",
      labelNames: ["outcome"],
      registers: r,
    });
    this.read = new client.Counter({
      name: "kafscale_compaction_read_bytes_total",
      help: "Segment bytes compaction passes read",
      registers: r,
    });
    this.written = new client.Counter({
      name: "kafscale_compaction_written_bytes_total",
      help: "Segment bytes compaction passes uploaded",
      registers: r,
    });
    this.removed = new client.Counter({
      name: "kafscale_compaction_removed_records_total",
      help: "Records compaction removed (superseded, tombstone, keyless, aborted)",
      labelNames: ["reason"],
      registers: r,
    });
    this.unreadable = new client.Counter({
      name: "kafscale_compaction_unreadable_batches_total",
      help: "Batches compaction kept whole because their records do not decompress or decode",
      registers: r,
    });
    this.seconds = new client.Histogram({
      name: "kafscale_compaction_pass_seconds",
      help: "Duration of compaction passes (s), throttling included",
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers: r,
    });
    new client.Counter({
      name: "kafscale_compaction_throttled_seconds_total",
      help: "Seconds compaction passes waited on KAFSCALE_COMPACTION_BYTES_PER_SEC",
      registers: r,
      collect() {
        this.reset();
        this.inc(throttledMs() / 1000);
      },
    });
    const maxRatio = () => this.maxRatio;
    new client.Gauge({
      name: "kafscale_compaction_dirty_ratio_max",
      help: "Largest dirty ratio among this broker's compacted partitions at the last check",
      registers: r,
      collect() {
        this.set(maxRatio());
      },
    });
    for (const outcome of ["ok", "error"]) this.passes.inc({ outcome }, 0);
    for (const reason of ["superseded", "tombstone", "keyless", "aborted"]) {
      this.removed.inc({ reason }, 0);
    }
  }

  /** Counts a pass: its stats, or the error that ended it. */
  pass(result: PassStats | Error, ms: number): void {
    this.seconds.observe(ms / 1000);
    if (result instanceof Error) {
      this.passes.inc({ outcome: "error" });
      return;
    }
    this.passes.inc({ outcome: "ok" });
    this.read.inc(result.bytesRead);
    this.written.inc(result.bytesWritten);
    this.removed.inc({ reason: "superseded" }, result.removed.superseded);
    this.removed.inc({ reason: "tombstone" }, result.removed.tombstones);
    this.removed.inc({ reason: "keyless" }, result.removed.keyless);
    this.removed.inc({ reason: "aborted" }, result.removed.aborted);
    this.unreadable.inc(result.unreadableBatches);
  }

  /** Records the largest dirty ratio seen by a check. */
  check(maxDirtyRatio: number): void {
    this.maxRatio = maxDirtyRatio;
  }
}
