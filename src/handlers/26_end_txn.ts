/**
 * EndTxn (key 26), versions 0-4 (Java 3.7 up to v3, 4.0 v4 without transactions V2;
 * librdkafka, franz-go). v5 (KIP-890 part 2: the epoch bumped by every transaction) is not
 * advertised, so Java 4.0 clients use transactions V1.
 * - v1: same as v0. v2: PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before). v3: flexible. v4:
 *   TRANSACTION_ABORTABLE (never answered here).
 * - Served by the transaction coordinator of the id (else NOT_COORDINATOR): an Ongoing
 *   transaction moves to PrepareCommit or PrepareAbort (durable: the outcome is decided), its
 *   partitions' owners write the markers and its offsets are committed or dropped, then it is
 *   CompleteCommit or CompleteAbort (src/txn/coordinator.ts). The answer waits for completion
 *   up to 5 s, so a read_committed consumer sees a committed transaction once the producer's
 *   commitTransaction returned (it always will, from the stored state, if the wait runs out).
 *   A retried EndTxn of a completed transaction succeeds; the other outcome is
 *   INVALID_TXN_STATE; one still completing is CONCURRENT_TRANSACTIONS.
 * - Authorization (as Kafka): WRITE on the transactional id (else
 *   TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 * @module
 */
import {
  EndTxn,
  type EndTxnRequest,
  type EndTxnResponse,
} from "../protocol/messages/26_end_txn.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { txnCode } from "./_txn.ts";
import { WRITE_TRANSACTIONAL_ID } from "./_checks.ts";

/** Builds the EndTxn handler. */
export function endTxnHandler(services: BrokerServices): Handler {
  return {
    schema: EndTxn,
    minVersion: 0,
    maxVersion: 4,
    authorization: {
      checks: [WRITE_TRANSACTIONAL_ID],
    },
    async handle(req: EndTxnRequest, ctx): Promise<EndTxnResponse> {
      if (!authFor(services, ctx).allowed("WRITE", "TRANSACTIONAL_ID", req.transactionalId)) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
      }
      const error = await services.txn.endTxn(req.transactionalId, {
        producerId: req.producerId,
        producerEpoch: req.producerEpoch,
        commit: req.committed,
      }).catch((e) => e);
      return {
        throttleTimeMs: 0,
        errorCode: txnCode(error, { version: ctx.apiVersion, fencedSince: 2 }),
      };
    },
  };
}
