/**
 * OffsetFetch (key 9) message schemas: versions 0-9, flexible 6+.
 * v2 all topics/top error, v5 leader epoch, v6 flexible, v7 require stable, v8 multiple groups, v9 member epoch.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** OffsetFetchRequest body as decoded: fields absent in a version hold their defaults. */
export interface OffsetFetchRequest {
  groupId: string;
  topics: {
    name: string;
    partitionIndexes: number[];
  }[] | null;
  groups: {
    groupId: string;
    memberId: string | null;
    memberEpoch: number;
    topics: {
      name: string;
      partitionIndexes: number[];
    }[] | null;
  }[];
  requireStable: boolean;
}

/** OffsetFetchResponse body; fields only some versions carry are optional. */
export interface OffsetFetchResponse {
  throttleTimeMs?: number;
  topics?: {
    name?: string;
    partitions?: {
      partitionIndex?: number;
      committedOffset?: number;
      committedLeaderEpoch?: number;
      metadata?: string | null;
      errorCode?: number;
    }[];
  }[];
  errorCode?: number;
  groups?: {
    groupId?: string;
    topics?: {
      name?: string;
      partitions?: {
        partitionIndex?: number;
        committedOffset?: number;
        committedLeaderEpoch?: number;
        metadata?: string | null;
        errorCode?: number;
      }[];
    }[];
    errorCode?: number;
  }[];
}

/** Schema of OffsetFetch requests and responses. */
export const OffsetFetch: ApiSchema = {
  apiKey: 9,
  name: "OffsetFetch",
  request: {
    name: "OffsetFetchRequest",
    apiKey: 9,
    validVersions: "0-9",
    flexibleVersions: "6+",
    fields: [
      field("groupId", "string", "0-7"),
      array("topics", "0-7", [
        field("name", "string", "0-7"),
        field("partitionIndexes", "[]int32", "0-7"),
      ], { nullable: "2-7" }),
      array("groups", "8+", [
        field("groupId", "string", "8+"),
        field("memberId", "string", "9+", { nullable: "9+", default: null }),
        field("memberEpoch", "int32", "9+", { default: -1 }),
        array("topics", "8+", [
          field("name", "string", "8+"),
          field("partitionIndexes", "[]int32", "8+"),
        ], { nullable: "8+" }),
      ]),
      field("requireStable", "bool", "7+", { default: false }),
    ],
  },
  response: {
    name: "OffsetFetchResponse",
    apiKey: 9,
    validVersions: "0-9",
    flexibleVersions: "6+",
    fields: [
      field("throttleTimeMs", "int32", "3+"),
      array("topics", "0-7", [
        field("name", "string", "0-7"),
        array("partitions", "0-7", [
          field("partitionIndex", "int32", "0-7"),
          field("committedOffset", "int64", "0-7"),
          field("committedLeaderEpoch", "int32", "5-7", { default: -1 }),
          field("metadata", "string", "0-7", { nullable: "0-7" }),
          field("errorCode", "int16", "0-7"),
        ]),
      ]),
      field("errorCode", "int16", "2-7", { default: 0 }),
      array("groups", "8+", [
        field("groupId", "string", "8+"),
        array("topics", "8+", [
          field("name", "string", "8+"),
          array("partitions", "8+", [
            field("partitionIndex", "int32", "8+"),
            field("committedOffset", "int64", "8+"),
            field("committedLeaderEpoch", "int32", "8+", { default: -1 }),
            field("metadata", "string", "8+", { nullable: "8+" }),
            field("errorCode", "int16", "8+"),
          ]),
        ]),
        field("errorCode", "int16", "8+", { default: 0 }),
      ]),
    ],
  },
};
