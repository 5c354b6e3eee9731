/**
 * ListOffsets (key 2) message schemas: versions 0-9, flexible 6+.
 * v1 single offset, v2 isolation, v4 leader epoch, v6 flexible, v7 max timestamp, v8-9 tiered specs.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** ListOffsetsRequest body as decoded: fields absent in a version hold their defaults. */
export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      currentLeaderEpoch: number;
      timestamp: number;
      maxNumOffsets: number;
    }[];
  }[];
}

/** ListOffsetsResponse body; fields only some versions carry are optional. */
export interface ListOffsetsResponse {
  throttleTimeMs?: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      oldStyleOffsets?: number[];
      timestamp?: number;
      offset?: number;
      leaderEpoch?: number;
    }[];
  }[];
}

/** Schema of ListOffsets requests and responses. */
export const ListOffsets: ApiSchema = {
  apiKey: 2,
  name: "ListOffsets",
  request: {
    name: "ListOffsetsRequest",
    apiKey: 2,
    validVersions: "0-9",
    flexibleVersions: "6+",
    fields: [
      field("replicaId", "int32", "0+"),
      field("isolationLevel", "int8", "2+"),
      array("topics", "0+", [
        field("name", "string", "0+"),
        array("partitions", "0+", [
          field("partitionIndex", "int32", "0+"),
          field("currentLeaderEpoch", "int32", "4+", { default: -1 }),
          field("timestamp", "int64", "0+"),
          field("maxNumOffsets", "int32", "0", { default: 1 }),
        ]),
      ]),
    ],
  },
  response: {
    name: "ListOffsetsResponse",
    apiKey: 2,
    validVersions: "0-9",
    flexibleVersions: "6+",
    fields: [
      field("throttleTimeMs", "int32", "2+"),
      array("topics", "0+", [
        field("name", "string", "0+"),
        array("partitions", "0+", [
          field("partitionIndex", "int32", "0+"),
          field("errorCode", "int16", "0+"),
          field("oldStyleOffsets", "[]int64", "0"),
          field("timestamp", "int64", "1+", { default: -1 }),
          field("offset", "int64", "1+", { default: -1 }),
          field("leaderEpoch", "int32", "4+", { default: -1 }),
        ]),
      ]),
    ],
  },
};
