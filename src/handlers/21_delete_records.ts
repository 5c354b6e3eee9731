/**
 * DeleteRecords (key 21), versions 0-2 (`kafka-delete-records.sh` and the Java admin 3.7/4.x
 * send v2, confluent-kafka's `AdminClient.delete_records` (librdkafka) v1, franz-go v2).
 * - v1: no change. v2: flexible.
 * - Moves each partition's log start offset forward to the requested offset (-1: the high
 *   watermark) in fenced metadata transactions, as every partition write; segments wholly
 *   below it are dropped (objects deleted, or left to the garbage collector when shared), a
 *   segment straddling it stays. Every broker sees the new start at once (it is in the
 *   partition record): ListOffsets earliest answers it, Fetch below it is OFFSET_OUT_OF_RANGE.
 *   An offset at or below the current start changes nothing and answers the current start.
 * - Errors per partition: OFFSET_OUT_OF_RANGE (above the high watermark, or below -1),
 *   UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER (another broker leads it; clients
 *   send each partition to its leader), KAFKA_STORAGE_ERROR (retriable).
 * - timeoutMs is accepted and ignored: the answer comes once the deletion is committed.
 * - A destructive write: each partition's outcome is logged at info with the client.
 * - Authorization (as Kafka): DELETE on each topic, else TOPIC_AUTHORIZATION_FAILED on its
 *   partitions (whether it exists or not).
 * @module
 */
import {
  DeleteRecords,
  type DeleteRecordsRequest,
  type DeleteRecordsResponse,
} from "../protocol/messages/21_delete_records.ts";
import { ErrorCode, errorName, KafkaError } from "../protocol/errors.ts";
import { partitionFor } from "./_partition.ts";
import type { Handler, RequestContext } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";

type PartitionOut = DeleteRecordsResponse["topics"][number]["partitions"][number];

/** Builds the DeleteRecords handler. */
export function deleteRecordsHandler(services: BrokerServices): Handler {
  async function one(topic: string, partition: number, offset: number): Promise<PartitionOut> {
    const out = { partitionIndex: partition, lowWatermark: -1, errorCode: 0 };
    if (offset < -1) return { ...out, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
    const found = await partitionFor(services, topic, partition);
    if ("errorCode" in found) return { ...out, errorCode: found.errorCode };
    try {
      return { ...out, lowWatermark: await found.log.deleteRecords(offset) };
    } catch (e) {
      return {
        ...out,
        errorCode: e instanceof KafkaError ? e.code : ErrorCode.KAFKA_STORAGE_ERROR,
      };
    }
  }

  function logOutcome(ctx: RequestContext, topic: string, offset: number, p: PartitionOut) {
    services.log.info("DeleteRecords", {
      principal: ctx.principal,
      client: ctx.clientId,
      remote: ctx.remote,
      topic,
      partition: p.partitionIndex,
      offset,
      ...(p.errorCode === 0
        ? { logStartOffset: p.lowWatermark }
        : { error: errorName(p.errorCode) }),
    });
  }

  return {
    schema: DeleteRecords,
    minVersion: 0,
    maxVersion: 2,
    authorization: {
      checks: [{
        operation: "DELETE",
        resource: "TOPIC",
        names: "topics[].name",
        denied: "TOPIC_AUTHORIZATION_FAILED",
      }],
    },
    async handle(req: DeleteRecordsRequest, ctx): Promise<DeleteRecordsResponse> {
      const deletable = authFor(services, ctx).filter(
        "DELETE",
        "TOPIC",
        req.topics.map((t) => t.name),
      );
      const topics = [];
      for (const t of req.topics) {
        const partitions = [];
        for (const p of t.partitions) {
          const result = deletable.has(t.name) ? await one(t.name, p.partitionIndex, p.offset) : {
            partitionIndex: p.partitionIndex,
            lowWatermark: -1,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          };
          logOutcome(ctx, t.name, p.offset, result);
          partitions.push(result);
        }
        topics.push({ name: t.name, partitions });
      }
      return { throttleTimeMs: 0, topics };
    },
  };
}
