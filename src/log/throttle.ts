/**
 * A byte-rate limit shared by every compaction pass of a broker (KAFSCALE_COMPACTION_BYTES_PER_SEC,
 * reads and writes together, as Kafka's log.cleaner.io.max.bytes.per.second): `take(n)`
 * resolves when `n` more bytes fit, allowing a burst of one second's worth. It can be closed,
 * after which every `take` rejects, so passes under way stop at their next read or write.
 * @module
 */

/** Options of a throttle. */
export interface ThrottleOptions {
  /** Bytes per second; 0 or less: no limit. */
  bytesPerSecond: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Raised by `take` once the throttle is closed. */
export class ThrottleClosedError extends Error {
  constructor() {
    super("Cannot go on: compaction is stopping");
    this.name = "ThrottleClosedError";
  }
}

/** A shared byte-rate limit. */
export class Throttle {
  /** When the bytes taken so far are paid for (ms). */
  private paidUntil = 0;
  private closed = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly wakers = new Set<() => void>();
  /** Milliseconds `take` has waited in all. */
  waitedMs = 0;

  constructor(private readonly o: ThrottleOptions) {}

  /** Resolves when `bytes` more may be read or written; rejects once closed. */
  async take(bytes: number): Promise<void> {
    if (this.closed) throw new ThrottleClosedError();
    const rate = this.o.bytesPerSecond;
    if (rate <= 0) return;
    const now = (this.o.now ?? Date.now)();
    this.paidUntil = Math.max(this.paidUntil, now - 1000) + (bytes * 1000) / rate;
    const wait = this.paidUntil - now;
    if (wait <= 0) return;
    this.waitedMs += wait;
    await (this.o.sleep ?? ((ms) => this.sleep(ms)))(wait);
    if (this.closed) throw new ThrottleClosedError();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.timers.add(timer);
      this.wakers.add(wake);
    });
  }

  /** Stops every wait now; later takes reject. */
  close(): void {
    this.closed = true;
    for (const w of [...this.wakers]) w();
  }
}
