/**
 * OffsetForLeaderEpoch (key 23), versions 0-4 (librdkafka sends exactly v2, even when not
 * advertised; Java 3.7/4.x consumers up to v4; franz-go up to v4; the spec lists v3).
 * - v1: the epoch found in the answer. v2: current leader epoch (fencing) and throttle time.
 *   v3: replica id (consumers send -1; accepted). v4: flexible.
 * - Answers from the partition's real leader-epoch history (see log/leader_epochs.ts).
 *   A current leader epoch below ours is FENCED_LEADER_EPOCH, above ours UNKNOWN_LEADER_EPOCH.
 * - Errors: UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH.
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
    async handle(req: OffsetForLeaderEpochRequest): Promise<OffsetForLeaderEpochResponse> {
      const topics = [];
      for (const t of req.topics) {
        const partitions = [];
        for (const p of t.partitions) partitions.push(await one(t.topic, p));
        topics.push({ topic: t.topic, partitions });
      }
      return { throttleTimeMs: 0, topics };
    },
  };
}
