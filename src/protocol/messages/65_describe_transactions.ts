/**
 * DescribeTransactions (key 65) message schemas: version 0, flexible (KIP-664).
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DescribeTransactionsRequest body. */
export interface DescribeTransactionsRequest {
  transactionalIds: string[];
}

/** One transaction as described. */
export interface DescribedTransaction {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: number;
  producerId: number;
  producerEpoch: number;
  topics: { topic: string; partitions: number[] }[];
}

/** DescribeTransactionsResponse body. */
export interface DescribeTransactionsResponse {
  throttleTimeMs: number;
  transactionStates: DescribedTransaction[];
}

/** Schema of DescribeTransactions requests and responses. */
export const DescribeTransactions: ApiSchema = {
  apiKey: 65,
  name: "DescribeTransactions",
  request: {
    name: "DescribeTransactionsRequest",
    apiKey: 65,
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [field("transactionalIds", "[]string", "0+")],
  },
  response: {
    name: "DescribeTransactionsResponse",
    apiKey: 65,
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      array("transactionStates", "0+", [
        field("errorCode", "int16", "0+"),
        field("transactionalId", "string", "0+"),
        field("transactionState", "string", "0+"),
        field("transactionTimeoutMs", "int32", "0+"),
        field("transactionStartTimeMs", "int64", "0+"),
        field("producerId", "int64", "0+"),
        field("producerEpoch", "int16", "0+"),
        array("topics", "0+", [
          field("topic", "string", "0+"),
          field("partitions", "[]int32", "0+"),
        ]),
      ]),
    ],
  },
};
