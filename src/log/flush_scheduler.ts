/**
 * When flush cycles start: group commit for acks=1/all (DESIGN.md section 4). A cycle flushes
 * every partition that buffered batches since the last one, all at once, so their segments share
 * one object and their commits one metadata transaction. The scheduler only decides when a cycle
 * starts; what a cycle does is the caller's (log_manager.ts).
 *
 * States:
 * - `idle`: nothing asked for and no cycle in flight.
 * - `waiting`: work was asked for; the start is scheduled at the end of the current event-loop
 *   turn (so every partition appended in this turn, e.g. by one Produce request, joins the same
 *   cycle), or, when the last start is closer than `spacingMs`, once that spacing has passed.
 * - `running`: a cycle is in flight; work asked for now waits for the next cycle, which is
 *   scheduled (as from `idle`) as soon as this one finishes.
 * - `closed`: nothing starts any more.
 *
 * So at most one cycle is in flight, and starts are at least `spacingMs` apart: the cycles per
 * second (and with them object PUTs) are bounded by the spacing and by how long a cycle takes,
 * never by the request rate. With `spacingMs` 0 an append on an idle broker is flushed at once.
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

/** Starts flush cycles on request, one at a time, at least `spacingMs` apart. */
export class FlushScheduler {
  private current: FlushSchedulerState = "idle";
  /** Work was asked for while a cycle ran: the next cycle follows it. */
  private again = false;
  private lastStart = -Infinity;
  private cancel: (() => void) | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly timers: FlushTimers;

  /** `cycle` runs one flush cycle; its failures are its own (they are ignored here). */
  constructor(
    private readonly cycle: () => Promise<void>,
    private readonly options: FlushSchedulerOptions,
  ) {
    this.timers = options.timers ?? realTimers;
  }

  /** Where the scheduler is (see the module doc). */
  get state(): FlushSchedulerState {
    return this.current;
  }

  /** Asks for a cycle: there is buffered work. Cheap; call it after every append. */
  request(): void {
    if (this.current === "idle") this.schedule();
    else if (this.current === "running") this.again = true;
    // waiting: the scheduled cycle takes the work; closed: nothing starts.
  }

  private schedule(): void {
    const wait = this.lastStart + this.options.spacingMs - this.timers.now();
    this.current = "waiting";
    this.cancel = wait > 0
      ? this.timers.after(wait, () => this.start())
      : this.timers.soon(() => this.start());
  }

  private start(): void {
    this.cancel = null;
    if (this.current !== "waiting") return;
    this.current = "running";
    this.again = false;
    this.lastStart = this.timers.now();
    this.inFlight = this.cycle().catch(() => {}).then(() => this.finished());
  }

  private finished(): void {
    if (this.current !== "running") return; // closed meanwhile
    this.current = "idle";
    if (this.again) this.schedule();
  }

  /** Stops starting cycles; resolves once the cycle in flight, if any, has finished. */
  close(): Promise<void> {
    this.current = "closed";
    this.cancel?.();
    this.cancel = null;
    return this.inFlight;
  }
}
