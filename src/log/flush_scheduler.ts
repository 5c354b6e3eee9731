/**
 * When flush cycles start: group commit for acks=1/all (DESIGN.md section 4). A cycle flushes
 * every partition that buffered batches since the last one, all at once, so their segments share
 * one object and their commits one metadata transaction. The scheduler only decides when a cycle
 * starts; what a cycle does, and when it counts as finished, is the caller's (log_manager.ts:
 * when its upload ended).
 *
 * A cycle starts once work was asked for and
 * - the current event-loop turn has ended (so every partition appended in this turn, e.g. by
 *   one Produce request, joins the same cycle), and
 * - at least `spacingMs` have passed since the last start, and
 * - fewer than the limit of cycles are in flight: 1 with `spacingMs` 0 (back to back, one at a
 *   time), else MAX_CYCLES_IN_FLIGHT (a slow object store does not hold every cycle up to its
 *   latency: the spacing alone paces them, as a flush timer would).
 *
 * States (`state`): `idle` (nothing asked for, nothing in flight) -> `waiting` (a start is
 * scheduled: the end of the turn, or the end of the spacing) -> `running` (cycles in flight, no
 * start scheduled; work asked for now waits for one to finish) -> `idle` or `waiting`;
 * `closed` ends it.
 *
 * So the cycles per second (and with them object PUTs) are bounded by `1000 / spacingMs`, and
 * with `spacingMs` 0 by one cycle in flight at a time, never by the request rate; and an append
 * on an idle broker is flushed at the end of its turn.
 * @module
 */
import { clearImmediate, setImmediate } from "node:timers";

/** The clock and timers a scheduler uses (tests pass ones they control). */
export interface FlushTimers {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Runs `fn` at the end of the current event-loop turn; returns a cancel function. */
  soon(fn: () => void): () => void;
  /** Runs `fn` after `ms` milliseconds; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

/**
 * The real clock and timers. `soon` is `setImmediate`: a `setTimeout(0)` costs about 2 ms here,
 * which every acknowledgement would pay.
 */
export const realTimers: FlushTimers = {
  now: () => performance.now(),
  soon(fn) {
    const handle = setImmediate(fn);
    return () => clearImmediate(handle);
  },
  after(ms, fn) {
    const handle = setTimeout(fn, Math.ceil(ms));
    return () => clearTimeout(handle);
  },
};

/** Settings of a scheduler. */
export interface FlushSchedulerOptions {
  /** Least time between the starts of two cycles (ms); 0: back to back. */
  spacingMs: number;
  timers?: FlushTimers;
}

/** The state of a scheduler (see the module doc). */
export type FlushSchedulerState = "idle" | "waiting" | "running" | "closed";

/** Cycles that may be in flight at once when `spacingMs` is above 0 (like MAX_SEALED). */
export const MAX_CYCLES_IN_FLIGHT = 4;

/** Starts flush cycles on request, at least `spacingMs` apart, a bounded number at a time. */
export class FlushScheduler {
  private closed = false;
  /** Work was asked for and no start scheduled since then takes it. */
  private pending = false;
  private inFlight = 0;
  private lastStart = -Infinity;
  /** Cancels the scheduled start (null: none scheduled). */
  private cancel: (() => void) | null = null;
  private readonly running = new Set<Promise<void>>();
  private readonly timers: FlushTimers;
  private readonly maxInFlight: number;

  /** `cycle` runs one flush cycle; its failures are its own (they are ignored here). */
  constructor(
    private readonly cycle: () => Promise<void>,
    private readonly options: FlushSchedulerOptions,
  ) {
    this.timers = options.timers ?? realTimers;
    this.maxInFlight = options.spacingMs > 0 ? MAX_CYCLES_IN_FLIGHT : 1;
  }

  /** Where the scheduler is (see the module doc). */
  get state(): FlushSchedulerState {
    if (this.closed) return "closed";
    if (this.cancel) return "waiting";
    return this.inFlight > 0 ? "running" : "idle";
  }

  /** Asks for a cycle: there is buffered work. Cheap; call it after every append. */
  request(): void {
    this.pending = true;
    this.schedule();
  }

  /** Schedules the next start, unless one is scheduled or the cycles in flight are too many. */
  private schedule(): void {
    if (this.closed || this.cancel || !this.pending || this.inFlight >= this.maxInFlight) return;
    const wait = this.lastStart + this.options.spacingMs - this.timers.now();
    this.cancel = wait > 0
      ? this.timers.after(wait, () => this.start())
      : this.timers.soon(() => this.start());
  }

  private start(): void {
    this.cancel = null;
    if (this.closed) return;
    this.pending = false;
    this.inFlight++;
    this.lastStart = this.timers.now();
    const run: Promise<void> = this.cycle().catch(() => {}).then(() => {
      this.running.delete(run);
      this.inFlight--;
      this.schedule(); // work asked for meanwhile (or held back by the limit) goes now
    });
    this.running.add(run);
  }

  /** Stops starting cycles; resolves once the cycles in flight have finished. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancel?.();
    this.cancel = null;
    await Promise.all([...this.running]);
  }
}
