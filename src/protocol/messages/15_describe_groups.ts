/**
 * DescribeGroups (key 15) message schemas: versions 0-5, flexible 5+.
 * v1 throttle, v3 authorized ops, v4 instance id, v5 flexible.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DescribeGroupsRequest body as decoded: fields absent in a version hold their defaults. */
export interface DescribeGroupsRequest {
  groups: string[];
  includeAuthorizedOperations: boolean;
}

/** DescribeGroupsResponse body; fields only some versions carry are optional. */
export interface DescribeGroupsResponse {
  throttleTimeMs?: number;
  groups: {
    errorCode: number;
    groupId: string;
    groupState: string;
    protocolType: string;
    protocolData: string;
    members: {
      memberId: string;
      groupInstanceId?: string | null;
      clientId: string;
      clientHost: string;
      memberMetadata: Uint8Array;
      memberAssignment: Uint8Array;
    }[];
    authorizedOperations?: number;
  }[];
}

/** Schema of DescribeGroups requests and responses. */
export const DescribeGroups: ApiSchema = {
  apiKey: 15,
  name: "DescribeGroups",
  request: {
    name: "DescribeGroupsRequest",
    apiKey: 15,
    validVersions: "0-5",
    flexibleVersions: "5+",
    fields: [
      field("groups", "[]string", "0+"),
      field("includeAuthorizedOperations", "bool", "3+"),
    ],
  },
  response: {
    name: "DescribeGroupsResponse",
    apiKey: 15,
    validVersions: "0-5",
    flexibleVersions: "5+",
    fields: [
      field("throttleTimeMs", "int32", "1+"),
      array("groups", "0+", [
        field("errorCode", "int16", "0+"),
        field("groupId", "string", "0+"),
        field("groupState", "string", "0+"),
        field("protocolType", "string", "0+"),
        field("protocolData", "string", "0+"),
        array("members", "0+", [
          field("memberId", "string", "0+"),
          field("groupInstanceId", "string", "4+", { nullable: "4+", default: null }),
          field("clientId", "string", "0+"),
          field("clientHost", "string", "0+"),
          field("memberMetadata", "bytes", "0+"),
          field("memberAssignment", "bytes", "0+"),
        ]),
        field("authorizedOperations", "int32", "3+", { default: -2147483648 }),
      ]),
    ],
  },
};
