/**
 * SyncGroup (key 14) message schemas: versions 0-5, flexible 4+.
 * v3 instance id, v4 flexible, v5 protocol type and name.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** SyncGroupRequest body as decoded: fields absent in a version hold their defaults. */
export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: {
    memberId: string;
    assignment: Uint8Array;
  }[];
}

/** SyncGroupResponse body; fields only some versions carry are optional. */
export interface SyncGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  protocolType?: string | null;
  protocolName?: string | null;
  assignment: Uint8Array;
}

/** Schema of SyncGroup requests and responses. */
export const SyncGroup: ApiSchema = {
  apiKey: 14,
  name: "SyncGroup",
  request: {
    name: "SyncGroupRequest",
    apiKey: 14,
    validVersions: "0-5",
    flexibleVersions: "4+",
    fields: [
      field("groupId", "string", "0+"),
      field("generationId", "int32", "0+"),
      field("memberId", "string", "0+"),
      field("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
      field("protocolType", "string", "5+", { nullable: "5+", default: null }),
      field("protocolName", "string", "5+", { nullable: "5+", default: null }),
      array("assignments", "0+", [
        field("memberId", "string", "0+"),
        field("assignment", "bytes", "0+"),
      ]),
    ],
  },
  response: {
    name: "SyncGroupResponse",
    apiKey: 14,
    validVersions: "0-5",
    flexibleVersions: "4+",
    fields: [
      field("throttleTimeMs", "int32", "1+"),
      field("errorCode", "int16", "0+"),
      field("protocolType", "string", "5+", { nullable: "5+", default: null }),
      field("protocolName", "string", "5+", { nullable: "5+", default: null }),
      field("assignment", "bytes", "0+"),
    ],
  },
};
