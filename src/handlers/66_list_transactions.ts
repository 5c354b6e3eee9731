/**
 * ListTransactions (key 66), versions 0-1 (KIP-664; kafka-transactions.sh list, Admin
 * listTransactions, which asks every broker).
 * - v1: duration filter (KIP-994): only transactions running at least that long (ms).
 * - Each broker lists the transactional ids it coordinates, filtered by state (states it does
 *   not know come back in unknownStateFilters) and producer id.
 * - Authorization (as Kafka): ids the principal may not DESCRIBE are left out.
 * @module
 */
import {
  ListTransactions,
  type ListTransactionsRequest,
  type ListTransactionsResponse,
} from "../protocol/messages/66_list_transactions.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { TXN_STATES } from "../txn/records.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";

/** Builds the ListTransactions handler. */
export function listTransactionsHandler(services: BrokerServices): Handler {
  return {
    schema: ListTransactions,
    minVersion: 0,
    maxVersion: 1,
    authorization: {
      checks: [{
        operation: "DESCRIBE",
        resource: "TRANSACTIONAL_ID",
        names: "each transactional id listed",
        denied: "left out",
      }],
    },
    async handle(req: ListTransactionsRequest, ctx): Promise<ListTransactionsResponse> {
      const known = new Set<string>(TXN_STATES);
      const unknown = req.stateFilters.filter((s) => !known.has(s));
      const states = new Set(req.stateFilters.filter((s) => known.has(s)));
      const pids = new Set(req.producerIdFilters);
      const duration = ctx.apiVersion >= 1 ? req.durationFilter ?? -1 : -1;
      const auth = authFor(services, ctx);
      let records;
      try {
        records = await services.txn.list();
      } catch {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
          unknownStateFilters: unknown,
          transactionStates: [],
        };
      }
      const now = Date.now();
      const wanted = records.filter((r) =>
        (req.stateFilters.length === 0 || states.has(r.state)) &&
        (pids.size === 0 || pids.has(r.producer_id)) &&
        (duration < 0 || (r.start_ms >= 0 && now - r.start_ms >= duration))
      );
      const visible = auth.filter(
        "DESCRIBE",
        "TRANSACTIONAL_ID",
        wanted.map((r) => r.transactional_id),
        true,
      );
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        unknownStateFilters: unknown,
        transactionStates: wanted.filter((r) => visible.has(r.transactional_id)).map((r) => ({
          transactionalId: r.transactional_id,
          producerId: r.producer_id,
          transactionState: r.state,
        })),
      };
    },
  };
}
