/**
 * The writable topic configs of the spec: which keys AlterConfigs and IncrementalAlterConfigs
 * may change (retention.ms, retention.bytes, segment.bytes), how their values are validated,
 * and their effective values (override, else broker default). Anything else is INVALID_CONFIG
 * on alter. The keys a topic may be given only at creation are in topic_create_config.ts,
 * which also lists a topic's whole effective config.
 * @module
 */
import type { Config } from "../config/config.ts";
import type { TopicConfig } from "../metadata/records.ts";
import type { WritableOverrides } from "./topics.ts";

/** Kafka's ConfigSource values used here. */
export const ConfigSource = {
  TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** Kafka's ConfigType values used here. */
export const ConfigType = { STRING: 2, INT: 3, LONG: 5, LIST: 7 } as const;

/** One writable topic key. */
interface TopicKey {
  field: keyof WritableOverrides;
  min: number;
  rule: string;
  doc: string;
  brokerDefault(c: Config): number;
  brokerKey: string;
  type: number;
}

/** The whitelist. */
export const TOPIC_KEYS: Record<string, TopicKey> = {
  "retention.ms": {
    field: "retention_ms",
    min: -1,
    rule: "-1 (unlimited) or >= 0",
    doc: "How long segments are kept before deletion (ms); -1 keeps them forever.",
    brokerDefault: (c) => c.retentionMs,
    brokerKey: "log.retention.ms",
    type: ConfigType.LONG,
  },
  "retention.bytes": {
    field: "retention_bytes",
    min: -1,
    rule: "-1 (unlimited) or >= 0",
    doc: "Largest size a partition may reach before old segments are deleted; -1 is unlimited.",
    brokerDefault: (c) => c.retentionBytes,
    brokerKey: "log.retention.bytes",
    type: ConfigType.LONG,
  },
  "segment.bytes": {
    field: "segment_bytes",
    min: 1,
    rule: "> 0",
    doc: "Bytes a partition buffers before its segment is flushed to object storage.",
    brokerDefault: (c) => c.segmentBytes,
    brokerKey: "log.segment.bytes",
    type: ConfigType.INT,
  },
};

/** Parses one writable key/value; returns the override field and number, or an error message. */
export function parseTopicConfig(
  name: string,
  value: string | null,
): { field: keyof WritableOverrides; value: number | null } | { error: string } {
  const key = TOPIC_KEYS[name];
  if (!key) {
    return {
      error: `Config '${name}' is not supported; writable topic configs are ${
        Object.keys(TOPIC_KEYS).join(", ")
      }`,
    };
  }
  if (value === null) return { field: key.field, value: null };
  if (!/^-?\d+$/.test(value.trim())) {
    return { error: `Invalid value ${value} for configuration ${name}: must be ${key.rule}` };
  }
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n < key.min || (key.type === ConfigType.INT && n > 2147483647)) {
    return { error: `Invalid value ${value} for configuration ${name}: must be ${key.rule}` };
  }
  return { field: key.field, value: n };
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

/** The effective writable configs of a topic. */
export function writableTopicConfigs(topic: TopicConfig, config: Config): EffectiveConfig[] {
  return Object.entries(TOPIC_KEYS).map(([name, key]) => {
    const override = topic[key.field];
    const def = String(key.brokerDefault(config));
    const synonyms = [];
    if (override !== null) {
      synonyms.push({ name, value: String(override), source: ConfigSource.TOPIC_CONFIG });
    }
    synonyms.push({ name: key.brokerKey, value: def, source: ConfigSource.STATIC_BROKER_CONFIG });
    return {
      name,
      value: override !== null ? String(override) : def,
      source: override !== null ? ConfigSource.TOPIC_CONFIG : ConfigSource.STATIC_BROKER_CONFIG,
      type: key.type,
      doc: key.doc,
      readOnly: false,
      synonyms,
    };
  });
}
