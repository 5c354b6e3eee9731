/**
 * OffsetDelete (key 47) message schemas: versions 0, flexible none.
 * v0 only.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** OffsetDeleteRequest body as decoded: fields absent in a version hold their defaults. */
export interface OffsetDeleteRequest {
  groupId: string;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
    }[];
  }[];
}

/** OffsetDeleteResponse body; fields only some versions carry are optional. */
export interface OffsetDeleteResponse {
  errorCode: number;
  throttleTimeMs: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
    }[];
  }[];
}

/** Schema of OffsetDelete requests and responses. */
export const OffsetDelete: ApiSchema = {
  apiKey: 47,
  name: "OffsetDelete",
  request: {
    name: "OffsetDeleteRequest",
    apiKey: 47,
    validVersions: "0",
    flexibleVersions: "none",
    fields: [
      field("groupId", "string", "0+"),
      array("topics", "0+", [
        field("name", "string", "0+"),
        array("partitions", "0+", [
          field("partitionIndex", "int32", "0+"),
        ]),
      ]),
    ],
  },
  response: {
    name: "OffsetDeleteResponse",
    apiKey: 47,
    validVersions: "0",
    flexibleVersions: "none",
    fields: [
      field("errorCode", "int16", "0+"),
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
