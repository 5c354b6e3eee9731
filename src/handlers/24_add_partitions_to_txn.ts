/**
 * AddPartitionsToTxn (key 24), versions 0-3: the client form, which every client sends (Java
 * 3.7/4.0 and franz-go pin it to v3; librdkafka up to v3). v4-v5 (batches of transactions and
 * verifyOnly, sent by Kafka's brokers to each other for KIP-890) are not advertised: the
 * partition side verifies against the stored transaction instead (src/txn/verify.ts).
 * - v1: same as v0. v2: PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before). v3: flexible.
 * - Served by the transaction coordinator of the id (else NOT_COORDINATOR): the partitions join
 *   the Ongoing transaction (starting it), written through to the metadata store before the
 *   answer; CONCURRENT_TRANSACTIONS while the previous transaction's markers are being written.
 * - A request with an unknown topic or partition, or a topic the principal may not write, adds
 *   nothing: those partitions get UNKNOWN_TOPIC_OR_PARTITION or TOPIC_AUTHORIZATION_FAILED and
 *   the others OPERATION_NOT_ATTEMPTED, as in Kafka.
 * - Authorization (as Kafka): WRITE on the transactional id (else
 *   TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every partition), WRITE on each topic.
 * @module
 */
import {
  AddPartitionsToTxn,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnResponse,
} from "../protocol/messages/24_add_partitions_to_txn.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { txnCode } from "./_txn.ts";

/** Builds the AddPartitionsToTxn handler. */
export function addPartitionsToTxnHandler(services: BrokerServices): Handler {
  return {
    schema: AddPartitionsToTxn,
    minVersion: 0,
    maxVersion: 3,
    authorization: {
      checks: [
        {
          operation: "WRITE",
          resource: "TRANSACTIONAL_ID",
          names: "v3AndBelowTransactionalId",
          denied: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
        },
        {
          operation: "WRITE",
          resource: "TOPIC",
          names: "v3AndBelowTopics[].name",
          denied: "TOPIC_AUTHORIZATION_FAILED",
        },
      ],
    },
    async handle(req: AddPartitionsToTxnRequest, ctx): Promise<AddPartitionsToTxnResponse> {
      const tid = req.v3AndBelowTransactionalId;
      const topics = req.v3AndBelowTopics;
      const auth = authFor(services, ctx);
      const codes = new Map<string, number>();
      const id = (t: string, p: number) => `${t}\u0000${p}`;
      const answer = (fallback: number): AddPartitionsToTxnResponse => ({
        throttleTimeMs: 0,
        resultsByTopicV3AndBelow: topics.map((t) => ({
          name: t.name,
          resultsByPartition: t.partitions.map((p) => ({
            partitionIndex: p,
            partitionErrorCode: codes.get(id(t.name, p)) ?? fallback,
          })),
        })),
      });
      if (!auth.allowed("WRITE", "TRANSACTIONAL_ID", tid)) {
        return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      }
      const writable = auth.filter("WRITE", "TOPIC", topics.map((t) => t.name));
      const wanted: Record<string, number[]> = {};
      for (const t of topics) {
        const topic = services.topics.get(t.name);
        for (const p of t.partitions) {
          if (!writable.has(t.name)) {
            codes.set(id(t.name, p), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          } else if (!topic || p < 0 || p >= topic.partitions) {
            codes.set(id(t.name, p), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          } else (wanted[t.name] ??= []).push(p);
        }
      }
      if (codes.size > 0) return answer(ErrorCode.OPERATION_NOT_ATTEMPTED);
      const error = await services.txn.add(tid, {
        producerId: req.v3AndBelowProducerId,
        producerEpoch: req.v3AndBelowProducerEpoch,
        partitions: wanted,
      }).catch((e) => e);
      return answer(txnCode(error, { version: ctx.apiVersion, fencedSince: 2 }));
    },
  };
}
