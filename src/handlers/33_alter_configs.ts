/**
 * AlterConfigs (key 33), versions 0-2 (librdkafka up to v1, kafka-python 2.0.2 up to v1,
 * Java 3.7/4.x and franz-go up to v2; the spec lists v1, which is not flexible).
 * - v1: no change. v2: flexible.
 * - Legacy semantics, as Kafka: the request sets the topic's whole override set; whitelisted
 *   keys not named return to the broker default. Only retention.ms, retention.bytes and
 *   segment.bytes; anything else, an invalid value, or any broker resource is INVALID_CONFIG
 *   with a message naming the key, and nothing is applied. validateOnly checks only.
 * - Stored in the topic's TopicConfig record; running brokers see it through their watch.
 * @module
 */
import {
  AlterConfigs,
  type AlterConfigsRequest,
  type AlterConfigsResponse,
} from "../protocol/messages/33_alter_configs.ts";
import { alterResources } from "../cluster/config_changes.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";

/** Builds the AlterConfigs handler. */
export function alterConfigsHandler(services: BrokerServices): Handler {
  return {
    schema: AlterConfigs,
    minVersion: 0,
    maxVersion: 2,
    async handle(req: AlterConfigsRequest): Promise<AlterConfigsResponse> {
      const responses = await alterResources(services.topics, req.resources, (r) => r.configs, {
        replace: true,
        validateOnly: req.validateOnly,
      });
      return { throttleTimeMs: 0, responses };
    },
  };
}
