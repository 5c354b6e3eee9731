/**
 * SaslHandshake (key 17), versions 0-1 (kafka-python 2.0 sends v0, librdkafka, the Java
 * clients, franz-go and kafkajs v1).
 * - v0: after a successful handshake the client sends raw SASL tokens framed by a 4-byte size
 *   (no Kafka header), answered the same way (src/server/dispatch.ts). v1: the tokens travel in
 *   SaslAuthenticate requests.
 * - On a SASL listener the connection's session (src/server/sasl_session.ts) picks the
 *   mechanism: one not in KAFSCALE_SASL_MECHANISMS answers UNSUPPORTED_SASL_MECHANISM with the
 *   enabled ones, and the connection closes; a second handshake outside a re-authentication
 *   (KIP-368: v1, same mechanism, after a v1+ SaslAuthenticate) answers ILLEGAL_SASL_STATE and
 *   closes.
 * - On PLAINTEXT and SSL listeners: ILLEGAL_SASL_STATE, no mechanisms, as Kafka answers.
 * @module
 */
import {
  SaslHandshake,
  type SaslHandshakeRequest,
  type SaslHandshakeResponse,
} from "../protocol/messages/17_sasl_handshake.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Handler } from "./registry.ts";

/** Builds the SaslHandshake handler. */
export function saslHandshakeHandler(): Handler {
  return {
    schema: SaslHandshake,
    minVersion: 0,
    maxVersion: 1,
    authorization: { none: "part of authentication: served before a principal exists" },
    handle(req: SaslHandshakeRequest, ctx): SaslHandshakeResponse {
      if (!ctx.sasl) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
      return ctx.sasl.handshake(req.mechanism, ctx.apiVersion);
    },
  };
}
