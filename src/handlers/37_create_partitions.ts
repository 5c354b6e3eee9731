/**
 * CreatePartitions (key 37), versions 0-3 (librdkafka sends v0, kafka-python 2.0.2 up to v1,
 * Java 3.7/4.x and franz-go up to v3; the spec lists v3).
 * - v1: no change. v2: flexible. v3: no change.
 * - Additive only: a count not above the current one is INVALID_PARTITIONS. New partitions get
 *   empty partition records at once, so every broker can serve them immediately.
 *   validateOnly checks without changing anything. Manual assignments must name this broker.
 * - Errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS, INVALID_REPLICA_ASSIGNMENT.
 * - Authorization (as Kafka): ALTER on each topic, else TOPIC_AUTHORIZATION_FAILED (whether it
 *   exists or not).
 * @module
 */
import { RequestBudget } from "../cluster/request_budget.ts";
import {
  CreatePartitions,
  type CreatePartitionsRequest,
  type CreatePartitionsResponse,
} from "../protocol/messages/37_create_partitions.ts";
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";

/** Builds the CreatePartitions handler. */
export function createPartitionsHandler(services: BrokerServices): Handler {
  async function one(
    t: CreatePartitionsRequest["topics"][number],
    validateOnly: boolean,
    budget: RequestBudget,
  ) {
    const result = { name: t.name, errorCode: 0, errorMessage: null as string | null };
    const fail = (code: number, message: string) => ({
      ...result,
      errorCode: code,
      errorMessage: message,
    });
    const current = services.topics.get(t.name);
    if (!current) {
      return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${t.name}' does not exist.`);
    }
    if (t.count <= current.partitions) {
      return fail(
        ErrorCode.INVALID_PARTITIONS,
        `Topic currently has ${current.partitions} partitions, which is higher than or equal to the requested ${t.count}; partitions can only be added.`,
      );
    }
    try {
      services.topics.checkPartitions(t.name, t.count, current.partitions);
      budget.take(t.name, t.count - current.partitions);
    } catch (e) {
      if (e instanceof KafkaError) return fail(e.code, e.message);
      throw e;
    }
    if (
      t.assignments && (t.assignments.length !== t.count - current.partitions ||
        t.assignments.some((a) => a.brokerIds.some((b) => b !== services.broker.nodeId)))
    ) {
      return fail(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        "Assignments must name this broker, one per new partition",
      );
    }
    try {
      await services.topics.update(t.name, (cur) => {
        if (t.count <= cur.partitions) {
          throw new KafkaError("INVALID_PARTITIONS", "Partition count changed meanwhile");
        }
        return { ...cur, partitions: t.count };
      }, { validateOnly });
      return result;
    } catch (e) {
      return fail(
        e instanceof KafkaError ? e.code : ErrorCode.KAFKA_STORAGE_ERROR,
        String((e as Error).message),
      );
    }
  }
  return {
    schema: CreatePartitions,
    minVersion: 0,
    maxVersion: 3,
    authorization: {
      checks: [{
        operation: "ALTER",
        resource: "TOPIC",
        names: "topics[].name",
        denied: "TOPIC_AUTHORIZATION_FAILED",
      }],
    },
    async handle(req: CreatePartitionsRequest, ctx): Promise<CreatePartitionsResponse> {
      const results = [];
      const budget = new RequestBudget(services.config.maxPartitionsPerRequest);
      const alterable = authFor(services, ctx).filter(
        "ALTER",
        "TOPIC",
        req.topics.map((t) => t.name),
      );
      for (const t of req.topics) {
        results.push(
          alterable.has(t.name) ? await one(t, req.validateOnly, budget) : {
            name: t.name,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            errorMessage: "The topic authorization is failed.",
          },
        );
      }
      return { throttleTimeMs: 0, results };
    },
  };
}
