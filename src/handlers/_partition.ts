/**
 * Finds the log of a topic partition for a request, with Kafka's checks in Kafka's order:
 * unknown topic or partition, then the client's current leader epoch (older: fenced; newer:
 * unknown to us). Shared by the handlers that read a partition by name.
 * @module
 */
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import type { PartitionLog } from "../log/partition_log.ts";
import type { BrokerServices } from "./services.ts";

/** The log, or the error code to answer. */
export async function partitionFor(
  services: BrokerServices,
  topicName: string,
  partition: number,
  currentLeaderEpoch = -1,
): Promise<{ log: PartitionLog } | { errorCode: number }> {
  const topic = services.topics.get(topicName);
  if (!topic || partition < 0 || partition >= topic.partitions) {
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  }
  try {
    const log = await services.logs.get(topic.name, topic.topic_id, partition);
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch !== log.leaderEpoch) {
      return {
        errorCode: currentLeaderEpoch < log.leaderEpoch
          ? ErrorCode.FENCED_LEADER_EPOCH
          : ErrorCode.UNKNOWN_LEADER_EPOCH,
      };
    }
    return { log };
  } catch (e) {
    return { errorCode: e instanceof KafkaError ? e.code : ErrorCode.KAFKA_STORAGE_ERROR };
  }
}
