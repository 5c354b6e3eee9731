/**
 * Heartbeat (key 12), versions 0-4 (kafka-python 2.0.2 up to v1, librdkafka up to v3,
 * Java 3.7/4.x and franz-go up to v4).
 * - v1: throttle time. v3: group instance id (fencing). v4: flexible.
 * - Keeps the member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
 * - Errors: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID.
 * - Authorization (as Kafka): READ on the group, else GROUP_AUTHORIZATION_FAILED.
 * @module
 */
import {
  Heartbeat,
  type HeartbeatRequest,
  type HeartbeatResponse,
} from "../protocol/messages/12_heartbeat.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { groupErrorCode } from "./_group_errors.ts";
import { authFor } from "./_authorize.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { READ_GROUP } from "./_checks.ts";

/** Builds the Heartbeat handler. */
export function heartbeatHandler(services: BrokerServices): Handler {
  return {
    schema: Heartbeat,
    minVersion: 0,
    maxVersion: 4,
    authorization: {
      checks: [READ_GROUP],
    },
    handle(req: HeartbeatRequest, ctx): HeartbeatResponse {
      if (!authFor(services, ctx).allowed("READ", "GROUP", req.groupId)) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
      }
      try {
        services.groups.heartbeat(
          req.groupId,
          req.memberId,
          req.groupInstanceId ?? null,
          req.generationId,
        );
        return { throttleTimeMs: 0, errorCode: 0 };
      } catch (e) {
        return { throttleTimeMs: 0, errorCode: groupErrorCode(e) };
      }
    },
  };
}
