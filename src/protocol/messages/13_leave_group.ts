/**
 * LeaveGroup (key 13) message schemas: versions 0-5, flexible 4+.
 * v3 batched members, v4 flexible, v5 reason.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** LeaveGroupRequest body as decoded: fields absent in a version hold their defaults. */
export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    reason: string | null;
  }[];
}

/** LeaveGroupResponse body; fields only some versions carry are optional. */
export interface LeaveGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  members?: {
    memberId?: string;
    groupInstanceId?: string | null;
    errorCode?: number;
  }[];
}

/** Schema of LeaveGroup requests and responses. */
export const LeaveGroup: ApiSchema = {
  apiKey: 13,
  name: "LeaveGroup",
  request: {
    name: "LeaveGroupRequest",
    apiKey: 13,
    validVersions: "0-5",
    flexibleVersions: "4+",
    fields: [
      field("groupId", "string", "0+"),
      field("memberId", "string", "0-2"),
      array("members", "3+", [
        field("memberId", "string", "3+"),
        field("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
        field("reason", "string", "5+", { nullable: "5+", default: null }),
      ]),
    ],
  },
  response: {
    name: "LeaveGroupResponse",
    apiKey: 13,
    validVersions: "0-5",
    flexibleVersions: "4+",
    fields: [
      field("throttleTimeMs", "int32", "1+"),
      field("errorCode", "int16", "0+"),
      array("members", "3+", [
        field("memberId", "string", "3+"),
        field("groupInstanceId", "string", "3+", { nullable: "3+" }),
        field("errorCode", "int16", "3+"),
      ]),
    ],
  },
};
