/**
 * OffsetForLeaderEpoch (key 23), versions 0-4 (librdkafka sends exactly v2, even when not
 * advertised; Java 3.7/4.x consumers up to v4; franz-go up to v4; the spec lists v3).
 * - v1: the epoch found in the answer. v2: current leader epoch (fencing) and throttle time.
 *   v3: replica id (consumers send -1; accepted). v4: flexible.
 * - Answers from the partition's real leader-epoch history (see log/leader_epochs.ts).
 *   A current leader epoch below ours is FENCED_LEADER_EPOCH, above ours UNKNOWN_LEADER_EPOCH.
 * - Errors: UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH.
 * - Authorization (as Kafka, KIP-320): CLUSTER_ACTION on the cluster (brokers), else DESCRIBE
 *   on each topic; TOPIC_AUTHORIZATION_FAILED on the partitions of a topic that fails both.
 * @module
 */
import {
  OffsetForLeaderEpoch,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
} from "../protocol/messages/23_offset_for_leader_epoch.ts";
import { partitionFor } from "./_partition.ts";
import { endOffsetForEpoch } from "../log/leader_epochs.ts";
import type { Handler } from "./registry.ts";
import { authFor } from "./_authorize.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { BrokerServices } from "./services.ts";

type PartitionOut = OffsetForLeaderEpochResponse["topics"][number]["partitions"][number];

/** Builds the OffsetForLeaderEpoch handler. */
export function offsetForLeaderEpochHandler(services: BrokerServices): Handler {
  async function one(
    topicName: string,
    p: { partition: number; currentLeaderEpoch: number; leaderEpoch: number },
  ): Promise<PartitionOut> {
    const out = { errorCode: 0, partition: p.partition, leaderEpoch: -1, endOffset: -1 };
    const found = await partitionFor(services, topicName, p.partition, p.currentLeaderEpoch);
    if ("errorCode" in found) return { ...out, errorCode: found.errorCode };
    const r = endOffsetForEpoch(found.log.epochHistory, found.log.highWatermark, p.leaderEpoch);
    return { ...out, leaderEpoch: r.epoch, endOffset: r.endOffset };
  }
  return {
    schema: OffsetForLeaderEpoch,
    minVersion: 0,
    maxVersion: 4,
    authorization: {
      checks: [{
        operation: "CLUSTER_ACTION",
        resource: "CLUSTER",
        names: "kafka-cluster",
        or: { operation: "DESCRIBE", resource: "TOPIC", names: "topics[].topic" },
        denied: "TOPIC_AUTHORIZATION_FAILED",
      }],
    },
    async handle(req: OffsetForLeaderEpochRequest, ctx): Promise<OffsetForLeaderEpochResponse> {
      const auth = authFor(services, ctx);
      const names = req.topics.map((t) => t.topic);
      const described = auth.enabled && auth.cluster("CLUSTER_ACTION", true)
        ? new Set(names)
        : auth.filter("DESCRIBE", "TOPIC", names);
      const topics = [];
      for (const t of req.topics) {
        const partitions = [];
        for (const p of t.partitions) {
          partitions.push(
            described.has(t.topic) ? await one(t.topic, p) : {
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              partition: p.partition,
              leaderEpoch: -1,
              endOffset: -1,
            },
          );
        }
        topics.push({ topic: t.topic, partitions });
      }
      return { throttleTimeMs: 0, topics };
    },
  };
}
