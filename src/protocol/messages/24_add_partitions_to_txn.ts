/**
 * AddPartitionsToTxn (key 24) message schemas: versions 0-5, flexible 3+.
 * v2 PRODUCER_FENCED, v3 flexible, v4 batched transactions and verifyOnly (broker to broker),
 * v5 TRANSACTION_ABORTABLE.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** One topic's partitions to add. */
export interface AddPartitionsToTxnTopic {
  name: string;
  partitions: number[];
}

/** AddPartitionsToTxnRequest body as decoded: fields absent in a version hold their defaults. */
export interface AddPartitionsToTxnRequest {
  transactions: {
    transactionalId: string;
    producerId: number;
    producerEpoch: number;
    verifyOnly: boolean;
    topics: AddPartitionsToTxnTopic[];
  }[];
  v3AndBelowTransactionalId: string;
  v3AndBelowProducerId: number;
  v3AndBelowProducerEpoch: number;
  v3AndBelowTopics: AddPartitionsToTxnTopic[];
}

/** One topic's results. */
export interface AddPartitionsToTxnTopicResult {
  name: string;
  resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[];
}

/** AddPartitionsToTxnResponse body; fields only some versions carry are optional. */
export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  errorCode?: number;
  resultsByTransaction?: {
    transactionalId: string;
    topicResults: AddPartitionsToTxnTopicResult[];
  }[];
  resultsByTopicV3AndBelow?: AddPartitionsToTxnTopicResult[];
}

const topic = [field("name", "string", "0+"), field("partitions", "[]int32", "0+")];
const topicResult = [
  field("name", "string", "0+"),
  array("resultsByPartition", "0+", [
    field("partitionIndex", "int32", "0+"),
    field("partitionErrorCode", "int16", "0+"),
  ]),
];

/** Schema of AddPartitionsToTxn requests and responses. */
export const AddPartitionsToTxn: ApiSchema = {
  apiKey: 24,
  name: "AddPartitionsToTxn",
  request: {
    name: "AddPartitionsToTxnRequest",
    apiKey: 24,
    validVersions: "0-5",
    flexibleVersions: "3+",
    fields: [
      array("transactions", "4+", [
        field("transactionalId", "string", "4+"),
        field("producerId", "int64", "4+"),
        field("producerEpoch", "int16", "4+"),
        field("verifyOnly", "bool", "4+", { default: false }),
        array("topics", "4+", topic),
      ]),
      field("v3AndBelowTransactionalId", "string", "0-3"),
      field("v3AndBelowProducerId", "int64", "0-3"),
      field("v3AndBelowProducerEpoch", "int16", "0-3"),
      array("v3AndBelowTopics", "0-3", topic),
    ],
  },
  response: {
    name: "AddPartitionsToTxnResponse",
    apiKey: 24,
    validVersions: "0-5",
    flexibleVersions: "3+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      field("errorCode", "int16", "4+"),
      array("resultsByTransaction", "4+", [
        field("transactionalId", "string", "4+"),
        array("topicResults", "4+", topicResult),
      ]),
      array("resultsByTopicV3AndBelow", "0-3", topicResult),
    ],
  },
};
