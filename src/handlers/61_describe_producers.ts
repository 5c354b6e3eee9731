/**
 * DescribeProducers (key 61), version 0 (KIP-664; kafka-transactions.sh describe-producers and
 * find-hanging, Admin describeProducers).
 * - Answered by each partition's leader (else NOT_LEADER_OR_FOLLOWER), from the committed
 *   producer state: each producer's epoch, last sequence, and the first offset of its open
 *   transaction on the partition (-1: none). Last timestamp and coordinator epoch are not kept
 *   (-1). Producers forgotten by the per-partition cap (never one with an open transaction) are
 *   not listed.
 * - Authorization (as Kafka): READ on each topic (else TOPIC_AUTHORIZATION_FAILED on its
 *   partitions).
 * @module
 */
import {
  type DescribedProducer,
  DescribeProducers,
  type DescribeProducersRequest,
  type DescribeProducersResponse,
} from "../protocol/messages/61_describe_producers.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { partitionFor } from "./_partition.ts";

/** Builds the DescribeProducers handler. */
export function describeProducersHandler(services: BrokerServices): Handler {
  return {
    schema: DescribeProducers,
    minVersion: 0,
    maxVersion: 0,
    authorization: {
      checks: [{
        operation: "READ",
        resource: "TOPIC",
        names: "topics[].name",
        denied: "TOPIC_AUTHORIZATION_FAILED",
      }],
    },
    async handle(req: DescribeProducersRequest, ctx): Promise<DescribeProducersResponse> {
      const readable = authFor(services, ctx).filter(
        "READ",
        "TOPIC",
        req.topics.map((t) => t.name),
      );
      const topics = [];
      for (const t of req.topics) {
        const partitions = [];
        for (const p of t.partitionIndexes) {
          const out = { partitionIndex: p, errorCode: 0, errorMessage: null, activeProducers: [] };
          if (!readable.has(t.name)) {
            partitions.push({ ...out, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
            continue;
          }
          const found = await partitionFor(services, t.name, p);
          if ("errorCode" in found) {
            partitions.push({ ...out, errorCode: found.errorCode });
            continue;
          }
          const producers: DescribedProducer[] = Object.entries(found.log.producerStates()).map(
            ([id, s]) => ({
              producerId: Number(id),
              producerEpoch: s.epoch,
              lastSequence: s.batches.at(-1)?.last_seq ?? -1,
              lastTimestamp: -1,
              coordinatorEpoch: -1,
              currentTxnStartOffset: s.txn_first ?? -1,
            }),
          );
          partitions.push({ ...out, activeProducers: producers });
        }
        topics.push({ name: t.name, partitions });
      }
      return { throttleTimeMs: 0, topics };
    },
  };
}
