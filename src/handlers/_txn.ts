/**
 * Error answers shared by the transaction handlers: a coordinator error becomes its Kafka code,
 * storage trouble COORDINATOR_NOT_AVAILABLE (retriable: the client looks the coordinator up again
 * and retries), and PRODUCER_FENCED becomes INVALID_PRODUCER_EPOCH for request versions older
 * than the one that introduced it (as Kafka answers them).
 * @module
 */
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import type { TxnError } from "../txn/state.ts";

/** The code answering `e` (a TxnError name, a thrown error, or null for success). */
export function txnCode(
  e: TxnError | unknown | null,
  o: { version: number; fencedSince: number },
): number {
  if (e === null || e === undefined) return 0;
  let code: number;
  if (typeof e === "string" && e in ErrorCode) code = ErrorCode[e as TxnError];
  else if (e instanceof KafkaError) code = e.code;
  else code = ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (code === ErrorCode.PRODUCER_FENCED && o.version < o.fencedSince) {
    return ErrorCode.INVALID_PRODUCER_EPOCH;
  }
  return code;
}
