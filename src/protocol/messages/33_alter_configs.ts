/**
 * AlterConfigs (key 33) message schemas: versions 0-2, flexible 2+.
 * v2 flexible.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** AlterConfigsRequest body as decoded: fields absent in a version hold their defaults. */
export interface AlterConfigsRequest {
  resources: {
    resourceType: number;
    resourceName: string;
    configs: {
      name: string;
      value: string | null;
    }[];
  }[];
  validateOnly: boolean;
}

/** AlterConfigsResponse body; fields only some versions carry are optional. */
export interface AlterConfigsResponse {
  throttleTimeMs: number;
  responses: {
    errorCode: number;
    errorMessage: string | null;
    resourceType: number;
    resourceName: string;
  }[];
}

/** Schema of AlterConfigs requests and responses. */
export const AlterConfigs: ApiSchema = {
  apiKey: 33,
  name: "AlterConfigs",
  request: {
    name: "AlterConfigsRequest",
    apiKey: 33,
    validVersions: "0-2",
    flexibleVersions: "2+",
    fields: [
      array("resources", "0+", [
        field("resourceType", "int8", "0+"),
        field("resourceName", "string", "0+"),
        array("configs", "0+", [
          field("name", "string", "0+"),
          field("value", "string", "0+", { nullable: "0+" }),
        ]),
      ]),
      field("validateOnly", "bool", "0+"),
    ],
  },
  response: {
    name: "AlterConfigsResponse",
    apiKey: 33,
    validVersions: "0-2",
    flexibleVersions: "2+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      array("responses", "0+", [
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "0+", { nullable: "0+" }),
        field("resourceType", "int8", "0+"),
        field("resourceName", "string", "0+"),
      ]),
    ],
  },
};
