/**
 * AlterUserScramCredentials (key 51) message schemas: version 0, flexible 0+.
 * Mechanisms are Kafka's codes: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** AlterUserScramCredentialsRequest body. */
export interface AlterUserScramCredentialsRequest {
  deletions: { name: string; mechanism: number }[];
  upsertions: {
    name: string;
    mechanism: number;
    iterations: number;
    salt: Uint8Array;
    saltedPassword: Uint8Array;
  }[];
}

/** AlterUserScramCredentialsResponse body: one result per user named. */
export interface AlterUserScramCredentialsResponse {
  throttleTimeMs: number;
  results: { user: string; errorCode: number; errorMessage: string | null }[];
}

/** Schema of AlterUserScramCredentials requests and responses. */
export const AlterUserScramCredentials: ApiSchema = {
  apiKey: 51,
  name: "AlterUserScramCredentials",
  request: {
    name: "AlterUserScramCredentialsRequest",
    apiKey: 51,
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [
      array("deletions", "0+", [
        field("name", "string", "0+"),
        field("mechanism", "int8", "0+"),
      ]),
      array("upsertions", "0+", [
        field("name", "string", "0+"),
        field("mechanism", "int8", "0+"),
        field("iterations", "int32", "0+"),
        field("salt", "bytes", "0+"),
        field("saltedPassword", "bytes", "0+"),
      ]),
    ],
  },
  response: {
    name: "AlterUserScramCredentialsResponse",
    apiKey: 51,
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      array("results", "0+", [
        field("user", "string", "0+"),
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "0+", { nullable: "0+" }),
      ]),
    ],
  },
};
