/**
 * Topic configs at creation: which keys and values CreateTopics accepts and what it refuses
 * (with the message a user sees), how a topic's effective configs are reported, what Produce
 * enforces, that records written before these keys existed still parse, and that the alter
 * APIs refuse the creation-only keys.
 */
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { parseConfig } from "../config/config.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { decodeRecord, type TopicConfig, TopicConfigSchema } from "../metadata/records.ts";
import { KafkaError } from "../protocol/errors.ts";
import { applyConfigChanges } from "./config_changes.ts";
import { ConfigSource } from "./topic_config.ts";
import {
  appendRulesOf,
  creatableKeys,
  effectiveTopicConfigs,
  parseCreateConfig,
} from "./topic_create_config.ts";
import { TopicRegistry } from "./topics.ts";

const config = parseConfig({ KAFSCALE_MAX_MESSAGE_BYTES: "1048588" });
const parse = (name: string, value: string | null) => parseCreateConfig(name, value, config);
const error = (name: string, value: string | null) => {
  const r = parse(name, value);
  assert("error" in r, `${name}=${value} should be refused`);
  return r.error;
};

Deno.test("create configs: Kafka's values for the creation-only keys are stored as overrides", () => {
  assertEquals(parse("max.message.bytes", "2000"), { patch: { max_message_bytes: 2000 } });
  assertEquals(parse("message.timestamp.type", "LogAppendTime"), {
    patch: { message_timestamp_type: "LogAppendTime" },
  });
  assertEquals(parse("message.timestamp.type", "CreateTime"), {
    patch: { message_timestamp_type: "CreateTime" },
  });
  assertEquals(parse("message.timestamp.before.max.ms", "9223372036854775807"), {
    patch: { message_timestamp_before_max_ms: Number.MAX_SAFE_INTEGER },
  });
  assertEquals(parse("message.timestamp.after.max.ms", "60000"), {
    patch: { message_timestamp_after_max_ms: 60000 },
  });
  assertEquals(parse("compression.type", "producer"), { patch: { compression_type: "producer" } });
  assertEquals(parse("cleanup.policy", "delete"), { patch: { cleanup_policy: "delete" } });
  assertEquals(parse("retention.ms", "1000"), { patch: { retention_ms: 1000 } });
  assertEquals(parse("max.message.bytes", null), { patch: { max_message_bytes: null } });
});

Deno.test("create configs: recompression is refused saying it is not supported", () => {
  for (const codec of ["uncompressed", "gzip", "snappy", "lz4", "zstd"]) {
    assertEquals(
      error("compression.type", codec),
      `Cannot set compression.type=${codec}: recompression on the broker is not supported; ` +
        "use compression.type=producer and set compression on the producer",
    );
  }
});

Deno.test("create configs: cleanup.policy is a list of delete and compact; compaction keys take Kafka's ranges", () => {
  assertEquals(parse("cleanup.policy", "compact"), { patch: { cleanup_policy: "compact" } });
  assertEquals(parse("cleanup.policy", "compact,delete"), {
    patch: { cleanup_policy: "compact,delete" },
  });
  assertEquals(parse("cleanup.policy", " delete , compact,delete"), {
    patch: { cleanup_policy: "delete,compact" },
  });
  assertEquals(
    error("cleanup.policy", ""),
    "Invalid value  for configuration cleanup.policy: Invalid value(s); allowed: delete, compact",
  );
  assertEquals(parse("min.cleanable.dirty.ratio", "0.01"), {
    patch: { min_cleanable_dirty_ratio: 0.01 },
  });
  assert(error("min.cleanable.dirty.ratio", "1.5").includes("between 0 and 1"));
  assert(error("min.cleanable.dirty.ratio", "half").includes("between 0 and 1"));
  assertEquals(parse("delete.retention.ms", "0"), { patch: { delete_retention_ms: 0 } });
  assertEquals(parse("max.compaction.lag.ms", "9223372036854775807"), {
    patch: { max_compaction_lag_ms: Number.MAX_SAFE_INTEGER },
  });
  assertEquals(parse("segment.ms", "100"), { patch: { segment_ms: 100 } });
  assert(error("segment.ms", "0").includes("from 1 to 9223372036854775807"));
  assert(error("min.compaction.lag.ms", "-1").includes("from 0 to"));
  assertEquals(appendRulesOf(topic({ cleanup_policy: "compact" }), config).requireKeys, true);
  assertEquals(appendRulesOf(topic({ cleanup_policy: "delete" }), config).requireKeys, false);
});

Deno.test("create configs: bad values are refused naming the key, the value and the rule", () => {
  assertEquals(
    error("max.message.bytes", "2000000"),
    "Invalid value 2000000 for configuration max.message.bytes: must be from 0 to 1048588, " +
      "the broker's limit (KAFSCALE_MAX_MESSAGE_BYTES)",
  );
  assert(error("max.message.bytes", "-1").includes("max.message.bytes"));
  assertEquals(
    error("message.timestamp.type", "createtime"),
    "Invalid value createtime for configuration message.timestamp.type: String must be one of: " +
      "CreateTime, LogAppendTime",
  );
  assert(error("message.timestamp.after.max.ms", "-1").includes("from 0 to 9223372036854775807"));
  assert(error("compression.type", "brotli").includes("String must be one of"));
  assert(error("cleanup.policy", "keep").includes("Invalid value keep"));
});

Deno.test("create configs: other keys, Kafka's or unknown, are refused naming the key and the keys accepted", () => {
  const accepted = creatableKeys().join(", ");
  assertEquals(
    accepted,
    "cleanup.policy, compression.type, delete.retention.ms, max.compaction.lag.ms, " +
      "max.message.bytes, message.timestamp.after.max.ms, message.timestamp.before.max.ms, " +
      "message.timestamp.type, min.cleanable.dirty.ratio, min.compaction.lag.ms, " +
      "retention.bytes, retention.ms, segment.bytes, segment.ms",
  );
  for (const key of ["min.insync.replicas", "message.timestamp.difference.max.ms", "no.such.key"]) {
    assertEquals(
      error(key, "1"),
      `Config '${key}' is not supported; topic configs accepted at creation are ${accepted}`,
    );
  }
});

function topic(extra: Partial<TopicConfig> = {}): TopicConfig {
  return decodeRecord(
    TopicConfigSchema,
    "topics/t",
    new TextEncoder().encode(JSON.stringify({
      name: "t",
      topic_id: "0".repeat(32),
      partitions: 1,
      retention_ms: null,
      retention_bytes: null,
      segment_bytes: null,
      created_ms: 1,
      ...extra,
    })),
  );
}

Deno.test("create configs: a topic record written before these keys existed reads them as defaults", () => {
  const t = topic(); // the JSON has none of the new fields
  assertEquals(
    [t.max_message_bytes, t.message_timestamp_type, t.compression_type, t.cleanup_policy],
    [null, null, null, null],
  );
  assertEquals(appendRulesOf(t, config), {
    requireKeys: false,
    maxMessageBytes: 1048588,
    timestampType: "CreateTime",
    timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
    timestampAfterMaxMs: 3_600_000,
  });
});

Deno.test("create configs: effective configs show overrides as TOPIC_CONFIG, creation-only keys read-only", () => {
  const byName = (t: TopicConfig) =>
    new Map(effectiveTopicConfigs(t, config).map((e) => [e.name, e]));
  const plain = byName(topic());
  assertEquals(plain.get("cleanup.policy")!.value, "delete");
  assertEquals(plain.get("cleanup.policy")!.source, ConfigSource.DEFAULT_CONFIG);
  assertEquals(plain.get("message.timestamp.before.max.ms")!.value, "9223372036854775807");
  assertEquals(plain.get("max.message.bytes")!.source, ConfigSource.STATIC_BROKER_CONFIG);
  assertEquals(plain.get("retention.ms")!.readOnly, false);
  const set = byName(topic({
    max_message_bytes: 2000,
    message_timestamp_type: "LogAppendTime",
    cleanup_policy: "delete",
  }));
  const mmb = set.get("max.message.bytes")!;
  assertEquals([mmb.value, mmb.source, mmb.readOnly], ["2000", ConfigSource.TOPIC_CONFIG, true]);
  assertEquals(mmb.synonyms.map((s) => s.name), ["max.message.bytes", "message.max.bytes"]);
  assertEquals(set.get("message.timestamp.type")!.value, "LogAppendTime");
  assertEquals(set.get("cleanup.policy")!.source, ConfigSource.TOPIC_CONFIG);
  assertEquals(set.get("cleanup.policy")!.readOnly, false);
  assertEquals(plain.get("min.cleanable.dirty.ratio")!.value, "0.5");
  assertEquals(plain.get("max.compaction.lag.ms")!.value, "9223372036854775807");
  assertEquals(plain.get("delete.retention.ms")!.synonyms, [
    { name: "log.cleaner.delete.retention.ms", value: "86400000", source: 5 },
  ]);
  assertEquals(set.size, 14);
});

Deno.test("create configs: the broker's max message bytes stays the bound when it is lowered later", () => {
  const t = topic({ max_message_bytes: 500_000, message_timestamp_after_max_ms: 0 });
  assertEquals(appendRulesOf(t, config).maxMessageBytes, 500_000);
  const lowered = parseConfig({ KAFSCALE_MAX_MESSAGE_BYTES: "100000" });
  assertEquals(appendRulesOf(t, lowered).maxMessageBytes, 100_000);
  assertEquals(appendRulesOf(t, config).timestampAfterMaxMs, 0);
});

Deno.test("create configs: the alter APIs refuse creation-only keys and keep the topic's", async () => {
  const meta = new MemoryMetadataStore();
  const topics = new TopicRegistry(meta);
  await topics.start();
  await topics.create("t", 1, { max_message_bytes: 2000 });
  const e = await assertRejects(
    () =>
      applyConfigChanges(topics, { type: 2, name: "t" }, [
        { name: "max.message.bytes", value: "3000" },
      ], { replace: false, validateOnly: false }),
    KafkaError,
  );
  assertEquals(e.code, 40);
  assertEquals(
    e.message,
    "Cannot alter max.message.bytes: it can be set only when the topic is created; alterable " +
      "topic configs are retention.ms, retention.bytes, segment.bytes, cleanup.policy, " +
      "min.cleanable.dirty.ratio, min.compaction.lag.ms, max.compaction.lag.ms, " +
      "delete.retention.ms, segment.ms",
  );
  // Legacy AlterConfigs replaces the writable set only.
  await applyConfigChanges(topics, { type: 2, name: "t" }, [{ name: "retention.ms", value: "5" }], {
    replace: true,
    validateOnly: false,
  });
  assertEquals([topics.get("t")!.retention_ms, topics.get("t")!.max_message_bytes], [5, 2000]);
  // cleanup.policy and the compaction keys are alterable; lags that contradict are refused.
  await applyConfigChanges(topics, { type: 2, name: "t" }, [
    { name: "cleanup.policy", value: "compact" },
    { name: "max.compaction.lag.ms", value: "1000" },
  ], { replace: false, validateOnly: false });
  assertEquals(topics.get("t")!.cleanup_policy, "compact");
  const conflict = await assertRejects(
    () =>
      applyConfigChanges(topics, { type: 2, name: "t" }, [
        { name: "min.compaction.lag.ms", value: "2000" },
      ], { replace: false, validateOnly: false }),
    KafkaError,
  );
  assertEquals(
    conflict.message,
    "conflict topic config setting min.compaction.lag.ms (2000) > max.compaction.lag.ms (1000)",
  );
  await topics.close();
});
