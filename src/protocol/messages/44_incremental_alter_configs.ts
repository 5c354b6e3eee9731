/**
 * IncrementalAlterConfigs (key 44) message schemas: versions 0-1, flexible 1+.
 * v1 flexible.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** IncrementalAlterConfigsRequest body as decoded: fields absent in a version hold their defaults. */
export interface IncrementalAlterConfigsRequest {
  resources: {
    resourceType: number;
    resourceName: string;
    configs: {
      name: string;
      configOperation: number;
      value: string | null;
    }[];
  }[];
  validateOnly: boolean;
}

/** IncrementalAlterConfigsResponse body; fields only some versions carry are optional. */
export interface IncrementalAlterConfigsResponse {
  throttleTimeMs: number;
  responses: {
    errorCode: number;
    errorMessage: string | null;
    resourceType: number;
    resourceName: string;
  }[];
}

/** Schema of IncrementalAlterConfigs requests and responses. */
export const IncrementalAlterConfigs: ApiSchema = {
  apiKey: 44,
  name: "IncrementalAlterConfigs",
  request: {
    name: "IncrementalAlterConfigsRequest",
    apiKey: 44,
    validVersions: "0-1",
    flexibleVersions: "1+",
    fields: [
      array("resources", "0+", [
        field("resourceType", "int8", "0+"),
        field("resourceName", "string", "0+"),
        array("configs", "0+", [
          field("name", "string", "0+"),
          field("configOperation", "int8", "0+"),
          field("value", "string", "0+", { nullable: "0+" }),
        ]),
      ]),
      field("validateOnly", "bool", "0+"),
    ],
  },
  response: {
    name: "IncrementalAlterConfigsResponse",
    apiKey: 44,
    validVersions: "0-1",
    flexibleVersions: "1+",
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
