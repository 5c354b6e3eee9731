/**
 * Produce (key 0) message schemas: versions 0-11, flexible 9+.
 * v1 throttle, v2 log append time, v3 transactional id, v5 log start offset, v8 record errors, v9 flexible, v10-11 leader hints.
 * @module
 */
import { type ApiSchema, array, field, struct, tagged } from "../schema.ts";

/** ProduceRequest body as decoded: fields absent in a version hold their defaults. */
export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: {
    name: string;
    partitionData: {
      index: number;
      records: Uint8Array | null;
    }[];
  }[];
}

/** ProduceResponse body; fields only some versions carry are optional. */
export interface ProduceResponse {
  responses: {
    name: string;
    partitionResponses: {
      index: number;
      errorCode: number;
      baseOffset: number;
      logAppendTimeMs?: number;
      logStartOffset?: number;
      recordErrors?: {
        batchIndex?: number;
        batchIndexErrorMessage?: string | null;
      }[];
      errorMessage?: string | null;
      currentLeader?: {
        leaderId?: number;
        leaderEpoch?: number;
      };
    }[];
  }[];
  throttleTimeMs?: number;
  nodeEndpoints?: {
    nodeId?: number;
    host?: string;
    port?: number;
    rack?: string | null;
  }[];
}

/** Schema of Produce requests and responses. */
export const Produce: ApiSchema = {
  apiKey: 0,
  name: "Produce",
  request: {
    name: "ProduceRequest",
    apiKey: 0,
    validVersions: "0-11",
    flexibleVersions: "9+",
    fields: [
      field("transactionalId", "string", "3+", { nullable: "3+", default: null }),
      field("acks", "int16", "0+"),
      field("timeoutMs", "int32", "0+"),
      array("topicData", "0+", [
        field("name", "string", "0+"),
        array("partitionData", "0+", [
          field("index", "int32", "0+"),
          field("records", "records", "0+", { nullable: "0+" }),
        ]),
      ]),
    ],
  },
  response: {
    name: "ProduceResponse",
    apiKey: 0,
    validVersions: "0-11",
    flexibleVersions: "9+",
    fields: [
      array("responses", "0+", [
        field("name", "string", "0+"),
        array("partitionResponses", "0+", [
          field("index", "int32", "0+"),
          field("errorCode", "int16", "0+"),
          field("baseOffset", "int64", "0+"),
          field("logAppendTimeMs", "int64", "2+", { default: -1 }),
          field("logStartOffset", "int64", "5+", { default: -1 }),
          array("recordErrors", "8+", [
            field("batchIndex", "int32", "8+"),
            field("batchIndexErrorMessage", "string", "8+", { nullable: "8+", default: null }),
          ]),
          field("errorMessage", "string", "8+", { nullable: "8+", default: null }),
          struct("currentLeader", "10+", [
            field("leaderId", "int32", "10+", { default: -1 }),
            field("leaderEpoch", "int32", "10+", { default: -1 }),
          ], { ...tagged(0, "10+") }),
        ]),
      ]),
      field("throttleTimeMs", "int32", "1+", { default: 0 }),
      array("nodeEndpoints", "10+", [
        field("nodeId", "int32", "10+"),
        field("host", "string", "10+"),
        field("port", "int32", "10+"),
        field("rack", "string", "10+", { nullable: "10+", default: null }),
      ], { ...tagged(0, "10+") }),
    ],
  },
};
