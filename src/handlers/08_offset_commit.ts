/**
 * OffsetCommit (key 8), versions 0-9 (kafka-python 2.0.2 up to v2... v5, librdkafka up to v7
 * or v9, Java 3.7/4.x up to v8/v9, franz-go up to v9).
 * - v1: generation, member id, commit timestamp (ignored: the broker stamps commits).
 *   v2-v4: retention time (ignored: KAFSCALE_OFFSETS_RETENTION_MS applies, as in Kafka 2.1+).
 *   v3: throttle time. v6: committed leader epoch (stored). v7: group instance id.
 *   v8: flexible. v9: generation or member epoch (classic groups: the generation).
 * - Generation -1 with an empty member id is a simple commit, allowed while the group has no
 *   members (kcat, kafka-consumer-groups.sh --reset-offsets).
 * - Errors: per partition UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE; for all
 *   partitions UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS,
 *   FENCED_INSTANCE_ID, INVALID_GROUP_ID, COORDINATOR_NOT_AVAILABLE.
 * - Authorization (as Kafka): READ on the group (else GROUP_AUTHORIZATION_FAILED on every
 *   partition), then READ on each topic (else TOPIC_AUTHORIZATION_FAILED on its partitions,
 *   whether it exists or not).
 * @module
 */
import {
  OffsetCommit,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
} from "../protocol/messages/08_offset_commit.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { OffsetToCommit } from "../groups/coordinator.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { groupErrorCode } from "./_group_errors.ts";
import { authFor } from "./_authorize.ts";
import { READ_GROUP } from "./_checks.ts";

/** Builds the OffsetCommit handler. */
export function offsetCommitHandler(services: BrokerServices): Handler {
  return {
    schema: OffsetCommit,
    minVersion: 0,
    maxVersion: 9,
    authorization: {
      checks: [
        READ_GROUP,
        {
          operation: "READ",
          resource: "TOPIC",
          names: "topics[].name",
          denied: "TOPIC_AUTHORIZATION_FAILED",
        },
      ],
    },
    async handle(req: OffsetCommitRequest, ctx): Promise<OffsetCommitResponse> {
      const codes = new Map<string, number>();
      const id = (t: string, p: number) => `${t}\u0000${p}`;
      const wanted: OffsetToCommit[] = [];
      const auth = authFor(services, ctx);
      const groupOk = auth.allowed("READ", "GROUP", req.groupId);
      const readable = groupOk
        ? auth.filter("READ", "TOPIC", req.topics.map((t) => t.name))
        : new Set<string>();
      for (const t of req.topics) {
        const topic = services.topics.get(t.name);
        for (const p of t.partitions) {
          if (!groupOk || !readable.has(t.name)) {
            const code = groupOk
              ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
              : ErrorCode.GROUP_AUTHORIZATION_FAILED;
            codes.set(id(t.name, p.partitionIndex), code);
            continue;
          }
          if (!topic || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) {
            codes.set(id(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            continue;
          }
          wanted.push({
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch ?? -1,
            metadata: p.committedMetadata,
          });
        }
      }
      if (groupOk) {
        try {
          const results = await services.groups.commit(req.groupId, {
            memberId: ctx.apiVersion >= 1 ? req.memberId : "",
            instanceId: req.groupInstanceId ?? null,
            generationId: ctx.apiVersion >= 1 ? req.generationIdOrMemberEpoch : -1,
          }, wanted);
          for (const [o, code] of results) codes.set(id(o.topic, o.partition), code);
        } catch (e) {
          const code = groupErrorCode(e);
          for (const o of wanted) codes.set(id(o.topic, o.partition), code);
        }
      }
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: codes.get(id(t.name, p.partitionIndex)) ?? ErrorCode.UNKNOWN_SERVER_ERROR,
          })),
        })),
      };
    },
  };
}
