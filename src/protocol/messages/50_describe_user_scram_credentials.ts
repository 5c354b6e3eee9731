/**
 * DescribeUserScramCredentials (key 50) message schemas: version 0, flexible 0+.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DescribeUserScramCredentialsRequest body: null or empty users means every user. */
export interface DescribeUserScramCredentialsRequest {
  users: { name: string }[] | null;
}

/** DescribeUserScramCredentialsResponse body. */
export interface DescribeUserScramCredentialsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  results: {
    user: string;
    errorCode: number;
    errorMessage: string | null;
    credentialInfos: { mechanism: number; iterations: number }[];
  }[];
}

/** Schema of DescribeUserScramCredentials requests and responses. */
export const DescribeUserScramCredentials: ApiSchema = {
  apiKey: 50,
  name: "DescribeUserScramCredentials",
  request: {
    name: "DescribeUserScramCredentialsRequest",
    apiKey: 50,
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [
      array("users", "0+", [field("name", "string", "0+")], { nullable: "0+" }),
    ],
  },
  response: {
    name: "DescribeUserScramCredentialsResponse",
    apiKey: 50,
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      field("errorCode", "int16", "0+"),
      field("errorMessage", "string", "0+", { nullable: "0+" }),
      array("results", "0+", [
        field("user", "string", "0+"),
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "0+", { nullable: "0+" }),
        array("credentialInfos", "0+", [
          field("mechanism", "int8", "0+"),
          field("iterations", "int32", "0+"),
        ]),
      ]),
    ],
  },
};
