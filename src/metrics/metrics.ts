/**
 * The broker's Prometheus metrics: one prom-client registry per broker (no global state, so a
 * test can run several brokers in one process). Names follow the spec's PromQL examples.
 * @module
 */
import client from "prom-client";
import type { CacheStats } from "../log/segment_cache.ts";
import { EventLoopMonitor } from "./event_loop.ts";

const MS_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/** Every metric the broker exports. */
export class BrokerMetrics {
  readonly registry = new client.Registry();
  readonly requests;
  readonly requestLatency;
  readonly produceLatency;
  readonly produceRps;
  readonly bytesIn;
  readonly bytesOut;
  readonly connections;
  readonly flushes;
  readonly flushLatency;
  /** Bytes of one partition's flush (one segment). */
  readonly flushBytes;
  /** Segments packed into one uploaded object (partitions that flushed together). */
  readonly objectSegments;
  readonly cacheHits;
  readonly cacheMisses;
  readonly cacheReadahead;
  /** Unreferenced segment objects the garbage collector deleted. */
  readonly gcDeleted;
  /** Small segments merged into larger ones (segment merging, not Kafka's compaction). */
  readonly mergedSegments;
  /** Partition commits carried by one metadata transaction (group commit). */
  readonly commitsPerTxn;
  readonly s3Health;
  readonly s3LatencyAvg;
  readonly storageErrors;
  /** Object store calls by op (put, get, delete, list), successful or not: PUT rate is cost. */
  readonly objectStoreRequests;
  /** Metadata store calls by op (get, getPrefix, put, delete, txn, watch), successful or not. */
  readonly metadataRequests;
  /** SASL authentications by mechanism and outcome (success, failure, error). */
  readonly saslAuthentications;
  readonly adminRequests;
  readonly adminErrors;
  readonly adminLatency;
  readonly consumerLag;
  readonly consumerLagMax;
  readonly memAlloc;
  readonly memSys;
  /** Seconds since the metadata store last answered this broker. */
  readonly metadataAnswerAge;
  /** How late the event-loop sampling timer fired (s): every request waited as long. */
  readonly eventLoopLag;
  /** The largest event-loop lag over the last minute (s). */
  readonly eventLoopLagMax;
  /** Samples the event-loop lag (started by `start`); `/readyz` asks it whether it blocked. */
  readonly eventLoop: EventLoopMonitor;
  /** The segment cache's counters, read at scrape time (set by the composition root). */
  cacheStats: CacheStats | undefined;
  /** When the metadata store last answered (ms since epoch), for `metadataAnswerAge`. */
  metadataLastOk = Date.now();
  /** The object store's state as last set (the console shows it). */
  s3State: "healthy" | "degraded" | "unavailable" = "healthy";
  private producedRecords = 0;
  private rpsTimer: ReturnType<typeof setInterval> | null = null;

  constructor() {
    const r = [this.registry];
    this.requests = new client.Counter({
      name: "kafscale_requests_total",
      help: "Kafka requests by API and outcome",
      labelNames: ["api", "outcome"],
      registers: r,
    });
    this.requestLatency = new client.Histogram({
      name: "kafscale_request_latency_ms",
      help: "Kafka request latency by API (ms)",
      labelNames: ["api"],
      buckets: MS_BUCKETS,
      registers: r,
    });
    this.produceLatency = new client.Histogram({
      name: "kafscale_produce_latency_ms",
      help: "Produce latency until acknowledged (ms)",
      buckets: MS_BUCKETS,
      registers: r,
    });
    this.produceRps = new client.Gauge({
      name: "kafscale_produce_rps",
      help: "Records produced per second (last second)",
      registers: r,
    });
    this.bytesIn = new client.Counter({
      name: "kafscale_network_bytes_in_total",
      help: "Bytes received from clients",
      registers: r,
    });
    this.bytesOut = new client.Counter({
      name: "kafscale_network_bytes_out_total",
      help: "Bytes sent to clients",
      registers: r,
    });
    this.connections = new client.Gauge({
      name: "kafscale_connections",
      help: "Open client connections",
      registers: r,
    });
    this.flushes = new client.Counter({
      name: "kafscale_flushes_total",
      help: "Partition flushes by outcome",
      labelNames: ["outcome"],
      registers: r,
    });
    this.flushLatency = new client.Histogram({
      name: "kafscale_flush_latency_ms",
      help: "Flush duration: object write plus metadata commit (ms)",
      buckets: MS_BUCKETS,
      registers: r,
    });
    this.flushBytes = new client.Histogram({
      name: "kafscale_flush_bytes",
      help: "Size of one partition's flushed segment (bytes)",
      buckets: [1024, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
      registers: r,
    });
    this.objectSegments = new client.Histogram({
      name: "kafscale_object_segments",
      help: "Segments (partitions) packed into one uploaded object",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024],
      registers: r,
    });
    // Cache gauges are read from the cache's counters when scraped.
    const stats = () => this.cacheStats;
    this.cacheReadahead = new client.Gauge({
      name: "kafscale_cache_readahead",
      help: "Segments loaded ahead of sequential readers since start",
      registers: r,
      collect() {
        this.set(stats()?.readahead ?? 0);
      },
    });
    this.commitsPerTxn = new client.Histogram({
      name: "kafscale_commits_per_txn",
      help: "Partition commits carried by one metadata transaction (group commit)",
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers: r,
    });
    this.mergedSegments = new client.Counter({
      name: "kafscale_merged_segments_total",
      help: "Small segments merged into larger ones when partitions roll their manifests",
      registers: r,
    });
    this.gcDeleted = new client.Counter({
      name: "kafscale_gc_deleted_objects_total",
      help: "Unreferenced segment objects deleted by the garbage collector",
      registers: r,
    });
    this.cacheHits = new client.Gauge({
      name: "kafscale_cache_hits",
      help: "Segment cache hits since start",
      registers: r,
      collect() {
        this.set(stats()?.hits ?? 0);
      },
    });
    this.cacheMisses = new client.Gauge({
      name: "kafscale_cache_misses",
      help: "Segment cache misses since start",
      registers: r,
      collect() {
        this.set(stats()?.misses ?? 0);
      },
    });
    this.s3Health = new client.Gauge({
      name: "kafscale_s3_health_state",
      help: "1 for the object store's current state (healthy, degraded, unavailable)",
      labelNames: ["state"],
      registers: r,
    });
    this.s3LatencyAvg = new client.Gauge({
      name: "kafscale_s3_latency_ms_avg",
      help: "Average object store request latency over recent requests (ms)",
      registers: r,
    });
    this.storageErrors = new client.Counter({
      name: "kafscale_storage_errors_total",
      help: "Object store and metadata store errors",
      labelNames: ["store", "op"],
      registers: r,
    });
    // Zero-valued series from the start, so rate() and dashboards see "no errors" as 0, not as
    // no data.
    for (const op of ["get", "put", "delete", "list"]) {
      this.storageErrors.inc({ store: "object", op }, 0);
    }
    for (const op of ["get", "getPage", "put", "delete", "txn", "watch"]) {
      this.storageErrors.inc({ store: "metadata", op }, 0);
    }
    this.objectStoreRequests = new client.Counter({
      name: "kafscale_object_store_requests_total",
      help: "Object store requests by operation, successful or not",
      labelNames: ["op"],
      registers: r,
    });
    this.metadataRequests = new client.Counter({
      name: "kafscale_metadata_requests_total",
      help: "Metadata store requests by operation, successful or not",
      labelNames: ["op"],
      registers: r,
    });
    this.adminRequests = new client.Counter({
      name: "kafscale_admin_requests_total",
      help: "Admin (Ops) API requests by API",
      labelNames: ["api"],
      registers: r,
    });
    this.adminErrors = new client.Counter({
      name: "kafscale_admin_request_errors_total",
      help: "Admin (Ops) API requests that returned an error, by API",
      labelNames: ["api"],
      registers: r,
    });
    this.adminLatency = new client.Histogram({
      name: "kafscale_admin_request_latency_ms",
      help: "Admin (Ops) API latency by API (ms)",
      labelNames: ["api"],
      buckets: MS_BUCKETS,
      registers: r,
    });
    this.consumerLag = new client.Histogram({
      name: "kafscale_consumer_lag",
      help: "Consumer lag per committed partition (records)",
      buckets: [0, 1, 10, 100, 1000, 10000, 100000, 1000000],
      registers: r,
    });
    this.consumerLagMax = new client.Gauge({
      name: "kafscale_consumer_lag_max",
      help: "Largest consumer lag over committed partitions (records)",
      registers: r,
    });
    this.memAlloc = new client.Gauge({
      name: "kafscale_broker_mem_alloc_bytes",
      help: "Heap in use (bytes)",
      registers: r,
      collect() {
        this.set(Deno.memoryUsage().heapUsed);
      },
    });
    new client.Gauge({
      name: "kafscale_broker_mem_cache_bytes",
      help: "Bytes of segments in the read cache (bounded by KAFSCALE_CACHE_BYTES)",
      registers: r,
      collect() {
        this.set(stats()?.bytes ?? 0);
      },
    });
    new client.Gauge({
      name: "kafscale_broker_mem_external_bytes",
      help: "Memory outside the JavaScript heap (byte buffers: cache, requests, uploads)",
      registers: r,
      collect() {
        this.set(Deno.memoryUsage().external);
      },
    });
    this.memSys = new client.Gauge({
      name: "kafscale_broker_mem_sys_bytes",
      help: "Resident set size (bytes)",
      registers: r,
      collect() {
        this.set(Deno.memoryUsage().rss);
      },
    });
    const lastOk = () => this.metadataLastOk;
    this.metadataAnswerAge = new client.Gauge({
      name: "kafscale_metadata_last_answer_age_seconds",
      help: "Seconds since the metadata store last answered this broker",
      registers: r,
      collect() {
        this.set((Date.now() - lastOk()) / 1000);
      },
    });
    this.eventLoopLag = new client.Histogram({
      name: "kafscale_event_loop_lag_seconds",
      help: "How late a timer set every 500 ms fired: time the event loop was busy (s)",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: r,
    });
    const lag = this.eventLoopLag;
    this.eventLoop = new EventLoopMonitor({ onSample: (ms) => lag.observe(ms / 1000) });
    const loop = this.eventLoop;
    this.eventLoopLagMax = new client.Gauge({
      name: "kafscale_event_loop_lag_max_seconds",
      help: "Largest event-loop lag sampled over the last minute (s)",
      registers: r,
      collect() {
        this.set(loop.maxRecentMs() / 1000);
      },
    });
    this.saslAuthentications = new client.Counter({
      name: "kafscale_sasl_authentications_total",
      help: "SASL authentications by mechanism and outcome (success, failure, error)",
      labelNames: ["mechanism", "outcome"],
      registers: r,
    });
    this.setS3State("healthy");
    this.produceRps.set(0);
    this.consumerLagMax.set(0);
  }

  /** Starts the once-a-second produce rate gauge and the event-loop lag sampler. */
  start(): void {
    this.eventLoop.start();
    this.rpsTimer = setInterval(() => {
      this.produceRps.set(this.producedRecords);
      this.producedRecords = 0;
    }, 1000);
  }

  /** Counts produced records for the rate gauge. */
  recordsProduced(n: number): void {
    this.producedRecords += n;
  }

  /** Sets the object store state gauge (exactly one label is 1). */
  setS3State(state: "healthy" | "degraded" | "unavailable"): void {
    this.s3State = state;
    for (const s of ["healthy", "degraded", "unavailable"]) {
      this.s3Health.set({ state: s }, s === state ? 1 : 0);
    }
  }

  /** Stops timers. */
  stop(): void {
    if (this.rpsTimer !== null) clearInterval(this.rpsTimer);
    this.eventLoop.stop();
  }
}
