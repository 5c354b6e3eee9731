/**
 * DeleteAcls (key 31) message schemas: versions 0-3, flexible 2+.
 * v1 adds the pattern type (v0 filters and answers LITERAL only). v3 adds the user resource type
 * (no field change).
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DeleteAclsRequest body: filters (codes as in src/auth/acl.ts). */
export interface DeleteAclsRequest {
  filters: {
    resourceTypeFilter: number;
    resourceNameFilter: string | null;
    patternTypeFilter: number;
    principalFilter: string | null;
    hostFilter: string | null;
    operation: number;
    permissionType: number;
  }[];
}

/** DeleteAclsResponse body: per filter, the ACLs it matched (and deleted). */
export interface DeleteAclsResponse {
  throttleTimeMs: number;
  filterResults: {
    errorCode: number;
    errorMessage: string | null;
    matchingAcls: {
      errorCode: number;
      errorMessage: string | null;
      resourceType: number;
      resourceName: string;
      patternType: number;
      principal: string;
      host: string;
      operation: number;
      permissionType: number;
    }[];
  }[];
}

/** Schema of DeleteAcls requests and responses. */
export const DeleteAcls: ApiSchema = {
  apiKey: 31,
  name: "DeleteAcls",
  request: {
    name: "DeleteAclsRequest",
    apiKey: 31,
    validVersions: "0-3",
    flexibleVersions: "2+",
    fields: [
      array("filters", "0+", [
        field("resourceTypeFilter", "int8", "0+"),
        field("resourceNameFilter", "string", "0+", { nullable: "0+" }),
        field("patternTypeFilter", "int8", "1+", { default: 3 }),
        field("principalFilter", "string", "0+", { nullable: "0+" }),
        field("hostFilter", "string", "0+", { nullable: "0+" }),
        field("operation", "int8", "0+"),
        field("permissionType", "int8", "0+"),
      ]),
    ],
  },
  response: {
    name: "DeleteAclsResponse",
    apiKey: 31,
    validVersions: "0-3",
    flexibleVersions: "2+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      array("filterResults", "0+", [
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "0+", { nullable: "0+" }),
        array("matchingAcls", "0+", [
          field("errorCode", "int16", "0+"),
          field("errorMessage", "string", "0+", { nullable: "0+" }),
          field("resourceType", "int8", "0+"),
          field("resourceName", "string", "0+"),
          field("patternType", "int8", "1+", { default: 3 }),
          field("principal", "string", "0+"),
          field("host", "string", "0+"),
          field("operation", "int8", "0+"),
          field("permissionType", "int8", "0+"),
        ]),
      ]),
    ],
  },
};
