/**
 * Metrics around any object store (DESIGN.md: cross-cutting concerns wrap the port): counts
 * requests and errors, tracks average latency and a health state (healthy / degraded /
 * unavailable), and logs the first failure of a run once with context, not every failure.
 * @module
 */
import type { ByteRange, ObjectInfo, ObjectStore, PutOptions } from "./types.ts";
import { ObjectExistsError } from "./types.ts";
import type { BrokerMetrics } from "../metrics/metrics.ts";
import type { Logger } from "../metrics/logger.ts";

const WINDOW = 64;

/** An object store that reports what happens to it. */
export class InstrumentedObjectStore implements ObjectStore {
  private latencies: number[] = [];
  private recent: boolean[] = [];
  private failing = false;

  constructor(
    private readonly inner: ObjectStore,
    private readonly metrics: BrokerMetrics,
    private readonly log: Logger,
  ) {}

  private async track<T>(op: string, key: string, run: () => Promise<T>): Promise<T> {
    this.metrics.objectStoreRequests.inc({ op });
    const started = performance.now();
    try {
      const v = await run();
      this.observe(performance.now() - started, true);
      if (this.failing) {
        this.failing = false;
        this.log.info("object store recovered", { op });
      }
      return v;
    } catch (e) {
      if (e instanceof ObjectExistsError) {
        this.observe(performance.now() - started, true);
        throw e;
      }
      this.observe(performance.now() - started, false);
      this.metrics.storageErrors.inc({ store: "object", op });
      if (!this.failing) {
        this.failing = true;
        this.log.error("object store failing", { op, key, error: e });
      }
      throw e;
    }
  }

  private observe(ms: number, ok: boolean): void {
    this.latencies.push(ms);
    this.recent.push(ok);
    if (this.latencies.length > WINDOW) this.latencies.shift();
    if (this.recent.length > 8) this.recent.shift();
    this.metrics.s3LatencyAvg.set(
      this.latencies.reduce((a, b) => a + b, 0) / this.latencies.length,
    );
    const failures = this.recent.filter((x) => !x).length;
    this.metrics.setS3State(
      failures === 0
        ? "healthy"
        : failures >= Math.min(3, this.recent.length) && !ok
        ? "unavailable"
        : "degraded",
    );
  }

  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void> {
    return this.track("put", key, () => this.inner.put(key, body, options));
  }
  get(key: string, range?: ByteRange): Promise<Uint8Array | null> {
    return this.track("get", key, () => this.inner.get(key, range));
  }
  delete(key: string): Promise<void> {
    return this.track("delete", key, () => this.inner.delete(key));
  }
  list(prefix: string): Promise<ObjectInfo[]> {
    return this.track("list", prefix, () => this.inner.list(prefix));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
