/**
 * OffsetCommit (key 8) message schemas: versions 0-9, flexible 8+.
 * v1 generation/member, v2-4 retention, v6 leader epoch, v7 instance id, v8 flexible, v9 member epoch.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** OffsetCommitRequest body as decoded: fields absent in a version hold their defaults. */
export interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      commitTimestamp: number;
      committedMetadata: string | null;
    }[];
  }[];
}

/** OffsetCommitResponse body; fields only some versions carry are optional. */
export interface OffsetCommitResponse {
  throttleTimeMs?: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
    }[];
  }[];
}

/** Schema of OffsetCommit requests and responses. */
export const OffsetCommit: ApiSchema = {
  apiKey: 8,
  name: "OffsetCommit",
  request: {
    name: "OffsetCommitRequest",
    apiKey: 8,
    validVersions: "0-9",
    flexibleVersions: "8+",
    fields: [
      field("groupId", "string", "0+"),
      field("generationIdOrMemberEpoch", "int32", "1+", { default: -1 }),
      field("memberId", "string", "1+"),
      field("groupInstanceId", "string", "7+", { nullable: "7+", default: null }),
      field("retentionTimeMs", "int64", "2-4", { default: -1 }),
      array("topics", "0+", [
        field("name", "string", "0+"),
        array("partitions", "0+", [
          field("partitionIndex", "int32", "0+"),
          field("committedOffset", "int64", "0+"),
          field("committedLeaderEpoch", "int32", "6+", { default: -1 }),
          field("commitTimestamp", "int64", "1", { default: -1 }),
          field("committedMetadata", "string", "0+", { nullable: "0+" }),
        ]),
      ]),
    ],
  },
  response: {
    name: "OffsetCommitResponse",
    apiKey: 8,
    validVersions: "0-9",
    flexibleVersions: "8+",
    fields: [
      field("throttleTimeMs", "int32", "3+"),
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
