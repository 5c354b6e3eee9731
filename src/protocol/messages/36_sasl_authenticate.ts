/**
 * SaslAuthenticate (key 36) message schemas: versions 0-2, flexible 2+.
 * v1: session lifetime (KIP-368). v2: flexible.
 * @module
 */
import { type ApiSchema, field } from "../schema.ts";

/** SaslAuthenticateRequest body. */
export interface SaslAuthenticateRequest {
  authBytes: Uint8Array;
}

/** SaslAuthenticateResponse body; sessionLifetimeMs is dropped below v1. */
export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Uint8Array;
  sessionLifetimeMs: number;
}

/** Schema of SaslAuthenticate requests and responses. */
export const SaslAuthenticate: ApiSchema = {
  apiKey: 36,
  name: "SaslAuthenticate",
  request: {
    name: "SaslAuthenticateRequest",
    apiKey: 36,
    validVersions: "0-2",
    flexibleVersions: "2+",
    fields: [field("authBytes", "bytes", "0+")],
  },
  response: {
    name: "SaslAuthenticateResponse",
    apiKey: 36,
    validVersions: "0-2",
    flexibleVersions: "2+",
    fields: [
      field("errorCode", "int16", "0+"),
      field("errorMessage", "string", "0+", { nullable: "0+" }),
      field("authBytes", "bytes", "0+"),
      field("sessionLifetimeMs", "int64", "1+", { default: 0 }),
    ],
  },
};
