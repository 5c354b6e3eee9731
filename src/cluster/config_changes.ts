/**
 * Applies AlterConfigs / IncrementalAlterConfigs to one resource: validates every entry first
 * (nothing is partially applied), rejects broker mutation and keys outside the topic whitelist
 * (including those a topic may be given only at creation) with INVALID_CONFIG naming the key,
 * then writes the topic record in one transaction.
 * @module
 */
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import type { TopicRegistry } from "./topics.ts";
import type { TopicConfig } from "../metadata/records.ts";
import { conflictingOverrides, parseTopicConfig, TOPIC_KEYS } from "./topic_config.ts";
import { CREATE_ONLY_KEYS } from "./topic_create_config.ts";

/** One requested change: set a value, or delete the override (value null). */
export interface ConfigChange {
  name: string;
  value: string | null;
}

/** Resource types as Kafka numbers them. */
const TOPIC = 2;
const BROKER = 4;

/**
 * Validates and applies changes. `replace` (legacy AlterConfigs) resets every override not
 * named to the broker default; incremental changes leave them alone.
 */
export async function applyConfigChanges(
  topics: TopicRegistry,
  resource: { type: number; name: string },
  changes: ConfigChange[],
  options: { replace: boolean; validateOnly: boolean },
): Promise<void> {
  if (resource.type === BROKER) {
    throw new KafkaError(
      "INVALID_CONFIG",
      "Broker configs are read-only in KafScale; only topic configs can be altered",
    );
  }
  if (resource.type !== TOPIC) {
    throw new KafkaError("INVALID_REQUEST", `Resource type ${resource.type} is not supported`);
  }
  if (!topics.get(resource.name)) {
    throw new KafkaError("UNKNOWN_TOPIC_OR_PARTITION", `Topic '${resource.name}' does not exist`);
  }
  const patch: Record<string, number | string | null> = {};
  for (const c of changes) {
    if (CREATE_ONLY_KEYS[c.name]) {
      throw new KafkaError(
        "INVALID_CONFIG",
        `Cannot alter ${c.name}: it can be set only when the topic is created; alterable ` +
          `topic configs are ${Object.keys(TOPIC_KEYS).join(", ")}`,
      );
    }
    const parsed = parseTopicConfig(c.name, c.value);
    if ("error" in parsed) throw new KafkaError("INVALID_CONFIG", parsed.error);
    patch[parsed.field] = parsed.value;
  }
  await topics.update(resource.name, (t) => {
    const base = options.replace
      ? Object.fromEntries(Object.values(TOPIC_KEYS).map((k) => [k.field, null]))
      : {};
    const next = { ...t, ...base, ...patch } as TopicConfig;
    const conflict = conflictingOverrides(next);
    if (conflict) throw new KafkaError("INVALID_CONFIG", conflict);
    return next;
  }, { validateOnly: options.validateOnly });
}

/** One resource's outcome, as both alter-config responses carry it. */
export interface AlterOutcome {
  resourceType: number;
  resourceName: string;
  errorCode: number;
  errorMessage: string | null;
}

/**
 * Applies changes resource by resource (each all-or-nothing) and reports an outcome per
 * resource; `changesOf` may throw a KafkaError to refuse a resource before anything is written.
 */
export async function alterResources<R extends { resourceType: number; resourceName: string }>(
  topics: TopicRegistry,
  resources: R[],
  changesOf: (r: R) => ConfigChange[],
  options: { replace: boolean; validateOnly: boolean },
): Promise<AlterOutcome[]> {
  const out: AlterOutcome[] = [];
  for (const r of resources) {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    try {
      await applyConfigChanges(
        topics,
        { type: r.resourceType, name: r.resourceName },
        changesOf(r),
        options,
      );
      out.push({ ...base, errorCode: 0, errorMessage: null });
    } catch (e) {
      const code = e instanceof KafkaError ? e.code : ErrorCode.KAFKA_STORAGE_ERROR;
      out.push({ ...base, errorCode: code, errorMessage: (e as Error).message });
    }
  }
  return out;
}
