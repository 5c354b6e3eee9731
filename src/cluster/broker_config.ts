/**
 * The read-only broker configs the spec exposes through DescribeConfigs, under names that do
 * not collide with Apache Kafka's. Secrets are never among them.
 * @module
 */
import type { Config } from "../config/config.ts";
import { ConfigSource, ConfigType, type EffectiveConfig } from "./topic_config.ts";
import { advertisedListeners } from "../config/security.ts";

/** The broker's whitelisted configs with their current values. */
export function brokerConfigs(c: Config): EffectiveConfig[] {
  const entries: [string, string, number, string][] = [
    [
      "broker.id",
      String(c.brokerId),
      ConfigType.INT,
      "This broker's node id (KAFSCALE_BROKER_ID).",
    ],
    [
      "advertised.listeners",
      advertisedListeners(c.listeners),
      ConfigType.STRING,
      "Where clients reach this broker.",
    ],
    [
      "kafscale.s3.bucket",
      c.s3Bucket,
      ConfigType.STRING,
      "Object storage bucket (KAFSCALE_S3_BUCKET).",
    ],
    [
      "kafscale.s3.region",
      c.s3Region,
      ConfigType.STRING,
      "Object storage region (KAFSCALE_S3_REGION).",
    ],
    [
      "kafscale.s3.endpoint",
      c.s3Endpoint,
      ConfigType.STRING,
      "Object storage endpoint (KAFSCALE_S3_ENDPOINT).",
    ],
    [
      "kafscale.cache.bytes",
      String(c.cacheBytes),
      ConfigType.LONG,
      "Segment read cache size (KAFSCALE_CACHE_BYTES).",
    ],
    [
      "kafscale.readahead.segments",
      String(c.readaheadSegments),
      ConfigType.INT,
      "Read-ahead (KAFSCALE_READAHEAD_SEGMENTS).",
    ],
    [
      "kafscale.segment.bytes",
      String(c.segmentBytes),
      ConfigType.INT,
      "Flush size (KAFSCALE_SEGMENT_BYTES).",
    ],
    [
      "kafscale.flush.interval.ms",
      String(c.flushIntervalMs),
      ConfigType.LONG,
      "Least time between the starts of two flush cycles (KAFSCALE_FLUSH_INTERVAL_MS).",
    ],
  ];
  return entries.map(([name, value, type, doc]) => ({
    name,
    value,
    source: ConfigSource.STATIC_BROKER_CONFIG,
    type,
    doc,
    readOnly: true,
    synonyms: [{ name, value, source: ConfigSource.STATIC_BROKER_CONFIG }],
  }));
}
