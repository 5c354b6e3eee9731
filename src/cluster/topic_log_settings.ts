/**
 * A topic's effective log settings, as the partition logs and the compactor use them: its
 * overrides, else the broker's defaults, else Kafka's. Retention applies only when
 * cleanup.policy includes `delete` (a compacted-only topic keeps its records however old, as in
 * Kafka); compaction only when it includes `compact`.
 * @module
 */
import type { Config } from "../config/config.ts";
import type { TopicConfig } from "../metadata/records.ts";
import type { TopicLogSettings } from "../log/log_manager.ts";
import type { CompactionSettings } from "../log/compaction_policy.ts";
import type { CompactedTopic } from "../log/compaction_scheduler.ts";
import { isCompacted, isDeleting } from "./topic_config.ts";

/** Retention and segment size of a topic. */
export function logSettingsOf(t: TopicConfig, config: Config): TopicLogSettings {
  const deleting = isDeleting(t);
  return {
    retentionMs: deleting ? t.retention_ms ?? config.retentionMs : -1,
    retentionBytes: deleting ? t.retention_bytes ?? config.retentionBytes : -1,
    segmentBytes: t.segment_bytes ?? config.segmentBytes,
  };
}

/** Compaction settings of a topic (Kafka's defaults where it has no override). */
export function compactionSettingsOf(t: TopicConfig, config: Config): CompactionSettings {
  return {
    minCleanableDirtyRatio: t.min_cleanable_dirty_ratio ?? 0.5,
    minCompactionLagMs: t.min_compaction_lag_ms ?? 0,
    maxCompactionLagMs: t.max_compaction_lag_ms ?? Number.MAX_SAFE_INTEGER,
    deleteRetentionMs: t.delete_retention_ms ?? 86_400_000,
    segmentMs: t.segment_ms ?? 604_800_000,
    segmentBytes: t.segment_bytes ?? config.segmentBytes,
  };
}

/** The compacted topics among `topics`, with their settings. */
export function compactedTopics(topics: readonly TopicConfig[], config: Config): CompactedTopic[] {
  return topics.filter(isCompacted).map((t) => ({
    name: t.name,
    topicId: t.topic_id,
    partitions: t.partitions,
    settings: compactionSettingsOf(t, config),
  }));
}
