/**
 * CreateTopics (key 19), versions 0-7 (kafka-python 2.0.2 up to v3, librdkafka up to v4,
 * Java 3.7/4.x up to v7, franz-go up to v7).
 * - v1: validateOnly, error messages. v2: throttle time. v4: default partitions (-1) and
 *   replication factor (-1). v5: flexible; the created topic's partitions, replication factor
 *   and configs in the answer. v7: topic id in the answer.
 * - Replication factor is accepted (any value >= 1 or -1) and reported as 1: durability comes
 *   from the object store, not from replicas. Manual assignments must name this broker.
 * - Configs (src/cluster/topic_create_config.ts): the writable keys retention.ms,
 *   retention.bytes, segment.bytes, cleanup.policy (delete, compact, or both),
 *   min.cleanable.dirty.ratio, min.compaction.lag.ms, max.compaction.lag.ms,
 *   delete.retention.ms, segment.ms, and, set only at creation, max.message.bytes,
 *   message.timestamp.type, message.timestamp.before.max.ms, message.timestamp.after.max.ms and
 *   compression.type (producer only); any other key or value, or a min.compaction.lag.ms above
 *   max.compaction.lag.ms, is INVALID_CONFIG with a message naming it. A null value means the
 *   broker default. The answer (v5+) lists the topic's effective configs; creation-only ones
 *   are read-only.
 * - Errors: TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
 *   INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG.
 * - Authorization (as Kafka): CREATE on the cluster, or on each topic (else
 *   TOPIC_AUTHORIZATION_FAILED for it); the created topic's configs (v5+) only with
 *   DESCRIBE_CONFIGS on it (else topicConfigErrorCode TOPIC_AUTHORIZATION_FAILED, no configs).
 * @module
 */
import { RequestBudget } from "../cluster/request_budget.ts";
import {
  CreateTopics,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
} from "../protocol/messages/19_create_topics.ts";
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import { topicIdBytes, type TopicOverrides } from "../cluster/topics.ts";
import { effectiveTopicConfigs, parseCreateConfig } from "../cluster/topic_create_config.ts";
import { conflictingOverrides } from "../cluster/topic_config.ts";
import type { Handler } from "./registry.ts";
import { authFor } from "./_authorize.ts";
import type { BrokerServices } from "./services.ts";

type Result = CreateTopicsResponse["topics"][number];
type Creatable = CreateTopicsRequest["topics"][number];

/** Builds the CreateTopics handler. */
export function createTopicsHandler(services: BrokerServices): Handler {
  function fail(name: string, code: number, message: string): Result {
    return {
      name,
      topicId: new Uint8Array(16),
      errorCode: code,
      errorMessage: message,
      topicConfigErrorCode: 0,
      numPartitions: -1,
      replicationFactor: -1,
      configs: [],
    };
  }

  async function createOne(
    t: Creatable,
    validateOnly: boolean,
    budget: RequestBudget,
  ): Promise<Result> {
    let partitions = t.numPartitions === -1
      ? services.config.autoCreatePartitions
      : t.numPartitions;
    if (t.assignments.length > 0) {
      if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
        return fail(
          t.name,
          ErrorCode.INVALID_REQUEST,
          "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.",
        );
      }
      const bad = t.assignments.find((a) => a.brokerIds.some((b) => b !== services.broker.nodeId));
      if (bad) {
        return fail(
          t.name,
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `Unknown broker in assignment of partition ${bad.partitionIndex}`,
        );
      }
      partitions = t.assignments.length;
    }
    if (t.replicationFactor === 0 || t.replicationFactor < -1) {
      return fail(
        t.name,
        ErrorCode.INVALID_REPLICATION_FACTOR,
        "Replication factor must be larger than 0, or -1 to use the default value.",
      );
    }
    let overrides: Partial<TopicOverrides> = {};
    for (const c of t.configs) {
      const parsed = parseCreateConfig(c.name, c.value, services.config);
      if ("error" in parsed) return fail(t.name, ErrorCode.INVALID_CONFIG, parsed.error);
      overrides = { ...overrides, ...parsed.patch };
    }
    const conflict = conflictingOverrides(overrides);
    if (conflict) return fail(t.name, ErrorCode.INVALID_CONFIG, conflict);
    try {
      services.topics.checkPartitions(t.name, partitions); // the per-topic limit is named first
      budget.take(t.name, partitions);
      const topic = await services.topics.create(t.name, partitions, overrides, { validateOnly });
      return {
        name: t.name,
        topicId: topicIdBytes(topic.topic_id),
        errorCode: 0,
        errorMessage: null,
        topicConfigErrorCode: 0,
        numPartitions: topic.partitions,
        replicationFactor: 1,
        configs: effectiveTopicConfigs(topic, services.config).map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          configSource: c.source,
          isSensitive: false,
        })),
      };
    } catch (e) {
      if (e instanceof KafkaError) return fail(t.name, e.code, e.message);
      return fail(t.name, ErrorCode.KAFKA_STORAGE_ERROR, `Cannot create topic ${t.name}: ${e}`);
    }
  }

  return {
    schema: CreateTopics,
    minVersion: 0,
    maxVersion: 7,
    authorization: {
      checks: [
        {
          operation: "CREATE",
          resource: "CLUSTER",
          names: "kafka-cluster",
          or: { operation: "CREATE", resource: "TOPIC", names: "topics[].name" },
          denied: "TOPIC_AUTHORIZATION_FAILED",
        },
        {
          operation: "DESCRIBE_CONFIGS",
          resource: "TOPIC",
          names: "topics[].name",
          when: "v5+ answers carry the created topic's configs",
          denied: "left out",
        },
      ],
    },
    async handle(req: CreateTopicsRequest, ctx): Promise<CreateTopicsResponse> {
      const auth = authFor(services, ctx);
      const names = req.topics.map((t) => t.name);
      const creatable = auth.cluster("CREATE", true)
        ? new Set(names)
        : auth.filter("CREATE", "TOPIC", names);
      const describable = auth.filter("DESCRIBE_CONFIGS", "TOPIC", names, true);
      const seen = new Set<string>();
      const topics: Result[] = [];
      const budget = new RequestBudget(services.config.maxPartitionsPerRequest);
      for (const t of req.topics) {
        if (seen.has(t.name)) {
          topics.push(
            fail(
              t.name,
              ErrorCode.INVALID_REQUEST,
              `Create topics request contains duplicate topic ${t.name}`,
            ),
          );
          continue;
        }
        seen.add(t.name);
        if (!creatable.has(t.name)) {
          topics.push({
            ...fail(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, "Authorization failed."),
            topicConfigErrorCode: describable.has(t.name)
              ? 0
              : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          });
          continue;
        }
        const created = await createOne(t, req.validateOnly ?? false, budget);
        topics.push(
          created.errorCode !== 0 || describable.has(t.name) ? created : {
            ...created,
            topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            configs: [],
          },
        );
      }
      return { throttleTimeMs: 0, topics };
    },
  };
}
