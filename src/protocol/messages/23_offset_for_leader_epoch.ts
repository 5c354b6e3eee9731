/**
 * OffsetForLeaderEpoch (key 23) message schemas: versions 0-4, flexible 4+.
 * v1 leader epoch in answer, v2 current leader epoch, v3 replica id, v4 flexible.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** OffsetForLeaderEpochRequest body as decoded: fields absent in a version hold their defaults. */
export interface OffsetForLeaderEpochRequest {
  replicaId: number;
  topics: {
    topic: string;
    partitions: {
      partition: number;
      currentLeaderEpoch: number;
      leaderEpoch: number;
    }[];
  }[];
}

/** OffsetForLeaderEpochResponse body; fields only some versions carry are optional. */
export interface OffsetForLeaderEpochResponse {
  throttleTimeMs?: number;
  topics: {
    topic: string;
    partitions: {
      errorCode: number;
      partition: number;
      leaderEpoch?: number;
      endOffset: number;
    }[];
  }[];
}

/** Schema of OffsetForLeaderEpoch requests and responses. */
export const OffsetForLeaderEpoch: ApiSchema = {
  apiKey: 23,
  name: "OffsetForLeaderEpoch",
  request: {
    name: "OffsetForLeaderEpochRequest",
    apiKey: 23,
    validVersions: "0-4",
    flexibleVersions: "4+",
    fields: [
      field("replicaId", "int32", "3+", { default: -2 }),
      array("topics", "0+", [
        field("topic", "string", "0+"),
        array("partitions", "0+", [
          field("partition", "int32", "0+"),
          field("currentLeaderEpoch", "int32", "2+", { default: -1 }),
          field("leaderEpoch", "int32", "0+"),
        ]),
      ]),
    ],
  },
  response: {
    name: "OffsetForLeaderEpochResponse",
    apiKey: 23,
    validVersions: "0-4",
    flexibleVersions: "4+",
    fields: [
      field("throttleTimeMs", "int32", "2+"),
      array("topics", "0+", [
        field("topic", "string", "0+"),
        array("partitions", "0+", [
          field("errorCode", "int16", "0+"),
          field("partition", "int32", "0+"),
          field("leaderEpoch", "int32", "1+", { default: -1 }),
          field("endOffset", "int64", "0+", { default: -1 }),
        ]),
      ]),
    ],
  },
};
