/**
 * ListTransactions (key 66) message schemas: versions 0-1, flexible (KIP-664).
 * v1 duration filter (KIP-994).
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** ListTransactionsRequest body as decoded. */
export interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: number[];
  durationFilter: number;
}

/** ListTransactionsResponse body. */
export interface ListTransactionsResponse {
  throttleTimeMs: number;
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: { transactionalId: string; producerId: number; transactionState: string }[];
}

/** Schema of ListTransactions requests and responses. */
export const ListTransactions: ApiSchema = {
  apiKey: 66,
  name: "ListTransactions",
  request: {
    name: "ListTransactionsRequest",
    apiKey: 66,
    validVersions: "0-1",
    flexibleVersions: "0+",
    fields: [
      field("stateFilters", "[]string", "0+"),
      field("producerIdFilters", "[]int64", "0+"),
      field("durationFilter", "int64", "1+", { default: -1 }),
    ],
  },
  response: {
    name: "ListTransactionsResponse",
    apiKey: 66,
    validVersions: "0-1",
    flexibleVersions: "0+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      field("errorCode", "int16", "0+"),
      field("unknownStateFilters", "[]string", "0+"),
      array("transactionStates", "0+", [
        field("transactionalId", "string", "0+"),
        field("producerId", "int64", "0+"),
        field("transactionState", "string", "0+"),
      ]),
    ],
  },
};
