/**
 * JoinGroup (key 11) message schemas: versions 0-9, flexible 6+.
 * v1 rebalance timeout, v4 member id required, v5 static members, v6 flexible, v7 protocol type, v8 reason, v9 skip assignment.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** JoinGroupRequest body as decoded: fields absent in a version hold their defaults. */
export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: {
    name: string;
    metadata: Uint8Array;
  }[];
  reason: string | null;
}

/** JoinGroupResponse body; fields only some versions carry are optional. */
export interface JoinGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  generationId: number;
  protocolType?: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment?: boolean;
  memberId: string;
  members: {
    memberId: string;
    groupInstanceId?: string | null;
    metadata: Uint8Array;
  }[];
}

/** Schema of JoinGroup requests and responses. */
export const JoinGroup: ApiSchema = {
  apiKey: 11,
  name: "JoinGroup",
  request: {
    name: "JoinGroupRequest",
    apiKey: 11,
    validVersions: "0-9",
    flexibleVersions: "6+",
    fields: [
      field("groupId", "string", "0+"),
      field("sessionTimeoutMs", "int32", "0+"),
      field("rebalanceTimeoutMs", "int32", "1+", { default: -1 }),
      field("memberId", "string", "0+"),
      field("groupInstanceId", "string", "5+", { nullable: "5+", default: null }),
      field("protocolType", "string", "0+"),
      array("protocols", "0+", [
        field("name", "string", "0+"),
        field("metadata", "bytes", "0+"),
      ]),
      field("reason", "string", "8+", { nullable: "8+", default: null }),
    ],
  },
  response: {
    name: "JoinGroupResponse",
    apiKey: 11,
    validVersions: "0-9",
    flexibleVersions: "6+",
    fields: [
      field("throttleTimeMs", "int32", "2+"),
      field("errorCode", "int16", "0+"),
      field("generationId", "int32", "0+", { default: -1 }),
      field("protocolType", "string", "7+", { nullable: "7+", default: null }),
      field("protocolName", "string", "0+", { nullable: "7+" }),
      field("leader", "string", "0+"),
      field("skipAssignment", "bool", "9+", { default: false }),
      field("memberId", "string", "0+"),
      array("members", "0+", [
        field("memberId", "string", "0+"),
        field("groupInstanceId", "string", "5+", { nullable: "5+", default: null }),
        field("metadata", "bytes", "0+"),
      ]),
    ],
  },
};
