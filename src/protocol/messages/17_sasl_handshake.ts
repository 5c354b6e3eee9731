/**
 * SaslHandshake (key 17) message schemas: versions 0-1, flexible none.
 * v0: raw SASL tokens follow (size-prefixed, no Kafka header). v1: SaslAuthenticate requests
 * carry the tokens.
 * @module
 */
import { type ApiSchema, field } from "../schema.ts";

/** SaslHandshakeRequest body. */
export interface SaslHandshakeRequest {
  mechanism: string;
}

/** SaslHandshakeResponse body. */
export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

/** Schema of SaslHandshake requests and responses. */
export const SaslHandshake: ApiSchema = {
  apiKey: 17,
  name: "SaslHandshake",
  request: {
    name: "SaslHandshakeRequest",
    apiKey: 17,
    validVersions: "0-1",
    flexibleVersions: "none",
    fields: [field("mechanism", "string", "0+")],
  },
  response: {
    name: "SaslHandshakeResponse",
    apiKey: 17,
    validVersions: "0-1",
    flexibleVersions: "none",
    fields: [
      field("errorCode", "int16", "0+"),
      field("mechanisms", "[]string", "0+"),
    ],
  },
};
