/**
 * A clock and timers that tests drive by hand (FlushTimers): `turn()` runs what was deferred to
 * the end of the event-loop turn, `advance(ms)` moves the clock and runs the timers due. Nothing
 * here waits for real time.
 * @module
 */
import type { FlushTimers } from "./flush_scheduler.ts";

interface Timer {
  at: number;
  fn: () => void;
}

/** Timers under the test's control. */
export class FakeTimers implements FlushTimers {
  time = 0;
  private immediates: Array<{ fn: () => void }> = [];
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  soon(fn: () => void): () => void {
    const entry = { fn };
    this.immediates.push(entry);
    return () => this.immediates = this.immediates.filter((e) => e !== entry);
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.time + ms, fn };
    this.timers.push(timer);
    return () => this.timers = this.timers.filter((t) => t !== timer);
  }

  /** Callbacks waiting for the end of the turn, and timers not yet due. */
  get scheduled(): { soon: number; timers: number[] } {
    return { soon: this.immediates.length, timers: this.timers.map((t) => t.at) };
  }

  /** Ends the current turn: runs what `soon` deferred. */
  turn(): void {
    const due = this.immediates;
    this.immediates = [];
    for (const e of due) e.fn();
  }

  /** Moves the clock by `ms` and runs the timers due by then, earliest first. */
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.at <= this.time).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => t.at > this.time);
    for (const t of due) t.fn();
  }
}

/** Lets pending promise callbacks run (one real macrotask; no timing involved). */
export const settle = () => new Promise<void>((r) => setTimeout(r, 0));
