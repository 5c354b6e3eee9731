/**
 * DescribeConfigs (key 32) message schemas: versions 0-4, flexible 4+.
 * v1 synonyms, v3 type and documentation, v4 flexible.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DescribeConfigsRequest body as decoded: fields absent in a version hold their defaults. */
export interface DescribeConfigsRequest {
  resources: {
    resourceType: number;
    resourceName: string;
    configurationKeys: string[] | null;
  }[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

/** DescribeConfigsResponse body; fields only some versions carry are optional. */
export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: {
    errorCode: number;
    errorMessage: string | null;
    resourceType: number;
    resourceName: string;
    configs: {
      name: string;
      value: string | null;
      readOnly: boolean;
      isDefault?: boolean;
      configSource?: number;
      isSensitive: boolean;
      synonyms?: {
        name?: string;
        value?: string | null;
        source?: number;
      }[];
      configType?: number;
      documentation?: string | null;
    }[];
  }[];
}

/** Schema of DescribeConfigs requests and responses. */
export const DescribeConfigs: ApiSchema = {
  apiKey: 32,
  name: "DescribeConfigs",
  request: {
    name: "DescribeConfigsRequest",
    apiKey: 32,
    validVersions: "0-4",
    flexibleVersions: "4+",
    fields: [
      array("resources", "0+", [
        field("resourceType", "int8", "0+"),
        field("resourceName", "string", "0+"),
        field("configurationKeys", "[]string", "0+", { nullable: "0+" }),
      ]),
      field("includeSynonyms", "bool", "1+", { default: false }),
      field("includeDocumentation", "bool", "3+", { default: false }),
    ],
  },
  response: {
    name: "DescribeConfigsResponse",
    apiKey: 32,
    validVersions: "0-4",
    flexibleVersions: "4+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      array("results", "0+", [
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "0+", { nullable: "0+" }),
        field("resourceType", "int8", "0+"),
        field("resourceName", "string", "0+"),
        array("configs", "0+", [
          field("name", "string", "0+"),
          field("value", "string", "0+", { nullable: "0+" }),
          field("readOnly", "bool", "0+"),
          field("isDefault", "bool", "0"),
          field("configSource", "int8", "1+", { default: -1 }),
          field("isSensitive", "bool", "0+"),
          array("synonyms", "1+", [
            field("name", "string", "1+"),
            field("value", "string", "1+", { nullable: "0+" }),
            field("source", "int8", "1+"),
          ]),
          field("configType", "int8", "3+", { default: 0 }),
          field("documentation", "string", "3+", { nullable: "0+" }),
        ]),
      ]),
    ],
  },
};
