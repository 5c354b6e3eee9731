/**
 * IncrementalAlterConfigs (key 44), versions 0-1 (Kafka 3.7+ `kafka-configs.sh --alter` for
 * topics, Java admin, franz-go, librdkafka 2.x).
 * - v1: flexible.
 * - Operations: SET (0) and DELETE (1, back to the broker default); APPEND (2) and SUBTRACT (3)
 *   apply only to list configs (cleanup.policy), as Kafka: APPEND adds the items not listed yet
 *   to the current value (the override, else the default), SUBTRACT removes items; anything
 *   else is INVALID_CONFIG. Same whitelist, the same all-or-nothing validation and the same
 *   broker refusal as AlterConfigs.
 * - Authorization: as AlterConfigs (ALTER_CONFIGS on the topic, or on the cluster for a broker).
 * @module
 */
import {
  IncrementalAlterConfigs,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponse,
} from "../protocol/messages/44_incremental_alter_configs.ts";
import { KafkaError } from "../protocol/errors.ts";
import { alterResources, type ConfigChange } from "../cluster/config_changes.ts";
import { CREATE_ONLY_KEYS } from "../cluster/topic_create_config.ts";
import { effectiveValue, isListKey } from "../cluster/topic_config.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { ALTER_CONFIGS_CHECKS } from "./33_alter_configs.ts";

const SET = 0;
const DELETE = 1;
const APPEND = 2;

/** A list value after APPEND (items not in it yet, at the end) or SUBTRACT (items removed). */
export function applyListOperation(current: string, op: number, value: string): string {
  const items = current.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const given = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  return op === APPEND
    ? [...items, ...given.filter((v) => !items.includes(v))].join(",")
    : items.filter((v) => !given.includes(v)).join(",");
}

/** Builds the IncrementalAlterConfigs handler. */
export function incrementalAlterConfigsHandler(services: BrokerServices): Handler {
  return {
    schema: IncrementalAlterConfigs,
    minVersion: 0,
    maxVersion: 1,
    authorization: ALTER_CONFIGS_CHECKS,
    async handle(
      req: IncrementalAlterConfigsRequest,
      ctx,
    ): Promise<IncrementalAlterConfigsResponse> {
      const auth = authFor(services, ctx);
      const responses = await alterResources(
        services.topics,
        req.resources,
        (r) => {
          const refused = auth.configResource("ALTER_CONFIGS", r);
          if (refused) throw new KafkaError(refused.code, refused.message);
          // List values as the request's earlier operations left them.
          const lists = new Map<string, string>();
          return r.configs.map((c): ConfigChange => {
            if (c.configOperation === SET) return { name: c.name, value: c.value ?? "" };
            if (c.configOperation === DELETE) return { name: c.name, value: null };
            // A creation-only key is refused as such by the alter.
            if (CREATE_ONLY_KEYS[c.name]) return { name: c.name, value: null };
            const topic = services.topics.get(r.resourceName);
            if (!isListKey(c.name) || r.resourceType !== 2 || !topic) {
              throw new KafkaError(
                "INVALID_CONFIG",
                `Config '${c.name}' is not a list: APPEND and SUBTRACT do not apply`,
              );
            }
            const current = lists.get(c.name) ?? effectiveValue(topic, c.name, services.config);
            const value = applyListOperation(current, c.configOperation, c.value ?? "");
            lists.set(c.name, value);
            return { name: c.name, value };
          });
        },
        { replace: false, validateOnly: req.validateOnly },
      );
      return { throttleTimeMs: 0, responses };
    },
  };
}
