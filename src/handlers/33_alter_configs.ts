/**
 * AlterConfigs (key 33), versions 0-2 (librdkafka up to v1, kafka-python 2.0.2 up to v1,
 * Java 3.7/4.x and franz-go up to v2; the spec lists v1, which is not flexible).
 * - v1: no change. v2: flexible.
 * - Legacy semantics, as Kafka: the request sets the topic's whole override set; whitelisted
 *   keys not named return to the broker default. Only the writable keys (retention.ms,
 *   retention.bytes, segment.bytes, cleanup.policy and the compaction keys:
 *   src/cluster/topic_config.ts); anything else, an invalid value, or any broker resource is
 *   INVALID_CONFIG with a message naming the key, and nothing is applied. validateOnly checks
 *   only.
 * - cleanup.policy may change on a running topic (Kafka Connect users fix an internal topic
 *   created without `compact` this way); like every change here it needs ALTER_CONFIGS, and
 *   the compactor and retention read the topic's settings at each pass, so it applies at once.
 *   Turning compaction on makes records already stored without a key go at the next pass.
 * - Stored in the topic's TopicConfig record; running brokers see it through their watch.
 * - Authorization (as Kafka): ALTER_CONFIGS on the topic (else TOPIC_AUTHORIZATION_FAILED) or,
 *   for a broker, on the cluster (else CLUSTER_AUTHORIZATION_FAILED), per resource.
 * @module
 */
import {
  AlterConfigs,
  type AlterConfigsRequest,
  type AlterConfigsResponse,
} from "../protocol/messages/33_alter_configs.ts";
import { alterResources } from "../cluster/config_changes.ts";
import type { Authorization, Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { KafkaError } from "../protocol/errors.ts";

/** What AlterConfigs and IncrementalAlterConfigs check, per resource. */
export const ALTER_CONFIGS_CHECKS: Authorization = {
  checks: [
    {
      operation: "ALTER_CONFIGS",
      resource: "TOPIC",
      names: "resources[].resourceName (resourceType 2)",
      denied: "TOPIC_AUTHORIZATION_FAILED",
    },
    {
      operation: "ALTER_CONFIGS",
      resource: "CLUSTER",
      names: "kafka-cluster (resourceType 4, a broker)",
      denied: "CLUSTER_AUTHORIZATION_FAILED",
    },
  ],
};

/** Builds the AlterConfigs handler. */
export function alterConfigsHandler(services: BrokerServices): Handler {
  return {
    schema: AlterConfigs,
    minVersion: 0,
    maxVersion: 2,
    authorization: ALTER_CONFIGS_CHECKS,
    async handle(req: AlterConfigsRequest, ctx): Promise<AlterConfigsResponse> {
      const auth = authFor(services, ctx);
      const changesOf = (r: AlterConfigsRequest["resources"][number]) => {
        const refused = auth.configResource("ALTER_CONFIGS", r);
        if (refused) throw new KafkaError(refused.code, refused.message);
        return r.configs;
      };
      const responses = await alterResources(services.topics, req.resources, changesOf, {
        replace: true,
        validateOnly: req.validateOnly,
      });
      return { throttleTimeMs: 0, responses };
    },
  };
}
