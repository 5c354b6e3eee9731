/**
 * CreatePartitions (key 37) message schemas: versions 0-3, flexible 2+.
 * v1 no change, v2 flexible, v3 no change.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** CreatePartitionsRequest body as decoded: fields absent in a version hold their defaults. */
export interface CreatePartitionsRequest {
  topics: {
    name: string;
    count: number;
    assignments: {
      brokerIds: number[];
    }[] | null;
  }[];
  timeoutMs: number;
  validateOnly: boolean;
}

/** CreatePartitionsResponse body; fields only some versions carry are optional. */
export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: {
    name: string;
    errorCode: number;
    errorMessage: string | null;
  }[];
}

/** Schema of CreatePartitions requests and responses. */
export const CreatePartitions: ApiSchema = {
  apiKey: 37,
  name: "CreatePartitions",
  request: {
    name: "CreatePartitionsRequest",
    apiKey: 37,
    validVersions: "0-3",
    flexibleVersions: "2+",
    fields: [
      array("topics", "0+", [
        field("name", "string", "0+"),
        field("count", "int32", "0+"),
        array("assignments", "0+", [
          field("brokerIds", "[]int32", "0+"),
        ], { nullable: "0+" }),
      ]),
      field("timeoutMs", "int32", "0+"),
      field("validateOnly", "bool", "0+"),
    ],
  },
  response: {
    name: "CreatePartitionsResponse",
    apiKey: 37,
    validVersions: "0-3",
    flexibleVersions: "2+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      array("results", "0+", [
        field("name", "string", "0+"),
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
      ]),
    ],
  },
};
