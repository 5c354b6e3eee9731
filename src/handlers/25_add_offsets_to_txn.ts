/**
 * AddOffsetsToTxn (key 25), versions 0-4 (Java 3.7 up to v3, 4.0 v4; librdkafka, franz-go).
 * - v1: same as v0. v2: PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before). v3: flexible. v4:
 *   TRANSACTION_ABORTABLE (never answered here).
 * - Served by the transaction coordinator of the id (else NOT_COORDINATOR): the group joins the
 *   Ongoing transaction (starting it), so its TxnOffsetCommit offsets are committed or dropped
 *   with it; CONCURRENT_TRANSACTIONS while the previous transaction's markers are being written.
 * - Authorization (as Kafka): WRITE on the transactional id (else
 *   TRANSACTIONAL_ID_AUTHORIZATION_FAILED), READ on the group (else GROUP_AUTHORIZATION_FAILED).
 * @module
 */
import {
  AddOffsetsToTxn,
  type AddOffsetsToTxnRequest,
  type AddOffsetsToTxnResponse,
} from "../protocol/messages/25_add_offsets_to_txn.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { txnCode } from "./_txn.ts";
import { READ_GROUP, WRITE_TRANSACTIONAL_ID } from "./_checks.ts";

/** Builds the AddOffsetsToTxn handler. */
export function addOffsetsToTxnHandler(services: BrokerServices): Handler {
  return {
    schema: AddOffsetsToTxn,
    minVersion: 0,
    maxVersion: 4,
    authorization: {
      checks: [
        WRITE_TRANSACTIONAL_ID,
        READ_GROUP,
      ],
    },
    async handle(req: AddOffsetsToTxnRequest, ctx): Promise<AddOffsetsToTxnResponse> {
      const auth = authFor(services, ctx);
      const answer = (errorCode: number) => ({ throttleTimeMs: 0, errorCode });
      if (!auth.allowed("WRITE", "TRANSACTIONAL_ID", req.transactionalId)) {
        return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      }
      if (!auth.allowed("READ", "GROUP", req.groupId)) {
        return answer(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      }
      const error = await services.txn.add(req.transactionalId, {
        producerId: req.producerId,
        producerEpoch: req.producerEpoch,
        groups: [req.groupId],
      }).catch((e) => e);
      return answer(txnCode(error, { version: ctx.apiVersion, fencedSince: 2 }));
    },
  };
}
