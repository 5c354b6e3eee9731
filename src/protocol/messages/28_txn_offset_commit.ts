/**
 * TxnOffsetCommit (key 28) message schemas: versions 0-5, flexible 3+.
 * v2 committed leader epoch, v3 member id, group instance id and generation (KIP-447),
 * v4 TRANSACTION_ABORTABLE, v5 implies AddOffsetsToTxn under transactions V2 (KIP-890).
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** TxnOffsetCommitRequest body as decoded: fields absent in a version hold their defaults. */
export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      committedMetadata: string | null;
    }[];
  }[];
}

/** TxnOffsetCommitResponse body. */
export interface TxnOffsetCommitResponse {
  throttleTimeMs: number;
  topics: {
    name: string;
    partitions: { partitionIndex: number; errorCode: number }[];
  }[];
}

/** Schema of TxnOffsetCommit requests and responses. */
export const TxnOffsetCommit: ApiSchema = {
  apiKey: 28,
  name: "TxnOffsetCommit",
  request: {
    name: "TxnOffsetCommitRequest",
    apiKey: 28,
    validVersions: "0-5",
    flexibleVersions: "3+",
    fields: [
      field("transactionalId", "string", "0+"),
      field("groupId", "string", "0+"),
      field("producerId", "int64", "0+"),
      field("producerEpoch", "int16", "0+"),
      field("generationId", "int32", "3+", { default: -1 }),
      field("memberId", "string", "3+", { default: "" }),
      field("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
      array("topics", "0+", [
        field("name", "string", "0+"),
        array("partitions", "0+", [
          field("partitionIndex", "int32", "0+"),
          field("committedOffset", "int64", "0+"),
          field("committedLeaderEpoch", "int32", "2+", { default: -1 }),
          field("committedMetadata", "string", "0+", { nullable: "0+" }),
        ]),
      ]),
    ],
  },
  response: {
    name: "TxnOffsetCommitResponse",
    apiKey: 28,
    validVersions: "0-5",
    flexibleVersions: "3+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      array("topics", "0+", [
        field("name", "string", "0+"),
        array("partitions", "0+", [
          field("partitionIndex", "int32", "0+"),
          field("errorCode", "int16", "0+"),
        ]),
      ]),
    ],
  },
};
