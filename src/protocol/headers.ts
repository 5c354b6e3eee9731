/**
 * Request and response headers. Request header v1: api key, api version, correlation id,
 * client id (a classic nullable string even in v2); v2 adds tagged fields. Response header v0:
 * correlation id; v1 adds tagged fields. ApiVersions responses always use v0.
 * @module
 */
import type { Reader, Writer } from "./primitives.ts";

/** A decoded request header. */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/**
 * Reads a request header; `isFlexible(apiKey, version)` says whether it is v2 (tagged fields
 * after the client id). Unknown tagged fields are skipped.
 */
export function decodeRequestHeader(
  r: Reader,
  isFlexible: (apiKey: number, apiVersion: number) => boolean,
): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString();
  if (isFlexible(apiKey, apiVersion)) {
    const count = r.uvarint();
    for (let i = 0; i < count; i++) {
      r.uvarint();
      r.raw(r.uvarint());
    }
  }
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Writes a request header (v2 when `flexible`). */
export function encodeRequestHeader(w: Writer, h: RequestHeader, flexible: boolean): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId).nullableString(h.clientId);
  if (flexible) w.uvarint(0);
}

/** Writes a response header (v1 when `flexible`). */
export function writeResponseHeader(w: Writer, correlationId: number, flexible: boolean): void {
  w.int32(correlationId);
  if (flexible) w.uvarint(0);
}
