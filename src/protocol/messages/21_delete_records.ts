/**
 * DeleteRecords (key 21) message schemas: versions 0-2, flexible 2+.
 * v1 no change, v2 flexible.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DeleteRecordsRequest body as decoded. */
export interface DeleteRecordsRequest {
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      offset: number;
    }[];
  }[];
  timeoutMs: number;
}

/** DeleteRecordsResponse body. */
export interface DeleteRecordsResponse {
  throttleTimeMs: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      lowWatermark: number;
      errorCode: number;
    }[];
  }[];
}

/** Schema of DeleteRecords requests and responses. */
export const DeleteRecords: ApiSchema = {
  apiKey: 21,
  name: "DeleteRecords",
  request: {
    name: "DeleteRecordsRequest",
    apiKey: 21,
    validVersions: "0-2",
    flexibleVersions: "2+",
    fields: [
      array("topics", "0+", [
        field("name", "string", "0+"),
        array("partitions", "0+", [
          field("partitionIndex", "int32", "0+"),
          field("offset", "int64", "0+"),
        ]),
      ]),
      field("timeoutMs", "int32", "0+"),
    ],
  },
  response: {
    name: "DeleteRecordsResponse",
    apiKey: 21,
    validVersions: "0-2",
    flexibleVersions: "2+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      array("topics", "0+", [
        field("name", "string", "0+"),
        array("partitions", "0+", [
          field("partitionIndex", "int32", "0+"),
          field("lowWatermark", "int64", "0+"),
          field("errorCode", "int16", "0+"),
        ]),
      ]),
    ],
  },
};
