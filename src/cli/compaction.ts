/**
 * Wires compaction into a broker: the scheduler over this broker's partition logs and the
 * topic registry, its settings, metrics and log lines. Part of the composition root.
 * @module
 */
import type { Config } from "../config/config.ts";
import type { TopicRegistry } from "../cluster/topics.ts";
import type { LogManager } from "../log/log_manager.ts";
import type { ObjectStore } from "../object_store/types.ts";
import type { BrokerMetrics } from "../metrics/metrics.ts";
import type { Logger } from "../metrics/logger.ts";
import { type Membership, partitionKey } from "../cluster/membership.ts";
import { CompactionScheduler } from "../log/compaction_scheduler.ts";
import { compactedTopics } from "../cluster/topic_log_settings.ts";
import { CompactionMetrics } from "../metrics/compaction_metrics.ts";

/** Starts the compaction scheduler (null when KAFSCALE_COMPACTION_ENABLED is off). */
export function startCompaction(
  config: Config,
  parts: {
    logs: LogManager;
    topics: TopicRegistry;
    cluster: Membership;
    objects: ObjectStore;
    metrics: BrokerMetrics;
    log: Logger;
  },
): CompactionScheduler | null {
  if (!config.compactionEnabled) return null;
  const { logs, topics, cluster, log } = parts;
  let scheduler: CompactionScheduler | null = null;
  const metrics = new CompactionMetrics(parts.metrics.registry, () => scheduler!.throttledMs);
  scheduler = new CompactionScheduler({
    topics: () => compactedTopics(topics.list(), config),
    owns: (topic, partition) => cluster.owns(partitionKey(topic, partition)),
    peek: (topic, partition) => logs.peek(topic, partition),
    open: (topic, id, partition) => logs.get(topic, id, partition),
    objects: parts.objects,
    namespace: config.s3Namespace,
  }, {
    checkMs: config.compactionCheckMs,
    bytesPerSecond: config.compactionBytesPerSec,
    concurrency: config.compactionConcurrency,
    mapBytes: config.compactionMapBytes,
    onCheck: (ratio) => metrics.check(ratio),
    onPass(at, result, ms) {
      metrics.pass(result, ms);
      if (result instanceof Error) {
        log.warn("compaction pass failed", { ...at, error: result });
      } else {
        log.info("compaction pass committed", {
          ...at,
          reason: result.reason,
          ms: Math.round(ms),
          read: result.bytesRead,
          written: result.bytesWritten,
          removed: result.removed,
          cleanedOffset: result.cleanedOffset,
          mapFull: result.mapFull,
        });
      }
    },
  });
  scheduler.start();
  return scheduler;
}
