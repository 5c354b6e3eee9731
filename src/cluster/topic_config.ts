/**
 * The writable topic configs: which keys CreateTopics, AlterConfigs and IncrementalAlterConfigs
 * may set on a running topic, how their values are validated, and their effective values
 * (override, else broker default). Retention and segment size (the spec's whitelist), and the
 * keys of Kafka's log compaction: `cleanup.policy` (a list: `delete`, `compact`, or both),
 * `min.cleanable.dirty.ratio`, `min.compaction.lag.ms`, `max.compaction.lag.ms`,
 * `delete.retention.ms` and `segment.ms` (Kafka's names, ranges and defaults). Anything else is
 * INVALID_CONFIG on alter. The keys a topic may be given only at creation are in
 * topic_create_config.ts, which also lists a topic's whole effective config.
 * @module
 */
import type { Config } from "../config/config.ts";
import type { TopicConfig } from "../metadata/records.ts";
import { formatLong, LONG_MAX_TEXT, parseLong } from "../util/long.ts";
import type { WritableOverrides } from "./topics.ts";

/** Kafka's ConfigSource values used here. */
export const ConfigSource = {
  TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** Kafka's ConfigType values used here. */
export const ConfigType = { STRING: 2, INT: 3, LONG: 5, DOUBLE: 6, LIST: 7 } as const;

/** A stored override value. */
type Stored = number | string;

/** One writable topic key. */
interface TopicKey {
  field: keyof WritableOverrides;
  type: number;
  doc: string;
  /** The override to store for `value`, or why it is refused. */
  parse(value: string): Stored | { error: string };
  /** The broker default: its broker-level name, value and source. */
  fallback(c: Config): { name: string; value: string; source: number };
  /** How a stored value is shown. */
  show(v: Stored): string;
}

const invalid = (name: string, value: string, rule: string) => ({
  error: `Invalid value ${value} for configuration ${name}: ${rule}`,
});

/** The keys of the spec's whitelist: whole numbers from `min`, shown as they are. */
function numberKey(
  name: string,
  o: {
    field: "retention_ms" | "retention_bytes" | "segment_bytes";
    min: number;
    rule: string;
    type: number;
    doc: string;
    brokerKey: string;
    brokerDefault(c: Config): number;
  },
): TopicKey {
  return {
    field: o.field,
    type: o.type,
    doc: o.doc,
    parse(value) {
      const n = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
      if (
        !Number.isSafeInteger(n) || n < o.min || (o.type === ConfigType.INT && n > 2147483647)
      ) return invalid(name, value, `must be ${o.rule}`);
      return n;
    },
    fallback: (c) => ({
      name: o.brokerKey,
      value: String(o.brokerDefault(c)),
      source: ConfigSource.STATIC_BROKER_CONFIG,
    }),
    show: String,
  };
}

/** A Kafka `long` key of the compaction settings, with Kafka's default. */
function longKey(
  name: string,
  o: {
    field:
      | "min_compaction_lag_ms"
      | "max_compaction_lag_ms"
      | "delete_retention_ms"
      | "segment_ms";
    min: number;
    doc: string;
    brokerKey: string;
    kafkaDefault: string;
  },
): TopicKey {
  return {
    field: o.field,
    type: ConfigType.LONG,
    doc: o.doc,
    parse(value) {
      const n = parseLong(value);
      if (n === null || n < o.min) {
        return invalid(name, value, `must be a whole number from ${o.min} to ${LONG_MAX_TEXT}`);
      }
      return n;
    },
    fallback: () => ({
      name: o.brokerKey,
      value: o.kafkaDefault,
      source: ConfigSource.DEFAULT_CONFIG,
    }),
    show: (v) => formatLong(Number(v)),
  };
}

/** The policies `cleanup.policy` may list. */
const POLICIES = ["delete", "compact"];

/**
 * A `cleanup.policy` value as stored: its items trimmed, each once, in the order given; or why
 * it is refused (an unknown item, or none).
 */
export function parseCleanupPolicy(value: string): string | { error: string } {
  const items = [...new Set(value.split(",").map((s) => s.trim()).filter((s) => s !== ""))];
  if (items.length === 0 || items.some((i) => !POLICIES.includes(i))) {
    return invalid("cleanup.policy", value, "Invalid value(s); allowed: delete, compact");
  }
  return items.join(",");
}

/** Formats a Kafka double as Java does (`0.5`, `1.0`). */
function showDouble(v: Stored): string {
  const n = Number(v);
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/** The writable keys. */
export const TOPIC_KEYS: Record<string, TopicKey> = {
  "retention.ms": numberKey("retention.ms", {
    field: "retention_ms",
    min: -1,
    rule: "-1 (unlimited) or >= 0",
    doc: "How long segments are kept before deletion (ms); -1 keeps them forever. Only with " +
      "cleanup.policy delete.",
    brokerDefault: (c) => c.retentionMs,
    brokerKey: "log.retention.ms",
    type: ConfigType.LONG,
  }),
  "retention.bytes": numberKey("retention.bytes", {
    field: "retention_bytes",
    min: -1,
    rule: "-1 (unlimited) or >= 0",
    doc: "Largest size a partition may reach before old segments are deleted; -1 is unlimited. " +
      "Only with cleanup.policy delete.",
    brokerDefault: (c) => c.retentionBytes,
    brokerKey: "log.retention.bytes",
    type: ConfigType.LONG,
  }),
  "segment.bytes": numberKey("segment.bytes", {
    field: "segment_bytes",
    min: 1,
    rule: "> 0",
    doc: "Bytes a partition buffers before its segment is flushed to object storage; also the " +
      "size of merged and compacted segments and of a compacted topic's active part.",
    brokerDefault: (c) => c.segmentBytes,
    brokerKey: "log.segment.bytes",
    type: ConfigType.INT,
  }),
  "cleanup.policy": {
    field: "cleanup_policy",
    type: ConfigType.LIST,
    doc: "delete: retention deletes old segments; compact: only the latest record of each key " +
      "is kept; both: compaction, and retention on what is left.",
    parse: parseCleanupPolicy,
    fallback: () => ({
      name: "log.cleanup.policy",
      value: "delete",
      source: ConfigSource.DEFAULT_CONFIG,
    }),
    show: String,
  },
  "min.cleanable.dirty.ratio": {
    field: "min_cleanable_dirty_ratio",
    type: ConfigType.DOUBLE,
    doc: "Compaction starts once records not compacted yet are this share of the cleanable log.",
    parse(value) {
      const t = value.trim();
      const n = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : NaN;
      if (!(n >= 0 && n <= 1)) {
        return invalid("min.cleanable.dirty.ratio", value, "Value must be between 0 and 1");
      }
      return n;
    },
    fallback: () => ({
      name: "log.cleaner.min.cleanable.ratio",
      value: "0.5",
      source: ConfigSource.DEFAULT_CONFIG,
    }),
    show: showDouble,
  },
  "min.compaction.lag.ms": longKey("min.compaction.lag.ms", {
    field: "min_compaction_lag_ms",
    min: 0,
    doc: "Records younger than this (ms) are never compacted.",
    brokerKey: "log.cleaner.min.compaction.lag.ms",
    kafkaDefault: "0",
  }),
  "max.compaction.lag.ms": longKey("max.compaction.lag.ms", {
    field: "max_compaction_lag_ms",
    min: 1,
    doc: "Records not compacted after this long (ms) are compacted whatever the dirty ratio.",
    brokerKey: "log.cleaner.max.compaction.lag.ms",
    kafkaDefault: LONG_MAX_TEXT,
  }),
  "delete.retention.ms": longKey("delete.retention.ms", {
    field: "delete_retention_ms",
    min: 0,
    doc: "How long a tombstone stays once compaction first kept it (ms): a reader from the " +
      "start must finish within this to see every deletion.",
    brokerKey: "log.cleaner.delete.retention.ms",
    kafkaDefault: "86400000",
  }),
  "segment.ms": longKey("segment.ms", {
    field: "segment_ms",
    min: 1,
    doc: "Records written longer ago than this (ms) leave a compacted topic's active part.",
    brokerKey: "log.roll.ms",
    kafkaDefault: "604800000",
  }),
};

/** Whether a topic's cleanup.policy includes `compact`. */
export function isCompacted(topic: TopicConfig): boolean {
  return (topic.cleanup_policy ?? "delete").split(",").includes("compact");
}

/** Whether a topic's cleanup.policy includes `delete` (retention applies). */
export function isDeleting(topic: TopicConfig): boolean {
  return (topic.cleanup_policy ?? "delete").split(",").includes("delete");
}

/** Whether a writable key is a list (APPEND and SUBTRACT apply to it). */
export function isListKey(name: string): boolean {
  return TOPIC_KEYS[name]?.type === ConfigType.LIST;
}

/** Parses one writable key/value; returns the override field and value, or an error message. */
export function parseTopicConfig(
  name: string,
  value: string | null,
): { field: keyof WritableOverrides; value: Stored | null } | { error: string } {
  const key = TOPIC_KEYS[name];
  if (!key) {
    return {
      error: `Config '${name}' is not supported; writable topic configs are ${
        Object.keys(TOPIC_KEYS).join(", ")
      }`,
    };
  }
  if (value === null) return { field: key.field, value: null };
  const parsed = key.parse(value);
  return typeof parsed === "object" ? parsed : { field: key.field, value: parsed };
}

/**
 * Why a topic's overrides contradict each other (Kafka's rule: min.compaction.lag.ms may not
 * exceed max.compaction.lag.ms), or null.
 */
export function conflictingOverrides(t: Partial<WritableOverrides>): string | null {
  const min = t.min_compaction_lag_ms ?? 0;
  const max = t.max_compaction_lag_ms ?? Number.MAX_SAFE_INTEGER;
  if (min <= max) return null;
  return `conflict topic config setting min.compaction.lag.ms (${formatLong(min)}) > ` +
    `max.compaction.lag.ms (${formatLong(max)})`;
}

/** One effective topic config entry. */
export interface EffectiveConfig {
  name: string;
  value: string;
  source: number;
  type: number;
  doc: string;
  /** Whether no alter request can change it. */
  readOnly: boolean;
  /** Synonyms, most specific first: the topic override, then the broker default. */
  synonyms: { name: string; value: string; source: number }[];
}

/** The effective value of a writable key: the topic's override, else the broker default. */
export function effectiveValue(topic: TopicConfig, name: string, config: Config): string {
  const key = TOPIC_KEYS[name];
  if (!key) throw new RangeError(`Cannot read topic config ${name}: not a writable key`);
  const override = topic[key.field];
  return override !== null ? key.show(override) : key.fallback(config).value;
}

/** The effective writable configs of a topic. */
export function writableTopicConfigs(topic: TopicConfig, config: Config): EffectiveConfig[] {
  return Object.entries(TOPIC_KEYS).map(([name, key]) => {
    const override = topic[key.field];
    const def = key.fallback(config);
    const synonyms = [];
    if (override !== null) {
      synonyms.push({ name, value: key.show(override), source: ConfigSource.TOPIC_CONFIG });
    }
    synonyms.push(def);
    return {
      name,
      value: override !== null ? key.show(override) : def.value,
      source: override !== null ? ConfigSource.TOPIC_CONFIG : def.source,
      type: key.type,
      doc: key.doc,
      readOnly: false,
      synonyms,
    };
  });
}
