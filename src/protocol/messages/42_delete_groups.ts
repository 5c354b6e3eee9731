/**
 * DeleteGroups (key 42) message schemas: versions 0-2, flexible 2+.
 * v2 flexible.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DeleteGroupsRequest body as decoded: fields absent in a version hold their defaults. */
export interface DeleteGroupsRequest {
  groupsNames: string[];
}

/** DeleteGroupsResponse body; fields only some versions carry are optional. */
export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: {
    groupId: string;
    errorCode: number;
  }[];
}

/** Schema of DeleteGroups requests and responses. */
export const DeleteGroups: ApiSchema = {
  apiKey: 42,
  name: "DeleteGroups",
  request: {
    name: "DeleteGroupsRequest",
    apiKey: 42,
    validVersions: "0-2",
    flexibleVersions: "2+",
    fields: [
      field("groupsNames", "[]string", "0+"),
    ],
  },
  response: {
    name: "DeleteGroupsResponse",
    apiKey: 42,
    validVersions: "0-2",
    flexibleVersions: "2+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      array("results", "0+", [
        field("groupId", "string", "0+"),
        field("errorCode", "int16", "0+"),
      ]),
    ],
  },
};
