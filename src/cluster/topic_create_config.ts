/**
 * Topic configs a client may give only when it creates a topic (CreateTopics), with Kafka's
 * names and semantics, stored in the topic's TopicConfig record and shown read-only by
 * DescribeConfigs (AlterConfigs refuses them: the spec's whitelist governs runtime changes):
 * - `max.message.bytes`: the largest batch Produce accepts (MESSAGE_TOO_LARGE above it); the
 *   broker's KAFSCALE_MAX_MESSAGE_BYTES is the default and the upper bound.
 * - `message.timestamp.type`: CreateTime, or LogAppendTime (the broker stamps each batch).
 * - `message.timestamp.before.max.ms` / `message.timestamp.after.max.ms`: how far in the past
 *   or future a CreateTime batch may be (INVALID_TIMESTAMP outside); defaults from
 *   KAFSCALE_MESSAGE_TIMESTAMP_BEFORE_MAX_MS / _AFTER_MAX_MS.
 * - `compression.type`: `producer` only (batches are stored as produced; the broker does not
 *   recompress).
 * The writable keys (topic_config.ts: retention, segment size, `cleanup.policy` and the other
 * compaction keys) are accepted at creation too.
 * Every other key, whether Kafka defines it or not, is INVALID_CONFIG naming the key and the
 * keys accepted.
 * @module
 */
import type { Config } from "../config/config.ts";
import type { TopicConfig } from "../metadata/records.ts";
import type { AppendRules } from "../log/append_rules.ts";
import { formatLong, LONG_MAX_TEXT, parseLong } from "../util/long.ts";
import {
  ConfigSource,
  ConfigType,
  type EffectiveConfig,
  isCompacted,
  parseTopicConfig,
  TOPIC_KEYS,
  writableTopicConfigs,
} from "./topic_config.ts";
import type { TopicOverrides, WritableOverrides } from "./topics.ts";

type Patch = Partial<TopicOverrides>;

/** A key settable only at creation. */
interface CreateOnlyKey {
  field: Exclude<keyof TopicOverrides, keyof WritableOverrides>;
  type: number;
  doc: string;
  /** The override to store for `value`, or why it is refused. */
  parse(value: string, c: Config): Patch | string;
  /** The broker default: its broker-level name, value and source. */
  fallback(c: Config): { name: string; value: string; source: number };
}

const invalid = (name: string, value: string, rule: string) =>
  `Invalid value ${value} for configuration ${name}: ${rule}`;

function longKey(
  name: string,
  field: "message_timestamp_before_max_ms" | "message_timestamp_after_max_ms",
  doc: string,
  fallback: (c: Config) => number,
): CreateOnlyKey {
  return {
    field,
    type: ConfigType.LONG,
    doc,
    parse(value) {
      const n = parseLong(value);
      if (n === null || n < 0) {
        return invalid(name, value, `must be a whole number from 0 to ${LONG_MAX_TEXT}`);
      }
      return { [field]: n };
    },
    fallback: (c) => ({
      name: `log.${name}`,
      value: formatLong(fallback(c)),
      source: ConfigSource.STATIC_BROKER_CONFIG,
    }),
  };
}

const RECOMPRESSED = ["uncompressed", "zstd", "lz4", "snappy", "gzip"];

/** The keys accepted only at creation. */
export const CREATE_ONLY_KEYS: Record<string, CreateOnlyKey> = {
  "max.message.bytes": {
    field: "max_message_bytes",
    type: ConfigType.INT,
    doc: "Largest record batch the topic accepts (bytes); at most KAFSCALE_MAX_MESSAGE_BYTES.",
    parse(value, c) {
      const n = parseLong(value);
      if (n === null || n < 0 || n > c.maxMessageBytes) {
        return invalid(
          "max.message.bytes",
          value,
          `must be from 0 to ${c.maxMessageBytes}, the broker's limit (KAFSCALE_MAX_MESSAGE_BYTES)`,
        );
      }
      return { max_message_bytes: n };
    },
    fallback: (c) => ({
      name: "message.max.bytes",
      value: String(c.maxMessageBytes),
      source: ConfigSource.STATIC_BROKER_CONFIG,
    }),
  },
  "message.timestamp.type": {
    field: "message_timestamp_type",
    type: ConfigType.STRING,
    doc: "CreateTime keeps the producer's timestamps; LogAppendTime stamps batches on append.",
    parse(value) {
      if (value !== "CreateTime" && value !== "LogAppendTime") {
        return invalid(
          "message.timestamp.type",
          value,
          "String must be one of: CreateTime, LogAppendTime",
        );
      }
      return { message_timestamp_type: value };
    },
    fallback: () => ({
      name: "log.message.timestamp.type",
      value: "CreateTime",
      source: ConfigSource.DEFAULT_CONFIG,
    }),
  },
  "message.timestamp.before.max.ms": longKey(
    "message.timestamp.before.max.ms",
    "message_timestamp_before_max_ms",
    "How far in the past a CreateTime batch's timestamps may be (ms).",
    (c) => c.messageTimestampBeforeMaxMs,
  ),
  "message.timestamp.after.max.ms": longKey(
    "message.timestamp.after.max.ms",
    "message_timestamp_after_max_ms",
    "How far in the future a CreateTime batch's timestamps may be (ms).",
    (c) => c.messageTimestampAfterMaxMs,
  ),
  "compression.type": {
    field: "compression_type",
    type: ConfigType.STRING,
    doc: "producer: batches are stored as the producer compressed them.",
    parse(value) {
      if (value === "producer") return { compression_type: "producer" };
      if (RECOMPRESSED.includes(value)) {
        return `Cannot set compression.type=${value}: recompression on the broker is not ` +
          "supported; use compression.type=producer and set compression on the producer";
      }
      return invalid(
        "compression.type",
        value,
        "String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer",
      );
    },
    fallback: () => ({
      name: "compression.type",
      value: "producer",
      source: ConfigSource.DEFAULT_CONFIG,
    }),
  },
};

/** Every key CreateTopics accepts, sorted. */
export function creatableKeys(): string[] {
  return [...Object.keys(TOPIC_KEYS), ...Object.keys(CREATE_ONLY_KEYS)].sort();
}

/**
 * Parses one CreateTopics config: the override to store (a null value: the broker default),
 * or an error message naming the key.
 */
export function parseCreateConfig(
  name: string,
  value: string | null,
  config: Config,
): { patch: Patch } | { error: string } {
  if (TOPIC_KEYS[name]) {
    const parsed = parseTopicConfig(name, value);
    return "error" in parsed ? parsed : { patch: { [parsed.field]: parsed.value } };
  }
  const key = CREATE_ONLY_KEYS[name];
  if (!key) {
    return {
      error: `Config '${name}' is not supported; topic configs accepted at creation are ${
        creatableKeys().join(", ")
      }`,
    };
  }
  if (value === null) return { patch: { [key.field]: null } };
  const parsed = key.parse(value.trim(), config);
  return typeof parsed === "string" ? { error: parsed } : { patch: parsed };
}

function shown(v: string | number | null): string | null {
  if (v === null) return null;
  return typeof v === "number" ? formatLong(v) : v;
}

/** A topic's whole effective config: writable keys and creation-only ones, sorted by name. */
export function effectiveTopicConfigs(topic: TopicConfig, config: Config): EffectiveConfig[] {
  const createOnly = Object.entries(CREATE_ONLY_KEYS).map(([name, key]): EffectiveConfig => {
    const override = shown(topic[key.field]);
    const def = key.fallback(config);
    const synonyms = override === null
      ? [def]
      : [{ name, value: override, source: ConfigSource.TOPIC_CONFIG }, def];
    return {
      name,
      value: override ?? def.value,
      source: override === null ? def.source : ConfigSource.TOPIC_CONFIG,
      type: key.type,
      doc: key.doc,
      readOnly: true,
      synonyms,
    };
  });
  return [...writableTopicConfigs(topic, config), ...createOnly]
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** What Produce enforces on the topic's batches (its overrides, else the broker's defaults). */
export function appendRulesOf(topic: TopicConfig, c: Config): AppendRules {
  return {
    requireKeys: isCompacted(topic),
    maxMessageBytes: Math.min(topic.max_message_bytes ?? c.maxMessageBytes, c.maxMessageBytes),
    timestampType: topic.message_timestamp_type ?? "CreateTime",
    timestampBeforeMaxMs: topic.message_timestamp_before_max_ms ?? c.messageTimestampBeforeMaxMs,
    timestampAfterMaxMs: topic.message_timestamp_after_max_ms ?? c.messageTimestampAfterMaxMs,
  };
}
