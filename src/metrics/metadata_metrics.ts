/**
 * Metrics of the metadata budget (DESIGN.md invariant 8): keys and bytes per kind of key,
 * sampled by walking the keyspace page by page; segment references per open partition, in the
 * manifest and in the tail; rolls of tails into manifests; retention deletions by rule.
 * Registered in the broker's registry beside `BrokerMetrics`.
 * @module
 */
import client from "prom-client";
import type { MetadataStore } from "../metadata/types.ts";

/** Segment references of the open partitions, read at scrape time. */
export interface SegmentCounts {
  manifest: number;
  tail: number;
  /** The most tail keys any one open partition holds. */
  maxTail: number;
  /** Produce bytes held until their flush commits. */
  unflushedBytes: number;
}

/** Keys and bytes of every first path segment ("segments", "partitions", "offsets", ...). */
export async function sampleMetadataKeys(
  meta: MetadataStore,
): Promise<Map<string, { keys: number; bytes: number }>> {
  const out = new Map<string, { keys: number; bytes: number }>();
  let after: string | undefined;
  for (;;) {
    const page = await meta.getPage("", { after, limit: 1000 });
    for (const e of page.entries) {
      const kind = e.key.split("/", 1)[0] ?? "";
      const c = out.get(kind) ?? { keys: 0, bytes: 0 };
      c.keys++;
      c.bytes += e.key.length + e.value.byteLength;
      out.set(kind, c);
    }
    const last = page.entries[page.entries.length - 1];
    if (!page.more || !last) return out;
    after = last.key;
  }
}

/** The metadata-budget metrics. */
export class MetadataMetrics {
  readonly keys;
  readonly bytes;
  readonly rolls;
  readonly retentionDeleted;
  readonly retentionChecks;
  /** Set by the composition root: the open partitions' segment counts. */
  segmentCounts: (() => SegmentCounts) | undefined;
  /** Set by the composition root: partitions of every topic. */
  topicPartitions: (() => Map<string, number>) | undefined;

  constructor(registry: client.Registry) {
    const r = [registry];
    this.keys = new client.Gauge({
      name: "kafscale_metadata_keys",
      help: "Keys in the metadata store by kind (first path segment), sampled periodically",
      labelNames: ["kind"],
      registers: r,
    });
    this.bytes = new client.Gauge({
      name: "kafscale_metadata_bytes",
      help: "Key and value bytes in the metadata store by kind, sampled periodically",
      labelNames: ["kind"],
      registers: r,
    });
    this.rolls = new client.Counter({
      name: "kafscale_segment_rolls_total",
      help: "Rolls of partition tail keys into manifests (with segment merging), by outcome",
      labelNames: ["outcome"],
      registers: r,
    });
    this.retentionDeleted = new client.Counter({
      name: "kafscale_retention_deleted_segments_total",
      help: "Segments deleted by retention, by the rule that fired (time or bytes)",
      labelNames: ["rule"],
      registers: r,
    });
    this.retentionChecks = new client.Counter({
      name: "kafscale_retention_checks_total",
      help: "Retention passes over the open partitions (every KAFSCALE_RETENTION_CHECK_MS)",
      registers: r,
    });
    const counts = () =>
      this.segmentCounts?.() ?? { manifest: 0, tail: 0, maxTail: 0, unflushedBytes: 0 };
    new client.Gauge({
      name: "kafscale_broker_mem_buffered_bytes",
      help: "Produced bytes held in memory until their flush commits (sampled)",
      registers: r,
      collect() {
        this.set(counts().unflushedBytes);
      },
    });
    new client.Gauge({
      name: "kafscale_partition_segments",
      help: "Segment references of the open partitions, in manifests or as tail keys",
      labelNames: ["where"],
      registers: r,
      collect() {
        const c = counts();
        this.set({ where: "manifest" }, c.manifest);
        this.set({ where: "tail" }, c.tail);
      },
    });
    const topics = () => this.topicPartitions?.() ?? new Map<string, number>();
    new client.Gauge({
      name: "kafscale_topic_partitions",
      help: "Partitions of each topic",
      labelNames: ["topic"],
      registers: r,
      collect() {
        this.reset();
        for (const [topic, n] of topics()) this.set({ topic }, n);
      },
    });
    new client.Gauge({
      name: "kafscale_partitions",
      help: "Partitions of all topics (bounded by KAFSCALE_MAX_PARTITIONS)",
      registers: r,
      collect() {
        let n = 0;
        for (const v of topics().values()) n += v;
        this.set(n);
      },
    });
    new client.Gauge({
      name: "kafscale_partition_tail_keys_max",
      help: "The most segment keys any open partition keeps in the metadata store",
      registers: r,
      collect() {
        this.set(counts().maxTail);
      },
    });
  }

  /** Replaces the key gauges with a fresh sample. */
  record(sample: Map<string, { keys: number; bytes: number }>): void {
    this.keys.reset();
    this.bytes.reset();
    for (const [kind, c] of sample) {
      this.keys.set({ kind }, c.keys);
      this.bytes.set({ kind }, c.bytes);
    }
  }
}
