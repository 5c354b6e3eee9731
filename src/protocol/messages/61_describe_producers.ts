/**
 * DescribeProducers (key 61) message schemas: version 0, flexible (KIP-664).
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DescribeProducersRequest body. */
export interface DescribeProducersRequest {
  topics: { name: string; partitionIndexes: number[] }[];
}

/** One producer of a partition as described. */
export interface DescribedProducer {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  coordinatorEpoch: number;
  currentTxnStartOffset: number;
}

/** DescribeProducersResponse body. */
export interface DescribeProducersResponse {
  throttleTimeMs: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      errorMessage: string | null;
      activeProducers: DescribedProducer[];
    }[];
  }[];
}

/** Schema of DescribeProducers requests and responses. */
export const DescribeProducers: ApiSchema = {
  apiKey: 61,
  name: "DescribeProducers",
  request: {
    name: "DescribeProducersRequest",
    apiKey: 61,
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [
      array("topics", "0+", [
        field("name", "string", "0+"),
        field("partitionIndexes", "[]int32", "0+"),
      ]),
    ],
  },
  response: {
    name: "DescribeProducersResponse",
    apiKey: 61,
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      array("topics", "0+", [
        field("name", "string", "0+"),
        array("partitions", "0+", [
          field("partitionIndex", "int32", "0+"),
          field("errorCode", "int16", "0+"),
          field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
          array("activeProducers", "0+", [
            field("producerId", "int64", "0+"),
            field("producerEpoch", "int32", "0+"),
            field("lastSequence", "int32", "0+", { default: -1 }),
            field("lastTimestamp", "int64", "0+", { default: -1 }),
            field("coordinatorEpoch", "int32", "0+"),
            field("currentTxnStartOffset", "int64", "0+", { default: -1 }),
          ]),
        ]),
      ]),
    ],
  },
};
