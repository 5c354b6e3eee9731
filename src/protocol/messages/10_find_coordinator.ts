/**
 * FindCoordinator (key 10) message schemas: versions 0-6, flexible 3+.
 * v1 key type, v3 flexible, v4 batched keys.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** FindCoordinatorRequest body as decoded: fields absent in a version hold their defaults. */
export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
  coordinatorKeys: string[];
}

/** FindCoordinatorResponse body; fields only some versions carry are optional. */
export interface FindCoordinatorResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  errorMessage?: string | null;
  nodeId?: number;
  host?: string;
  port?: number;
  coordinators?: {
    key?: string;
    nodeId?: number;
    host?: string;
    port?: number;
    errorCode?: number;
    errorMessage?: string | null;
  }[];
}

/** Schema of FindCoordinator requests and responses. */
export const FindCoordinator: ApiSchema = {
  apiKey: 10,
  name: "FindCoordinator",
  request: {
    name: "FindCoordinatorRequest",
    apiKey: 10,
    validVersions: "0-6",
    flexibleVersions: "3+",
    fields: [
      field("key", "string", "0-3"),
      field("keyType", "int8", "1+", { default: 0 }),
      field("coordinatorKeys", "[]string", "4+"),
    ],
  },
  response: {
    name: "FindCoordinatorResponse",
    apiKey: 10,
    validVersions: "0-6",
    flexibleVersions: "3+",
    fields: [
      field("throttleTimeMs", "int32", "1+"),
      field("errorCode", "int16", "0-3"),
      field("errorMessage", "string", "1-3", { nullable: "1-3" }),
      field("nodeId", "int32", "0-3"),
      field("host", "string", "0-3"),
      field("port", "int32", "0-3"),
      array("coordinators", "4+", [
        field("key", "string", "4+"),
        field("nodeId", "int32", "4+"),
        field("host", "string", "4+"),
        field("port", "int32", "4+"),
        field("errorCode", "int16", "4+"),
        field("errorMessage", "string", "4+", { nullable: "4+" }),
      ]),
    ],
  },
};
