/**
 * ListGroups (key 16) message schemas: versions 0-5, flexible 3+.
 * v3 flexible, v4 states filter, v5 types filter.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** ListGroupsRequest body as decoded: fields absent in a version hold their defaults. */
export interface ListGroupsRequest {
  statesFilter: string[];
  typesFilter: string[];
}

/** ListGroupsResponse body; fields only some versions carry are optional. */
export interface ListGroupsResponse {
  throttleTimeMs?: number;
  errorCode: number;
  groups: {
    groupId: string;
    protocolType: string;
    groupState?: string;
    groupType?: string;
  }[];
}

/** Schema of ListGroups requests and responses. */
export const ListGroups: ApiSchema = {
  apiKey: 16,
  name: "ListGroups",
  request: {
    name: "ListGroupsRequest",
    apiKey: 16,
    validVersions: "0-5",
    flexibleVersions: "3+",
    fields: [
      field("statesFilter", "[]string", "4+"),
      field("typesFilter", "[]string", "5+"),
    ],
  },
  response: {
    name: "ListGroupsResponse",
    apiKey: 16,
    validVersions: "0-5",
    flexibleVersions: "3+",
    fields: [
      field("throttleTimeMs", "int32", "1+"),
      field("errorCode", "int16", "0+"),
      array("groups", "0+", [
        field("groupId", "string", "0+"),
        field("protocolType", "string", "0+"),
        field("groupState", "string", "4+"),
        field("groupType", "string", "5+"),
      ]),
    ],
  },
};
