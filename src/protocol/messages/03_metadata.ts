/**
 * Metadata (key 3) message schemas: versions 0-12, flexible 9+.
 * v1 controller/rack, v2 cluster id, v4 auto-create flag, v7 leader epoch, v8 authorized ops, v9 flexible, v10 topic ids.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** MetadataRequest body as decoded: fields absent in a version hold their defaults. */
export interface MetadataRequest {
  topics: {
    topicId: Uint8Array;
    name: string | null;
  }[] | null;
  allowAutoTopicCreation: boolean;
  includeClusterAuthorizedOperations: boolean;
  includeTopicAuthorizedOperations: boolean;
}

/** MetadataResponse body; fields only some versions carry are optional. */
export interface MetadataResponse {
  throttleTimeMs?: number;
  brokers: {
    nodeId: number;
    host: string;
    port: number;
    rack?: string | null;
  }[];
  clusterId?: string | null;
  controllerId?: number;
  topics: {
    errorCode: number;
    name: string | null;
    topicId?: Uint8Array;
    isInternal?: boolean;
    partitions: {
      errorCode: number;
      partitionIndex: number;
      leaderId: number;
      leaderEpoch?: number;
      replicaNodes: number[];
      isrNodes: number[];
      offlineReplicas?: number[];
    }[];
    topicAuthorizedOperations?: number;
  }[];
  clusterAuthorizedOperations?: number;
}

/** Schema of Metadata requests and responses. */
export const Metadata: ApiSchema = {
  apiKey: 3,
  name: "Metadata",
  request: {
    name: "MetadataRequest",
    apiKey: 3,
    validVersions: "0-12",
    flexibleVersions: "9+",
    fields: [
      array("topics", "0+", [
        field("topicId", "uuid", "10+"),
        field("name", "string", "0+", { nullable: "10+" }),
      ], { nullable: "1+" }),
      field("allowAutoTopicCreation", "bool", "4+", { default: true }),
      field("includeClusterAuthorizedOperations", "bool", "8-10"),
      field("includeTopicAuthorizedOperations", "bool", "8+"),
    ],
  },
  response: {
    name: "MetadataResponse",
    apiKey: 3,
    validVersions: "0-12",
    flexibleVersions: "9+",
    fields: [
      field("throttleTimeMs", "int32", "3+"),
      array("brokers", "0+", [
        field("nodeId", "int32", "0+"),
        field("host", "string", "0+"),
        field("port", "int32", "0+"),
        field("rack", "string", "1+", { nullable: "1+", default: null }),
      ]),
      field("clusterId", "string", "2+", { nullable: "2+", default: null }),
      field("controllerId", "int32", "1+", { default: -1 }),
      array("topics", "0+", [
        field("errorCode", "int16", "0+"),
        field("name", "string", "0+", { nullable: "12+" }),
        field("topicId", "uuid", "10+"),
        field("isInternal", "bool", "1+", { default: false }),
        array("partitions", "0+", [
          field("errorCode", "int16", "0+"),
          field("partitionIndex", "int32", "0+"),
          field("leaderId", "int32", "0+"),
          field("leaderEpoch", "int32", "7+", { default: -1 }),
          field("replicaNodes", "[]int32", "0+"),
          field("isrNodes", "[]int32", "0+"),
          field("offlineReplicas", "[]int32", "5+"),
        ]),
        field("topicAuthorizedOperations", "int32", "8+", { default: -2147483648 }),
      ]),
      field("clusterAuthorizedOperations", "int32", "8-10", { default: -2147483648 }),
    ],
  },
};
