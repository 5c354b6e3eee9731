/**
 * DeleteTopics (key 20) message schemas: versions 0-6, flexible 4+.
 * v4 flexible, v5 error message, v6 topics by name or id.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DeleteTopicsRequest body as decoded: fields absent in a version hold their defaults. */
export interface DeleteTopicsRequest {
  topics: {
    name: string | null;
    topicId: Uint8Array;
  }[];
  topicNames: string[];
  timeoutMs: number;
}

/** DeleteTopicsResponse body; fields only some versions carry are optional. */
export interface DeleteTopicsResponse {
  throttleTimeMs?: number;
  responses: {
    name: string | null;
    topicId?: Uint8Array;
    errorCode: number;
    errorMessage?: string | null;
  }[];
}

/** Schema of DeleteTopics requests and responses. */
export const DeleteTopics: ApiSchema = {
  apiKey: 20,
  name: "DeleteTopics",
  request: {
    name: "DeleteTopicsRequest",
    apiKey: 20,
    validVersions: "0-6",
    flexibleVersions: "4+",
    fields: [
      array("topics", "6+", [
        field("name", "string", "6+", { nullable: "6+", default: null }),
        field("topicId", "uuid", "6+"),
      ]),
      field("topicNames", "[]string", "0-5"),
      field("timeoutMs", "int32", "0+"),
    ],
  },
  response: {
    name: "DeleteTopicsResponse",
    apiKey: 20,
    validVersions: "0-6",
    flexibleVersions: "4+",
    fields: [
      field("throttleTimeMs", "int32", "1+"),
      array("responses", "0+", [
        field("name", "string", "0+", { nullable: "6+" }),
        field("topicId", "uuid", "6+"),
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "5+", { nullable: "5+", default: null }),
      ]),
    ],
  },
};
