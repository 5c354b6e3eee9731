/**
 * Fetch (key 1) message schemas: versions 0-17, flexible 12+.
 * v3 response max bytes, v4 isolation, v5 log start, v7 sessions, v9 leader epoch, v11 rack, v12 flexible, v13 topic ids, v15 replica state.
 * @module
 */
import { type ApiSchema, array, field, struct, tagged } from "../schema.ts";

/** FetchRequest body as decoded: fields absent in a version hold their defaults. */
export interface FetchRequest {
  clusterId: string | null;
  replicaId: number;
  replicaState: {
    replicaId: number;
    replicaEpoch: number;
  };
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: {
    topic: string;
    topicId: Uint8Array;
    partitions: {
      partition: number;
      currentLeaderEpoch: number;
      fetchOffset: number;
      lastFetchedEpoch: number;
      logStartOffset: number;
      partitionMaxBytes: number;
      replicaDirectoryId: Uint8Array;
    }[];
  }[];
  forgottenTopicsData: {
    topic: string;
    topicId: Uint8Array;
    partitions: number[];
  }[];
  rackId: string;
}

/** FetchResponse body; fields only some versions carry are optional. */
export interface FetchResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  sessionId?: number;
  responses: {
    topic?: string;
    topicId?: Uint8Array;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      highWatermark: number;
      lastStableOffset?: number;
      logStartOffset?: number;
      divergingEpoch?: {
        epoch?: number;
        endOffset?: number;
      };
      currentLeader?: {
        leaderId?: number;
        leaderEpoch?: number;
      };
      snapshotId?: {
        endOffset: number;
        epoch: number;
      };
      abortedTransactions?: {
        producerId?: number;
        firstOffset?: number;
      }[] | null;
      preferredReadReplica?: number;
      records: Uint8Array | null;
    }[];
  }[];
  nodeEndpoints?: {
    nodeId?: number;
    host?: string;
    port?: number;
    rack?: string | null;
  }[];
}

/** Schema of Fetch requests and responses. */
export const Fetch: ApiSchema = {
  apiKey: 1,
  name: "Fetch",
  request: {
    name: "FetchRequest",
    apiKey: 1,
    validVersions: "0-17",
    flexibleVersions: "12+",
    fields: [
      field("clusterId", "string", "12+", { nullable: "12+", ...tagged(0, "12+"), default: null }),
      field("replicaId", "int32", "0-14", { default: -1 }),
      struct("replicaState", "15+", [
        field("replicaId", "int32", "15+", { default: -1 }),
        field("replicaEpoch", "int64", "15+", { default: -1 }),
      ], { ...tagged(1, "15+") }),
      field("maxWaitMs", "int32", "0+"),
      field("minBytes", "int32", "0+"),
      field("maxBytes", "int32", "3+", { default: 2147483647 }),
      field("isolationLevel", "int8", "4+", { default: 0 }),
      field("sessionId", "int32", "7+", { default: 0 }),
      field("sessionEpoch", "int32", "7+", { default: -1 }),
      array("topics", "0+", [
        field("topic", "string", "0-12"),
        field("topicId", "uuid", "13+"),
        array("partitions", "0+", [
          field("partition", "int32", "0+"),
          field("currentLeaderEpoch", "int32", "9+", { default: -1 }),
          field("fetchOffset", "int64", "0+"),
          field("lastFetchedEpoch", "int32", "12+", { default: -1 }),
          field("logStartOffset", "int64", "5+", { default: -1 }),
          field("partitionMaxBytes", "int32", "0+"),
          field("replicaDirectoryId", "uuid", "17+", { ...tagged(0, "17+") }),
        ]),
      ]),
      array("forgottenTopicsData", "7+", [
        field("topic", "string", "7-12"),
        field("topicId", "uuid", "13+"),
        field("partitions", "[]int32", "7+"),
      ]),
      field("rackId", "string", "11+"),
    ],
  },
  response: {
    name: "FetchResponse",
    apiKey: 1,
    validVersions: "0-17",
    flexibleVersions: "12+",
    fields: [
      field("throttleTimeMs", "int32", "1+"),
      field("errorCode", "int16", "7+"),
      field("sessionId", "int32", "7+", { default: 0 }),
      array("responses", "0+", [
        field("topic", "string", "0-12"),
        field("topicId", "uuid", "13+"),
        array("partitions", "0+", [
          field("partitionIndex", "int32", "0+"),
          field("errorCode", "int16", "0+"),
          field("highWatermark", "int64", "0+"),
          field("lastStableOffset", "int64", "4+", { default: -1 }),
          field("logStartOffset", "int64", "5+", { default: -1 }),
          struct("divergingEpoch", "12+", [
            field("epoch", "int32", "12+", { default: -1 }),
            field("endOffset", "int64", "12+", { default: -1 }),
          ], { ...tagged(0, "12+") }),
          struct("currentLeader", "12+", [
            field("leaderId", "int32", "12+", { default: -1 }),
            field("leaderEpoch", "int32", "12+", { default: -1 }),
          ], { ...tagged(1, "12+") }),
          struct("snapshotId", "12+", [
            field("endOffset", "int64", "0+", { default: -1 }),
            field("epoch", "int32", "0+", { default: -1 }),
          ], { ...tagged(2, "12+") }),
          array("abortedTransactions", "4+", [
            field("producerId", "int64", "4+"),
            field("firstOffset", "int64", "4+"),
          ], { nullable: "4+" }),
          field("preferredReadReplica", "int32", "11+", { default: -1 }),
          field("records", "records", "0+", { nullable: "0+" }),
        ]),
      ]),
      array("nodeEndpoints", "16+", [
        field("nodeId", "int32", "16+"),
        field("host", "string", "16+"),
        field("port", "int32", "16+"),
        field("rack", "string", "16+", { nullable: "16+", default: null }),
      ], { ...tagged(0, "16+") }),
    ],
  },
};
