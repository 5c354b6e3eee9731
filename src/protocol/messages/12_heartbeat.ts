/**
 * Heartbeat (key 12) message schemas: versions 0-4, flexible 4+.
 * v3 instance id, v4 flexible.
 * @module
 */
import { type ApiSchema, field } from "../schema.ts";

/** HeartbeatRequest body as decoded: fields absent in a version hold their defaults. */
export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/** HeartbeatResponse body; fields only some versions carry are optional. */
export interface HeartbeatResponse {
  throttleTimeMs?: number;
  errorCode: number;
}

/** Schema of Heartbeat requests and responses. */
export const Heartbeat: ApiSchema = {
  apiKey: 12,
  name: "Heartbeat",
  request: {
    name: "HeartbeatRequest",
    apiKey: 12,
    validVersions: "0-4",
    flexibleVersions: "4+",
    fields: [
      field("groupId", "string", "0+"),
      field("generationId", "int32", "0+"),
      field("memberId", "string", "0+"),
      field("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
    ],
  },
  response: {
    name: "HeartbeatResponse",
    apiKey: 12,
    validVersions: "0-4",
    flexibleVersions: "4+",
    fields: [
      field("throttleTimeMs", "int32", "1+"),
      field("errorCode", "int16", "0+"),
    ],
  },
};
