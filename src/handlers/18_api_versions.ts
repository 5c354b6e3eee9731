/**
 * ApiVersions (key 18), versions 0-4.
 * - v0: the API ranges. v1: throttle time. v2: no change. v3: flexible; client software name
 *   and version (accepted, used only in logs). v4: no change (KIP-511 follow-up).
 * - The ranges are generated from the handler registry, so they always match what is
 *   implemented; APIs we lack are left out, as Apache Kafka does.
 * - A request above v4 is answered (by the dispatcher) with UNSUPPORTED_VERSION and our ranges
 *   in a v0 body so the client retries lower.
 * - Features (supportedFeatures, finalized features) are not used: sent empty.
 * @module
 */
import { ApiVersions, type ApiVersionsResponse } from "../protocol/messages/18_api_versions.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";

/** Builds the ApiVersions handler over the registry in `services`. */
export function apiVersionsHandler(services: BrokerServices): Handler {
  return {
    schema: ApiVersions,
    minVersion: 0,
    maxVersion: 4,
    authorization: { none: "served to everyone, before authentication too (as Kafka)" },
    handle(): ApiVersionsResponse {
      return {
        errorCode: 0,
        apiKeys: services.registry.all().map((h) => ({
          apiKey: h.schema.apiKey,
          minVersion: h.minVersion,
          maxVersion: h.maxVersion,
        })),
        throttleTimeMs: 0,
      };
    },
  };
}
