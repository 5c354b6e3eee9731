/**
 * DescribeTransactions (key 65), version 0 (KIP-664; kafka-transactions.sh describe, Admin
 * describeTransactions).
 * - Each transactional id is described by its coordinator (else NOT_COORDINATOR; the admin
 *   client looks coordinators up first): state, timeout, start time (-1 when none), producer id
 *   and epoch, and the partitions of the transaction. An id without a record is
 *   TRANSACTIONAL_ID_NOT_FOUND.
 * - Authorization (as Kafka): DESCRIBE on each transactional id (else
 *   TRANSACTIONAL_ID_AUTHORIZATION_FAILED for it); topics the principal may not DESCRIBE are
 *   left out of the partitions.
 * @module
 */
import {
  type DescribedTransaction,
  DescribeTransactions,
  type DescribeTransactionsRequest,
  type DescribeTransactionsResponse,
} from "../protocol/messages/65_describe_transactions.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { txnCode } from "./_txn.ts";

/** Builds the DescribeTransactions handler. */
export function describeTransactionsHandler(services: BrokerServices): Handler {
  return {
    schema: DescribeTransactions,
    minVersion: 0,
    maxVersion: 0,
    authorization: {
      checks: [
        {
          operation: "DESCRIBE",
          resource: "TRANSACTIONAL_ID",
          names: "transactionalIds[]",
          denied: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
        },
        {
          operation: "DESCRIBE",
          resource: "TOPIC",
          names: "the topics of each transaction",
          denied: "left out",
        },
      ],
    },
    async handle(req: DescribeTransactionsRequest, ctx): Promise<DescribeTransactionsResponse> {
      const auth = authFor(services, ctx);
      const out: DescribedTransaction[] = [];
      for (const tid of req.transactionalIds) {
        const none: DescribedTransaction = {
          errorCode: 0,
          transactionalId: tid,
          transactionState: "",
          transactionTimeoutMs: 0,
          transactionStartTimeMs: -1,
          producerId: -1,
          producerEpoch: -1,
          topics: [],
        };
        if (!auth.allowed("DESCRIBE", "TRANSACTIONAL_ID", tid)) {
          out.push({ ...none, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED });
          continue;
        }
        const r = await services.txn.describe(tid).catch((e) => e as Error);
        if (r instanceof Error || r === null) {
          const code = r === null
            ? ErrorCode.TRANSACTIONAL_ID_NOT_FOUND
            : txnCode(r, { version: 0, fencedSince: 0 });
          out.push({ ...none, errorCode: code });
          continue;
        }
        const visible = auth.filter("DESCRIBE", "TOPIC", Object.keys(r.partitions), true);
        out.push({
          ...none,
          transactionState: r.state,
          transactionTimeoutMs: r.timeout_ms,
          transactionStartTimeMs: r.start_ms,
          producerId: r.producer_id,
          producerEpoch: r.producer_epoch,
          topics: Object.entries(r.partitions)
            .filter(([topic]) => visible.has(topic))
            .map(([topic, partitions]) => ({ topic, partitions })),
        });
      }
      return { throttleTimeMs: 0, transactionStates: out };
    },
  };
}
