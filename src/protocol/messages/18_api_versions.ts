/**
 * ApiVersions (key 18): which API keys and versions the broker speaks.
 * Versions 0-4; flexible from 3. Responses always use response header v0 (KIP-511), so a
 * client that asked at too high a version can still read the error and our range.
 * @module
 */
import { type ApiSchema, array, field, tagged } from "../schema.ts";

/** ApiVersions request body. */
export interface ApiVersionsRequest {
  clientSoftwareName: string;
  clientSoftwareVersion: string;
}

/** One advertised API range. */
export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** ApiVersions response body. */
export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionRange[];
  throttleTimeMs?: number;
  supportedFeatures?: { name: string; minVersion: number; maxVersion: number }[];
  finalizedFeaturesEpoch?: number;
  finalizedFeatures?: { name: string; maxVersionLevel: number; minVersionLevel: number }[];
  zkMigrationReady?: boolean;
}

/** Schema of ApiVersions requests and responses. */
export const ApiVersions: ApiSchema = {
  apiKey: 18,
  name: "ApiVersions",
  request: {
    name: "ApiVersionsRequest",
    apiKey: 18,
    validVersions: "0-4",
    flexibleVersions: "3+",
    fields: [
      field("clientSoftwareName", "string", "3+"),
      field("clientSoftwareVersion", "string", "3+"),
    ],
  },
  response: {
    name: "ApiVersionsResponse",
    apiKey: 18,
    validVersions: "0-4",
    flexibleVersions: "3+",
    fields: [
      field("errorCode", "int16", "0+"),
      array("apiKeys", "0+", [
        field("apiKey", "int16", "0+"),
        field("minVersion", "int16", "0+"),
        field("maxVersion", "int16", "0+"),
      ]),
      field("throttleTimeMs", "int32", "1+"),
      array("supportedFeatures", "3+", [
        field("name", "string", "3+"),
        field("minVersion", "int16", "3+"),
        field("maxVersion", "int16", "3+"),
      ], tagged(0, "3+")),
      field("finalizedFeaturesEpoch", "int64", "3+", { ...tagged(1, "3+"), default: -1 }),
      array("finalizedFeatures", "3+", [
        field("name", "string", "3+"),
        field("maxVersionLevel", "int16", "3+"),
        field("minVersionLevel", "int16", "3+"),
      ], tagged(2, "3+")),
      field("zkMigrationReady", "bool", "3+", { ...tagged(3, "3+"), default: false }),
    ],
  },
};
