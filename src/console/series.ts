/**
 * The console's live charts: every few seconds a broker reads its own Prometheus registry and
 * keeps one point of the spec's PromQL signals (produce rate, p95/p99 produce latency, consumer
 * lag max, object store latency, admin request and error rates), so the console draws charts
 * without a Prometheus server. Rates and quantiles come from the change of counters and
 * histogram buckets since the previous sample, as `rate()` and `histogram_quantile()` compute
 * them. A cluster's series is the brokers' series merged per time slot (`mergeSeries`).
 * @module
 */
import type { Registry } from "prom-client";

/** One sample of the charted signals; null where there was nothing to measure. */
export interface SeriesPoint {
  /** Sample time (ms since epoch), rounded down to the sampling interval. */
  t: number;
  /** Records produced per second. */
  produceRps: number;
  /** p95 and p99 produce latency (ms) over the interval. */
  produceP95Ms: number | null;
  produceP99Ms: number | null;
  /** Largest consumer lag (records) of the groups this broker measures. */
  lagMax: number;
  /** Object store request latency, moving average (ms). */
  objectStoreLatencyMs: number;
  /** Admin (Ops API) requests and failed ones per second. */
  adminRps: number;
  adminErrorRps: number;
  /** Client traffic (bytes per second). */
  bytesInPerSec: number;
  bytesOutPerSec: number;
  /** Open transactions this broker coordinates (optional: samples of older brokers lack it). */
  transactionsOpen?: number;
}

/** What one read of the registry gives. */
interface Reading {
  at: number;
  counters: Map<string, number>;
  /** Cumulative bucket counts of the produce latency histogram, by upper bound. */
  buckets: [number, number][];
  gauges: Map<string, number>;
}

const COUNTERS = [
  "kafscale_admin_requests_total",
  "kafscale_admin_request_errors_total",
  "kafscale_network_bytes_in_total",
  "kafscale_network_bytes_out_total",
];
const GAUGES = [
  "kafscale_produce_rps",
  "kafscale_consumer_lag_max",
  "kafscale_s3_latency_ms_avg",
  "kafscale_transactions_open",
];
const LATENCY = "kafscale_produce_latency_ms";

/**
 * The `q` quantile of the observations counted by cumulative `buckets` ([upper bound, count],
 * ascending, the last +Inf), interpolated linearly inside a bucket as Prometheus's
 * histogram_quantile does; null without observations.
 */
export function bucketQuantile(q: number, buckets: readonly [number, number][]): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      // The +Inf bucket has no upper bound: answer the highest finite one, as Prometheus does.
      if (!Number.isFinite(le)) return lower;
      const inBucket = count - below;
      return inBucket <= 0 ? le : lower + (le - lower) * ((rank - below) / inBucket);
    }
    lower = le;
    below = count;
  }
  return lower;
}

async function read(registry: Registry, at: number): Promise<Reading> {
  const counters = new Map<string, number>();
  const gauges = new Map<string, number>();
  let buckets: [number, number][] = [];
  for (const m of await registry.getMetricsAsJSON()) {
    // deno-lint-ignore no-explicit-any
    const values = (m as any).values as {
      value: number;
      labels: Record<string, string | number>;
      metricName?: string;
    }[];
    if (COUNTERS.includes(m.name)) {
      counters.set(m.name, values.reduce((s, v) => s + v.value, 0));
    } else if (GAUGES.includes(m.name)) {
      gauges.set(m.name, values.reduce((s, v) => Math.max(s, v.value), 0));
    } else if (m.name === LATENCY) {
      buckets = values.filter((v) => v.metricName === `${LATENCY}_bucket`).map((v) => [
        v.labels.le === "+Inf" ? Infinity : Number(v.labels.le),
        v.value,
      ]);
      buckets.sort((a, b) => a[0] - b[0]);
    }
  }
  return { at, counters, buckets, gauges };
}

/** The point between two readings. */
export function pointBetween(prev: Reading, now: Reading, intervalMs: number): SeriesPoint {
  const seconds = Math.max((now.at - prev.at) / 1000, 0.001);
  const rate = (name: string) =>
    Math.max(0, (now.counters.get(name) ?? 0) - (prev.counters.get(name) ?? 0)) / seconds;
  const before = new Map(prev.buckets);
  const delta = now.buckets.map(([le, c]) => [le, Math.max(0, c - (before.get(le) ?? 0))]) as [
    number,
    number,
  ][];
  return {
    t: Math.floor(now.at / intervalMs) * intervalMs,
    produceRps: now.gauges.get("kafscale_produce_rps") ?? 0,
    produceP95Ms: bucketQuantile(0.95, delta),
    produceP99Ms: bucketQuantile(0.99, delta),
    lagMax: now.gauges.get("kafscale_consumer_lag_max") ?? 0,
    objectStoreLatencyMs: now.gauges.get("kafscale_s3_latency_ms_avg") ?? 0,
    adminRps: rate("kafscale_admin_requests_total"),
    adminErrorRps: rate("kafscale_admin_request_errors_total"),
    bytesInPerSec: rate("kafscale_network_bytes_in_total"),
    bytesOutPerSec: rate("kafscale_network_bytes_out_total"),
    transactionsOpen: now.gauges.get("kafscale_transactions_open") ?? 0,
  };
}

/** Samples a registry on a timer and keeps the last `keep` points. */
export class SeriesSampler {
  private points: SeriesPoint[] = [];
  private last: Reading | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private sampling = false;

  constructor(
    private readonly registry: Registry,
    readonly intervalMs = 5_000,
    private readonly keep = 360,
  ) {}

  /** Takes one sample now (the timer calls this; tests may too). */
  async sample(at = Date.now()): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const now = await read(this.registry, at);
      if (this.last) {
        this.points.push(pointBetween(this.last, now, this.intervalMs));
        if (this.points.length > this.keep) this.points.shift();
      }
      this.last = now;
    } finally {
      this.sampling = false;
    }
  }

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample().catch(() => {}), this.intervalMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The points kept, oldest first. */
  series(): SeriesPoint[] {
    return [...this.points];
  }
}

const SUMMED = [
  "produceRps",
  "adminRps",
  "adminErrorRps",
  "bytesInPerSec",
  "bytesOutPerSec",
] as const;
const HIGHEST = ["produceP95Ms", "produceP99Ms", "lagMax", "objectStoreLatencyMs"] as const;

/**
 * Several brokers' series as one: per time slot, rates are summed (the cluster's total) and
 * latencies and lag take the highest broker's (quantiles of different brokers cannot be added).
 */
export function mergeSeries(all: readonly SeriesPoint[][]): SeriesPoint[] {
  const byT = new Map<number, SeriesPoint>();
  for (const series of all) {
    for (const p of series) {
      const m = byT.get(p.t);
      if (!m) {
        byT.set(p.t, { ...p });
        continue;
      }
      for (const k of SUMMED) m[k] += p[k];
      m.transactionsOpen = (m.transactionsOpen ?? 0) + (p.transactionsOpen ?? 0);
      for (const k of HIGHEST) {
        const a = m[k];
        const b = p[k];
        (m as unknown as Record<string, number | null>)[k] = a === null
          ? b
          : b === null
          ? a
          : Math.max(a, b);
      }
    }
  }
  return [...byT.values()].sort((a, b) => a.t - b.t);
}
