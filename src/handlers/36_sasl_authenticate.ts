/**
 * SaslAuthenticate (key 36), versions 0-2 (librdkafka and kafkajs v0-v1, the Java clients and
 * franz-go up to v2).
 * - v0: one SASL token each way. v1: session lifetime (KIP-368): KAFSCALE_SASL_SESSION_LIFETIME_MS
 *   (0: none); a connection past it is closed at its next request unless it re-authenticated.
 *   v2: flexible.
 * - Carries the exchange the SaslHandshake chose (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). A
 *   failed authentication answers SASL_AUTHENTICATION_FAILED after a short delay, is counted
 *   (`kafscale_sasl_authentications_total`) and logged with the client's address and user name,
 *   and the connection closes once the answer is written.
 * - Without a handshake first: ILLEGAL_SASL_STATE, and the connection closes. After a
 *   successful authentication, and on PLAINTEXT and SSL listeners: ILLEGAL_SASL_STATE.
 * @module
 */
import {
  SaslAuthenticate,
  type SaslAuthenticateRequest,
  type SaslAuthenticateResponse,
} from "../protocol/messages/36_sasl_authenticate.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Handler } from "./registry.ts";

/** Builds the SaslAuthenticate handler. */
export function saslAuthenticateHandler(): Handler {
  return {
    schema: SaslAuthenticate,
    minVersion: 0,
    maxVersion: 2,
    authorization: { none: "part of authentication: served before a principal exists" },
    async handle(req: SaslAuthenticateRequest, ctx): Promise<SaslAuthenticateResponse> {
      if (!ctx.sasl) {
        return {
          errorCode: ErrorCode.ILLEGAL_SASL_STATE,
          errorMessage: `SaslAuthenticate is not expected on the ${ctx.listener} listener`,
          authBytes: new Uint8Array(0),
          sessionLifetimeMs: 0,
        };
      }
      return await ctx.sasl.authenticate(req.authBytes, ctx.apiVersion);
    },
  };
}
