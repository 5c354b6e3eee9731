/**
 * LeaveGroup (key 13), versions 0-5 (kafka-python 2.0.2 up to v1, librdkafka up to v1... v4,
 * Java 3.7/4.x up to v5, franz-go up to v5).
 * - v1: throttle time. v3: batched leave of several members, each by member id and/or group
 *   instance id (KIP-345), with a result per member. v4: flexible. v5: leave reason (accepted).
 * - The group rebalances at once; the last member leaving makes it Empty.
 * - Errors: UNKNOWN_MEMBER_ID (per member from v3), FENCED_INSTANCE_ID.
 * - Authorization (as Kafka): READ on the group, else GROUP_AUTHORIZATION_FAILED (top level,
 *   no member results).
 * @module
 */
import {
  LeaveGroup,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
} from "../protocol/messages/13_leave_group.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { groupErrorCode } from "./_group_errors.ts";
import { authFor } from "./_authorize.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { READ_GROUP } from "./_checks.ts";

/** Builds the LeaveGroup handler. */
export function leaveGroupHandler(services: BrokerServices): Handler {
  function leaveOne(groupId: string, memberId: string, instanceId: string | null): number {
    try {
      services.groups.leave(groupId, memberId, instanceId);
      return 0;
    } catch (e) {
      return groupErrorCode(e);
    }
  }
  return {
    schema: LeaveGroup,
    minVersion: 0,
    maxVersion: 5,
    authorization: {
      checks: [READ_GROUP],
    },
    handle(req: LeaveGroupRequest, ctx): LeaveGroupResponse {
      if (!authFor(services, ctx).allowed("READ", "GROUP", req.groupId)) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
      }
      if (ctx.apiVersion < 3) {
        return {
          throttleTimeMs: 0,
          errorCode: leaveOne(req.groupId, req.memberId, null),
          members: [],
        };
      }
      const members = req.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId ?? null,
        errorCode: leaveOne(req.groupId, m.memberId, m.groupInstanceId ?? null),
      }));
      return { throttleTimeMs: 0, errorCode: 0, members };
    },
  };
}
