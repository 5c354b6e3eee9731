/**
 * The topic registry: the broker's view of topics, loaded from the metadata store and kept
 * current by a watch, so a topic created, deleted or reconfigured by another broker or tool is
 * seen without a restart. All writes go through conditional transactions.
 * @module
 */
import { KafkaError } from "../protocol/errors.ts";
import type { KvWatch, MetadataStore } from "../metadata/types.ts";
import {
  decodeRecord,
  encodeRecord,
  keys,
  type TopicConfig,
  TopicConfigSchema,
} from "../metadata/records.ts";
import { invalidTopicName } from "./topic_names.ts";

/** Overrides AlterConfigs may change on a running topic (null = broker default). */
export type WritableOverrides = Pick<
  TopicConfig,
  | "retention_ms"
  | "retention_bytes"
  | "segment_bytes"
  | "cleanup_policy"
  | "min_cleanable_dirty_ratio"
  | "min_compaction_lag_ms"
  | "max_compaction_lag_ms"
  | "delete_retention_ms"
  | "segment_ms"
>;

/** Every override a topic may carry: the writable ones and those set only at creation. */
export type TopicOverrides =
  & WritableOverrides
  & Pick<
    TopicConfig,
    | "max_message_bytes"
    | "message_timestamp_type"
    | "message_timestamp_before_max_ms"
    | "message_timestamp_after_max_ms"
    | "compression_type"
  >;

/** Converts a 32-hex topic id to its 16 bytes. */
export function topicIdBytes(hex: string): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Converts 16 bytes of a topic id to hex. */
export function topicIdHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function randomTopicId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80;
  return topicIdHex(b);
}

/** Partition counts an operator allows (KAFSCALE_MAX_PARTITIONS_PER_TOPIC, _MAX_PARTITIONS). */
export interface PartitionLimits {
  perTopic: number;
  perCluster: number;
}

/** Topics by name, mirrored from the metadata store. */
export class TopicRegistry {
  private readonly byName = new Map<string, TopicConfig>();
  private readonly byId = new Map<string, TopicConfig>();
  private watch: KvWatch | null = null;
  /** Called when a topic disappears (deleted here or elsewhere). */
  onDeleted?: (topic: TopicConfig) => void;

  constructor(
    private readonly meta: MetadataStore,
    private readonly limits: PartitionLimits = { perTopic: 100_000, perCluster: 1_000_000 },
  ) {}

  /** Partitions of every topic. */
  totalPartitions(): number {
    let n = 0;
    for (const t of this.byName.values()) n += t.partitions;
    return n;
  }

  /**
   * Refuses a topic of `partitions` partitions (growing from `current`) over the limits,
   * before any work: INVALID_PARTITIONS past the per-topic limit, POLICY_VIOLATION past the
   * cluster's.
   */
  checkPartitions(name: string, partitions: number, current = 0): void {
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new KafkaError("INVALID_PARTITIONS", `Cannot give ${name} ${partitions} partitions`);
    }
    if (partitions > this.limits.perTopic) {
      throw new KafkaError(
        "INVALID_PARTITIONS",
        `Cannot give ${name} ${partitions} partitions: the limit per topic is ` +
          `${this.limits.perTopic} (KAFSCALE_MAX_PARTITIONS_PER_TOPIC)`,
      );
    }
    const total = this.totalPartitions() + partitions - current;
    if (total > this.limits.perCluster) {
      throw new KafkaError(
        "POLICY_VIOLATION",
        `Cannot give ${name} ${partitions} partitions: the cluster would have ${total}, and ` +
          `the limit is ${this.limits.perCluster} (KAFSCALE_MAX_PARTITIONS)`,
      );
    }
  }

  /** Loads every topic and starts watching for changes. */
  async start(): Promise<void> {
    this.watch = await this.meta.watch(keys.topicsPrefix(), (ev) => {
      const name = ev.key.slice(keys.topicsPrefix().length);
      if (ev.type === "put") this.remember(decodeRecord(TopicConfigSchema, ev.key, ev.value));
      else this.forget(name);
    });
    for (const e of await this.meta.getPrefix(keys.topicsPrefix())) {
      this.remember(decodeRecord(TopicConfigSchema, e.key, e.value));
    }
  }

  private remember(t: TopicConfig) {
    const old = this.byName.get(t.name);
    if (old && old.topic_id !== t.topic_id) this.forget(t.name);
    this.byName.set(t.name, t);
    this.byId.set(t.topic_id, t);
  }

  private forget(name: string) {
    const t = this.byName.get(name);
    if (!t) return;
    this.byName.delete(name);
    this.byId.delete(t.topic_id);
    this.onDeleted?.(t);
  }

  /** A topic by name. */
  get(name: string): TopicConfig | undefined {
    return this.byName.get(name);
  }
  /** A topic by its 32-hex id. */
  getById(id: string): TopicConfig | undefined {
    return this.byId.get(id);
  }
  /** All topics, by name. */
  list(): TopicConfig[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Creates a topic: one write of its record, whatever its partition count (a partition's
   * own record is written by the first broker that opens it), so a topic is visible whole or
   * not at all and creation costs one small transaction.
   * Throws KafkaError TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION or INVALID_PARTITIONS.
   */
  async create(
    name: string,
    partitions: number,
    overrides: Partial<TopicOverrides> = {},
    options: { validateOnly?: boolean } = {},
  ): Promise<TopicConfig> {
    const bad = invalidTopicName(name);
    if (bad) throw new KafkaError("INVALID_TOPIC_EXCEPTION", bad);
    if (this.byName.has(name)) {
      throw new KafkaError("TOPIC_ALREADY_EXISTS", `Topic '${name}' already exists.`);
    }
    this.checkPartitions(name, partitions);
    const topic: TopicConfig = {
      name,
      topic_id: randomTopicId(),
      partitions,
      retention_ms: overrides.retention_ms ?? null,
      retention_bytes: overrides.retention_bytes ?? null,
      segment_bytes: overrides.segment_bytes ?? null,
      max_message_bytes: overrides.max_message_bytes ?? null,
      message_timestamp_type: overrides.message_timestamp_type ?? null,
      message_timestamp_before_max_ms: overrides.message_timestamp_before_max_ms ?? null,
      message_timestamp_after_max_ms: overrides.message_timestamp_after_max_ms ?? null,
      compression_type: overrides.compression_type ?? null,
      cleanup_policy: overrides.cleanup_policy ?? null,
      min_cleanable_dirty_ratio: overrides.min_cleanable_dirty_ratio ?? null,
      min_compaction_lag_ms: overrides.min_compaction_lag_ms ?? null,
      max_compaction_lag_ms: overrides.max_compaction_lag_ms ?? null,
      delete_retention_ms: overrides.delete_retention_ms ?? null,
      segment_ms: overrides.segment_ms ?? null,
      created_ms: Date.now(),
    };
    if (options.validateOnly) return topic;
    const key = keys.topic(name);
    const res = await this.meta.txn({
      compares: [{ key, modRevision: 0 }],
      // (No clean-up of old partition keys here: DeleteTopics removes them in the same
      // transaction as the topic; a partition record of another topic id is replaced when
      // the partition is opened.)
      success: [{ type: "put", key, value: encodeRecord(TopicConfigSchema, topic) }],
    });
    if (!res.succeeded) {
      throw new KafkaError("TOPIC_ALREADY_EXISTS", `Topic '${name}' already exists.`);
    }
    this.remember(topic);
    return topic;
  }

  /** Deletes a topic's metadata (topic, partitions, segment list); returns the removed topic. */
  async delete(name: string): Promise<TopicConfig> {
    const t = this.byName.get(name);
    if (!t) throw new KafkaError("UNKNOWN_TOPIC_OR_PARTITION", `Topic '${name}' does not exist`);
    await this.meta.txn({
      compares: [],
      success: [
        { type: "delete", key: keys.topic(name) },
        { type: "deletePrefix", prefix: keys.partitionsPrefix(name) },
        { type: "deletePrefix", prefix: keys.segmentsPrefix(name) },
      ],
    });
    this.forget(name);
    return t;
  }

  /** Replaces a topic's record (config or partition count) if it did not change meanwhile. */
  async update(
    name: string,
    change: (t: TopicConfig) => TopicConfig,
    options: { validateOnly?: boolean } = {},
  ): Promise<TopicConfig> {
    const key = keys.topic(name);
    const entry = await this.meta.get(key);
    if (!entry) {
      throw new KafkaError("UNKNOWN_TOPIC_OR_PARTITION", `Topic '${name}' does not exist`);
    }
    const current = decodeRecord(TopicConfigSchema, key, entry.value);
    const next = change(current);
    if (options.validateOnly) return next;
    const res = await this.meta.txn({
      compares: [{ key, modRevision: entry.modRevision }],
      success: [{ type: "put", key, value: encodeRecord(TopicConfigSchema, next) }],
    });
    if (!res.succeeded) {
      throw new KafkaError("CONCURRENT_TRANSACTIONS", `Topic '${name}' changed meanwhile; retry`);
    }
    this.remember(next);
    return next;
  }

  /** Stops the watch. */
  async close(): Promise<void> {
    await this.watch?.close();
  }
}
