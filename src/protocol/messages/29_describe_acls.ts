/**
 * DescribeAcls (key 29) message schemas: versions 0-3, flexible 2+.
 * v1 adds the pattern type (v0 filters and answers LITERAL only). v3 adds the user resource type
 * (no field change).
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DescribeAclsRequest body: one filter (codes as in src/auth/acl.ts). */
export interface DescribeAclsRequest {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

/** DescribeAclsResponse body: the matching ACLs grouped by resource pattern. */
export interface DescribeAclsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  resources: {
    resourceType: number;
    resourceName: string;
    patternType: number;
    acls: { principal: string; host: string; operation: number; permissionType: number }[];
  }[];
}

/** Schema of DescribeAcls requests and responses. */
export const DescribeAcls: ApiSchema = {
  apiKey: 29,
  name: "DescribeAcls",
  request: {
    name: "DescribeAclsRequest",
    apiKey: 29,
    validVersions: "0-3",
    flexibleVersions: "2+",
    fields: [
      field("resourceTypeFilter", "int8", "0+"),
      field("resourceNameFilter", "string", "0+", { nullable: "0+" }),
      field("patternTypeFilter", "int8", "1+", { default: 3 }),
      field("principalFilter", "string", "0+", { nullable: "0+" }),
      field("hostFilter", "string", "0+", { nullable: "0+" }),
      field("operation", "int8", "0+"),
      field("permissionType", "int8", "0+"),
    ],
  },
  response: {
    name: "DescribeAclsResponse",
    apiKey: 29,
    validVersions: "0-3",
    flexibleVersions: "2+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      field("errorCode", "int16", "0+"),
      field("errorMessage", "string", "0+", { nullable: "0+" }),
      array("resources", "0+", [
        field("resourceType", "int8", "0+"),
        field("resourceName", "string", "0+"),
        field("patternType", "int8", "1+", { default: 3 }),
        array("acls", "0+", [
          field("principal", "string", "0+"),
          field("host", "string", "0+"),
          field("operation", "int8", "0+"),
          field("permissionType", "int8", "0+"),
        ]),
      ]),
    ],
  },
};
