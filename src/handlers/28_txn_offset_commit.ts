/**
 * TxnOffsetCommit (key 28), versions 0-4 (Java 3.7 up to v3, 4.0 v4 without transactions V2;
 * librdkafka up to v3, franz-go). v5 (implies AddOffsetsToTxn under transactions V2) is not
 * advertised.
 * - v2: committed leader epoch. v3: member id, group instance id and generation (KIP-447),
 *   checked as for OffsetCommit when the generation is not -1 (UNKNOWN_MEMBER_ID,
 *   ILLEGAL_GENERATION, FENCED_INSTANCE_ID). v4: TRANSACTION_ABORTABLE (never answered here).
 * - Served by the group's coordinator (else NOT_COORDINATOR). The group must be in the
 *   producer's Ongoing transaction with this producer id and epoch (AddOffsetsToTxn first; else
 *   INVALID_TXN_STATE, INVALID_PRODUCER_EPOCH or INVALID_PRODUCER_ID_MAPPING). The offsets are
 *   stored as pending: OffsetFetch does not return them, and answers UNSTABLE_OFFSET_COMMIT to
 *   requireStable requests for their partitions, until the transaction commits (they become the
 *   group's committed offsets) or aborts (they are dropped).
 * - Authorization (as Kafka): WRITE on the transactional id (else
 *   TRANSACTIONAL_ID_AUTHORIZATION_FAILED), READ on the group (else GROUP_AUTHORIZATION_FAILED),
 *   both for every partition; READ on each topic (TOPIC_AUTHORIZATION_FAILED).
 * @module
 */
import {
  TxnOffsetCommit,
  type TxnOffsetCommitRequest,
  type TxnOffsetCommitResponse,
} from "../protocol/messages/28_txn_offset_commit.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { OffsetToCommit } from "../groups/coordinator.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { groupErrorCode } from "./_group_errors.ts";
import { verifyTxnGroup } from "../txn/verify.ts";
import { READ_GROUP, WRITE_TRANSACTIONAL_ID } from "./_checks.ts";

/** Builds the TxnOffsetCommit handler. */
export function txnOffsetCommitHandler(services: BrokerServices): Handler {
  return {
    schema: TxnOffsetCommit,
    minVersion: 0,
    maxVersion: 4,
    authorization: {
      checks: [
        WRITE_TRANSACTIONAL_ID,
        READ_GROUP,
        {
          operation: "READ",
          resource: "TOPIC",
          names: "topics[].name",
          denied: "TOPIC_AUTHORIZATION_FAILED",
        },
      ],
    },
    async handle(req: TxnOffsetCommitRequest, ctx): Promise<TxnOffsetCommitResponse> {
      const codes = new Map<string, number>();
      const id = (t: string, p: number) => `${t}\u0000${p}`;
      const answer = (fallback: number): TxnOffsetCommitResponse => ({
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: codes.get(id(t.name, p.partitionIndex)) ?? fallback,
          })),
        })),
      });
      const auth = authFor(services, ctx);
      if (!auth.allowed("WRITE", "TRANSACTIONAL_ID", req.transactionalId)) {
        return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      }
      if (!auth.allowed("READ", "GROUP", req.groupId)) {
        return answer(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      }
      const readable = auth.filter("READ", "TOPIC", req.topics.map((t) => t.name));
      const wanted: OffsetToCommit[] = [];
      for (const t of req.topics) {
        const topic = services.topics.get(t.name);
        for (const p of t.partitions) {
          if (!readable.has(t.name)) {
            codes.set(id(t.name, p.partitionIndex), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          } else if (!topic || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) {
            codes.set(id(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          } else {
            wanted.push({
              topic: t.name,
              partition: p.partitionIndex,
              offset: p.committedOffset,
              leaderEpoch: p.committedLeaderEpoch ?? -1,
              metadata: p.committedMetadata,
            });
          }
        }
      }
      const producer = {
        transactionalId: req.transactionalId,
        producerId: req.producerId,
        producerEpoch: req.producerEpoch,
      };
      try {
        services.groups.ready(req.groupId);
        const refused = await verifyTxnGroup(services.meta, {
          tid: req.transactionalId,
          producerId: req.producerId,
          producerEpoch: req.producerEpoch,
          group: req.groupId,
        });
        if (refused) return answer(ErrorCode[refused.error]);
        const results = await services.groups.commitTxn(
          req.groupId,
          {
            memberId: req.memberId ?? "",
            instanceId: req.groupInstanceId ?? null,
            generationId: req.generationId ?? -1,
          },
          producer,
          wanted,
        );
        for (const [o, code] of results) codes.set(id(o.topic, o.partition), code);
        return answer(ErrorCode.UNKNOWN_SERVER_ERROR);
      } catch (e) {
        return answer(groupErrorCode(e));
      }
    },
  };
}
