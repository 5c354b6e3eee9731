/**
 * Event-loop lag: a timer set every `intervalMs` measures how late it fires. The broker is one
 * event loop, so this lag is how long every connection, timer and HTTP request waited; a loop
 * that spins on settled promises or does long synchronous work shows up here.
 *
 * Readiness (`blocked()`): not ready while the sampling timer is overdue by `blockedMs` (2 s) or
 * more (the loop is only now waking from a stall, before the timer has run), or while a sample
 * of at least `blockedMs` was taken within the last `holdMs` (15 s). A frozen loop cannot answer
 * `/readyz` at all; once it recovers it keeps reporting the stall for `holdMs`, so probes see it.
 * @module
 */

/** Sampling and readiness settings (all in ms). */
export interface EventLoopMonitorOptions {
  /** How often the loop is sampled (default 500). */
  intervalMs?: number;
  /** A lag at least this long means the loop was blocked (default 2000). */
  blockedMs?: number;
  /** How long a blocked loop keeps readiness down after it recovers (default 15000). */
  holdMs?: number;
  /** Receives every sample (ms). */
  onSample?(lagMs: number): void;
}

/** The window of `maxRecentMs` (ms). */
const WINDOW_MS = 60_000;

/** Samples the event loop's lag on a timer and says whether the loop has been blocked. */
export class EventLoopMonitor {
  private readonly intervalMs: number;
  private readonly blockedMs: number;
  private readonly holdMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the pending sampling timer should fire (performance.now() time). */
  private due = 0;
  private lastBlockedAt = -Infinity;
  private lastBlockedLagMs = 0;
  /** Recent samples as [taken at, lag], oldest first, pruned to the last minute. */
  private readonly recent: [number, number][] = [];

  constructor(private readonly options: EventLoopMonitorOptions = {}) {
    this.intervalMs = options.intervalMs ?? 500;
    this.blockedMs = options.blockedMs ?? 2000;
    this.holdMs = options.holdMs ?? 15_000;
  }

  /** Starts sampling (the timer does not keep the process alive). */
  start(): void {
    if (this.timer !== null) return;
    this.schedule();
  }

  /** Stops sampling. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.due = performance.now() + this.intervalMs;
    const timer = setTimeout(() => {
      const now = performance.now();
      this.record(Math.max(0, now - this.due), now);
      this.schedule();
    }, this.intervalMs);
    Deno.unrefTimer(timer);
    this.timer = timer;
  }

  /** Records one sample: `lagMs` late, observed at `now` (performance.now() time). */
  record(lagMs: number, now: number): void {
    if (lagMs >= this.blockedMs) {
      this.lastBlockedAt = now;
      this.lastBlockedLagMs = lagMs;
    }
    this.recent.push([now, lagMs]);
    while (this.recent.length > 0 && this.recent[0]![0] < now - WINDOW_MS) this.recent.shift();
    this.options.onSample?.(lagMs);
  }

  /** The largest lag in the last minute (ms), counting a sampling timer overdue right now. */
  maxRecentMs(now = performance.now()): number {
    let max = this.overdueMs(now);
    for (const [, lag] of this.recent) max = Math.max(max, lag);
    return max;
  }

  /** Null while the loop is responsive; otherwise why it is not (for `/readyz`). */
  blocked(now = performance.now()): string | null {
    const overdue = this.overdueMs(now);
    if (overdue >= this.blockedMs) {
      return `event loop stalled: the lag timer is ${seconds(overdue)} s overdue`;
    }
    const since = now - this.lastBlockedAt;
    if (since < this.holdMs) {
      return `event loop was blocked for ${seconds(this.lastBlockedLagMs)} s, ${
        seconds(since)
      } s ago`;
    }
    return null;
  }

  /** How late the pending sampling timer is (0 when it is not due yet or sampling is off). */
  private overdueMs(now: number): number {
    return this.timer === null ? 0 : Math.max(0, now - this.due);
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
