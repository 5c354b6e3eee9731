/**
 * DescribeClientQuotas (key 48) message schemas: versions 0-1, flexible 1+.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DescribeClientQuotasRequest body. */
export interface DescribeClientQuotasRequest {
  components: { entityType: string; matchType: number; match: string | null }[];
  strict: boolean;
}

/** DescribeClientQuotasResponse body. */
export interface DescribeClientQuotasResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  entries: {
    entity: { entityType: string; entityName: string | null }[];
    values: { key: string; value: number }[];
  }[] | null;
}

/** Schema of DescribeClientQuotas requests and responses. */
export const DescribeClientQuotas: ApiSchema = {
  apiKey: 48,
  name: "DescribeClientQuotas",
  request: {
    name: "DescribeClientQuotasRequest",
    apiKey: 48,
    validVersions: "0-1",
    flexibleVersions: "1+",
    fields: [
      array("components", "0+", [
        field("entityType", "string", "0+"),
        field("matchType", "int8", "0+"),
        field("match", "string", "0+", { nullable: "0+" }),
      ]),
      field("strict", "bool", "0+"),
    ],
  },
  response: {
    name: "DescribeClientQuotasResponse",
    apiKey: 48,
    validVersions: "0-1",
    flexibleVersions: "1+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      field("errorCode", "int16", "0+"),
      field("errorMessage", "string", "0+", { nullable: "0+" }),
      array("entries", "0+", [
        array("entity", "0+", [
          field("entityType", "string", "0+"),
          field("entityName", "string", "0+", { nullable: "0+" }),
        ]),
        array("values", "0+", [
          field("key", "string", "0+"),
          field("value", "float64", "0+"),
        ]),
      ], { nullable: "0+" }),
    ],
  },
};
