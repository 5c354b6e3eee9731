/**
 * CreateAcls (key 30) message schemas: versions 0-3, flexible 2+.
 * v1 adds the resource pattern type (v0 creates LITERAL ACLs only). v3 adds the user resource
 * type (no field change).
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** CreateAclsRequest body (codes as in src/auth/acl.ts). */
export interface CreateAclsRequest {
  creations: {
    resourceType: number;
    resourceName: string;
    resourcePatternType: number;
    principal: string;
    host: string;
    operation: number;
    permissionType: number;
  }[];
}

/** CreateAclsResponse body: one result per creation, in request order. */
export interface CreateAclsResponse {
  throttleTimeMs: number;
  results: { errorCode: number; errorMessage: string | null }[];
}

/** Schema of CreateAcls requests and responses. */
export const CreateAcls: ApiSchema = {
  apiKey: 30,
  name: "CreateAcls",
  request: {
    name: "CreateAclsRequest",
    apiKey: 30,
    validVersions: "0-3",
    flexibleVersions: "2+",
    fields: [
      array("creations", "0+", [
        field("resourceType", "int8", "0+"),
        field("resourceName", "string", "0+"),
        field("resourcePatternType", "int8", "1+", { default: 3 }),
        field("principal", "string", "0+"),
        field("host", "string", "0+"),
        field("operation", "int8", "0+"),
        field("permissionType", "int8", "0+"),
      ]),
    ],
  },
  response: {
    name: "CreateAclsResponse",
    apiKey: 30,
    validVersions: "0-3",
    flexibleVersions: "2+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      array("results", "0+", [
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "0+", { nullable: "0+" }),
      ]),
    ],
  },
};
