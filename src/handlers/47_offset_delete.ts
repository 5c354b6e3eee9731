/**
 * OffsetDelete (key 47), version 0 (Java admin, franz-go; `kafka-consumer-groups.sh
 * --delete-offsets`).
 * - Deletes committed offsets of partitions; refused per partition with
 *   GROUP_SUBSCRIBED_TO_TOPIC while a member of the group is subscribed to the topic
 *   (read from the consumer protocol subscription of each member).
 * - Errors: GROUP_ID_NOT_FOUND, UNKNOWN_TOPIC_OR_PARTITION, GROUP_SUBSCRIBED_TO_TOPIC.
 * - Authorization (as Kafka): DELETE on the group (else GROUP_AUTHORIZATION_FAILED), READ on
 *   each topic (else TOPIC_AUTHORIZATION_FAILED on its partitions, before it is looked up).
 * @module
 */
import {
  OffsetDelete,
  type OffsetDeleteRequest,
  type OffsetDeleteResponse,
} from "../protocol/messages/47_offset_delete.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { subscribedTopics } from "../groups/consumer_protocol.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { groupErrorCode } from "./_group_errors.ts";
import { authFor } from "./_authorize.ts";

/** Builds the OffsetDelete handler. */
export function offsetDeleteHandler(services: BrokerServices): Handler {
  return {
    schema: OffsetDelete,
    minVersion: 0,
    maxVersion: 0,
    authorization: {
      checks: [
        {
          operation: "DELETE",
          resource: "GROUP",
          names: "groupId",
          denied: "GROUP_AUTHORIZATION_FAILED",
        },
        {
          operation: "READ",
          resource: "TOPIC",
          names: "topics[].name",
          denied: "TOPIC_AUTHORIZATION_FAILED",
        },
      ],
    },
    async handle(req: OffsetDeleteRequest, ctx): Promise<OffsetDeleteResponse> {
      const fail = (code: number): OffsetDeleteResponse => ({
        errorCode: code,
        throttleTimeMs: 0,
        topics: [],
      });
      const auth = authFor(services, ctx);
      if (!auth.allowed("DELETE", "GROUP", req.groupId)) {
        return fail(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      }
      const readable = auth.filter("READ", "TOPIC", req.topics.map((t) => t.name));
      const group = services.groups.get(req.groupId);
      let committed;
      try {
        committed = await services.groups.fetchOffsets(req.groupId);
      } catch (e) {
        return fail(groupErrorCode(e));
      }
      if ((!group || group.state === "Dead") && committed.size === 0) {
        return fail(ErrorCode.GROUP_ID_NOT_FOUND);
      }
      const subscribed = new Set<string>();
      if (group && group.protocolType === "consumer") {
        for (const m of group.members.values()) {
          const meta = m.protocols.find((p) => p.name === group.protocolName)?.metadata;
          for (const t of meta ? subscribedTopics(meta) : []) subscribed.add(t);
        }
      }
      const toDelete: { topic: string; partition: number }[] = [];
      const topics = req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const topic = services.topics.get(t.name);
          let code = 0;
          if (!readable.has(t.name)) code = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
          else if (!topic || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) {
            code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          } else if (subscribed.has(t.name)) code = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
          else toDelete.push({ topic: t.name, partition: p.partitionIndex });
          return { partitionIndex: p.partitionIndex, errorCode: code };
        }),
      }));
      try {
        if (toDelete.length > 0) await services.groups.deleteOffsets(req.groupId, toDelete);
      } catch (e) {
        return fail(groupErrorCode(e));
      }
      return { errorCode: 0, throttleTimeMs: 0, topics };
    },
  };
}
