/**
 * CreateTopics (key 19) message schemas: versions 0-7, flexible 5+.
 * v1 validateOnly, v4 defaults, v5 flexible and configs in answer, v7 topic id.
 * @module
 */
import { type ApiSchema, array, field, tagged } from "../schema.ts";

/** CreateTopicsRequest body as decoded: fields absent in a version hold their defaults. */
export interface CreateTopicsRequest {
  topics: {
    name: string;
    numPartitions: number;
    replicationFactor: number;
    assignments: {
      partitionIndex: number;
      brokerIds: number[];
    }[];
    configs: {
      name: string;
      value: string | null;
    }[];
  }[];
  timeoutMs: number;
  validateOnly: boolean;
}

/** CreateTopicsResponse body; fields only some versions carry are optional. */
export interface CreateTopicsResponse {
  throttleTimeMs?: number;
  topics: {
    name: string;
    topicId?: Uint8Array;
    errorCode: number;
    errorMessage?: string | null;
    topicConfigErrorCode?: number;
    numPartitions?: number;
    replicationFactor?: number;
    configs?: {
      name?: string;
      value?: string | null;
      readOnly?: boolean;
      configSource?: number;
      isSensitive?: boolean;
    }[] | null;
  }[];
}

/** Schema of CreateTopics requests and responses. */
export const CreateTopics: ApiSchema = {
  apiKey: 19,
  name: "CreateTopics",
  request: {
    name: "CreateTopicsRequest",
    apiKey: 19,
    validVersions: "0-7",
    flexibleVersions: "5+",
    fields: [
      array("topics", "0+", [
        field("name", "string", "0+"),
        field("numPartitions", "int32", "0+"),
        field("replicationFactor", "int16", "0+"),
        array("assignments", "0+", [
          field("partitionIndex", "int32", "0+"),
          field("brokerIds", "[]int32", "0+"),
        ]),
        array("configs", "0+", [
          field("name", "string", "0+"),
          field("value", "string", "0+", { nullable: "0+" }),
        ]),
      ]),
      field("timeoutMs", "int32", "0+", { default: 60000 }),
      field("validateOnly", "bool", "1+", { default: false }),
    ],
  },
  response: {
    name: "CreateTopicsResponse",
    apiKey: 19,
    validVersions: "0-7",
    flexibleVersions: "5+",
    fields: [
      field("throttleTimeMs", "int32", "2+"),
      array("topics", "0+", [
        field("name", "string", "0+"),
        field("topicId", "uuid", "7+"),
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "1+", { nullable: "0+" }),
        field("topicConfigErrorCode", "int16", "5+", { ...tagged(0, "5+") }),
        field("numPartitions", "int32", "5+", { default: -1 }),
        field("replicationFactor", "int16", "5+", { default: -1 }),
        array("configs", "5+", [
          field("name", "string", "5+"),
          field("value", "string", "5+", { nullable: "5+" }),
          field("readOnly", "bool", "5+"),
          field("configSource", "int8", "5+", { default: -1 }),
          field("isSensitive", "bool", "5+"),
        ], { nullable: "5+" }),
      ]),
    ],
  },
};
