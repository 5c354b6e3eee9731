/**
 * DescribeConfigs (key 32), versions 0-4 (librdkafka up to v1, kafka-python 2.0.2 up to v2,
 * Java 3.7/4.x and franz-go up to v4; the spec lists v4).
 * - v1: synonyms (topic override, then broker default) and config source. v2: no change.
 *   v3: config type and documentation. v4: flexible.
 * - Topics (resource type 2): the writable keys (retention.ms, retention.bytes, segment.bytes,
 *   cleanup.policy, min.cleanable.dirty.ratio, min.compaction.lag.ms, max.compaction.lag.ms,
 *   delete.retention.ms, segment.ms) with their source, and the read-only keys set only at
 *   creation (max.message.bytes, message.timestamp.type, message.timestamp.before.max.ms,
 *   message.timestamp.after.max.ms, compression.type): TOPIC_CONFIG when the topic has them,
 *   else the broker default (DEFAULT_CONFIG with Kafka's value where no setting exists).
 *   Brokers (type 4, this broker's id or ""): the spec's read-only whitelist. Only these keys
 *   are returned; unknown requested keys are ignored. Other resource types:
 *   INVALID_REQUEST. Unknown topic: UNKNOWN_TOPIC_OR_PARTITION.
 * - Authorization (as Kafka): DESCRIBE_CONFIGS on the topic (else TOPIC_AUTHORIZATION_FAILED)
 *   or, for a broker, on the cluster (else CLUSTER_AUTHORIZATION_FAILED).
 * @module
 */
import {
  DescribeConfigs,
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
} from "../protocol/messages/32_describe_configs.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { EffectiveConfig } from "../cluster/topic_config.ts";
import { effectiveTopicConfigs } from "../cluster/topic_create_config.ts";
import { brokerConfigs } from "../cluster/broker_config.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";

/** Kafka's resource types. */
export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;

type Result = DescribeConfigsResponse["results"][number];

/** Builds the DescribeConfigs handler. */
export function describeConfigsHandler(services: BrokerServices): Handler {
  return {
    schema: DescribeConfigs,
    minVersion: 0,
    maxVersion: 4,
    authorization: {
      checks: [
        {
          operation: "DESCRIBE_CONFIGS",
          resource: "TOPIC",
          names: "resources[].resourceName (resourceType 2)",
          denied: "TOPIC_AUTHORIZATION_FAILED",
        },
        {
          operation: "DESCRIBE_CONFIGS",
          resource: "CLUSTER",
          names: "kafka-cluster (resourceType 4, a broker)",
          denied: "CLUSTER_AUTHORIZATION_FAILED",
        },
      ],
    },
    handle(req: DescribeConfigsRequest, ctx): DescribeConfigsResponse {
      const v = ctx.apiVersion;
      const auth = authFor(services, ctx);
      const results = req.resources.map((r): Result => {
        const base = {
          errorCode: 0,
          errorMessage: null,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          configs: [],
        };
        let entries: EffectiveConfig[];
        const refused = auth.configResource("DESCRIBE_CONFIGS", r);
        if (refused) return { ...base, errorCode: refused.code, errorMessage: refused.message };
        if (r.resourceType === ResourceType.TOPIC) {
          const topic = services.topics.get(r.resourceName);
          if (!topic) {
            return {
              ...base,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              errorMessage: `Topic '${r.resourceName}' does not exist`,
            };
          }
          entries = effectiveTopicConfigs(topic, services.config);
        } else if (r.resourceType === ResourceType.BROKER) {
          if (r.resourceName !== "" && r.resourceName !== String(services.broker.nodeId)) {
            return {
              ...base,
              errorCode: ErrorCode.INVALID_REQUEST,
              errorMessage: `Unknown broker ${r.resourceName}`,
            };
          }
          entries = brokerConfigs(services.config);
        } else {
          return {
            ...base,
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `Resource type ${r.resourceType} is not supported`,
          };
        }
        const wanted = r.configurationKeys === null ? null : new Set(r.configurationKeys);
        return {
          ...base,
          configs: entries.filter((e) => !wanted || wanted.has(e.name)).map((e) => ({
            name: e.name,
            value: e.value,
            readOnly: e.readOnly,
            isDefault: e.source !== 1,
            configSource: e.source,
            isSensitive: false,
            synonyms: v >= 1 && req.includeSynonyms ? e.synonyms : [],
            configType: e.type,
            documentation: v >= 3 && req.includeDocumentation ? e.doc : null,
          })),
        };
      });
      return { throttleTimeMs: 0, results };
    },
  };
}
