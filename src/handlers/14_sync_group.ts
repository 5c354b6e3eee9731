/**
 * SyncGroup (key 14), versions 0-5 (kafka-python 2.0.2 up to v1, librdkafka up to v3,
 * Java 3.7/4.x up to v5, franz-go up to v5).
 * - v1: throttle time. v3: group instance id (fencing). v4: flexible. v5: protocol type and
 *   name, checked against the group's (INCONSISTENT_GROUP_PROTOCOL) and echoed back.
 * - The leader's assignments are stored and handed out exactly as sent (assignors run in the
 *   clients); followers wait until the leader has synced.
 * - Errors: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID.
 * - Authorization (as Kafka): READ on the group, else GROUP_AUTHORIZATION_FAILED.
 * @module
 */
import {
  SyncGroup,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from "../protocol/messages/14_sync_group.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { type Handler, Later } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { groupErrorCode } from "./_group_errors.ts";
import { authFor } from "./_authorize.ts";
import { READ_GROUP } from "./_checks.ts";

/** Builds the SyncGroup handler. */
export function syncGroupHandler(services: BrokerServices): Handler {
  return {
    schema: SyncGroup,
    minVersion: 0,
    maxVersion: 5,
    authorization: {
      checks: [READ_GROUP],
    },
    handle(req: SyncGroupRequest, ctx) {
      const failed = (code: number): SyncGroupResponse => ({
        throttleTimeMs: 0,
        errorCode: code,
        protocolType: null,
        protocolName: null,
        assignment: new Uint8Array(0),
      });
      if (!authFor(services, ctx).allowed("READ", "GROUP", req.groupId)) {
        return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      }
      const group = services.groups.get(req.groupId);
      if (ctx.apiVersion >= 5 && group) {
        const typeOk = req.protocolType === null || req.protocolType === group.protocolType;
        const nameOk = req.protocolName === null || group.protocolName === null ||
          req.protocolName === group.protocolName;
        if (!typeOk || !nameOk) return failed(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      }
      try {
        const pending = services.groups.sync(
          req.groupId,
          req.memberId,
          req.groupInstanceId ?? null,
          req.generationId,
          req.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
        );
        return new Later(pending.then(
          (r): SyncGroupResponse => ({
            throttleTimeMs: 0,
            errorCode: r.errorCode,
            protocolType: group?.protocolType ?? null,
            protocolName: group?.protocolName ?? null,
            assignment: r.assignment,
          }),
          (e) => failed(groupErrorCode(e)),
        ));
      } catch (e) {
        return failed(groupErrorCode(e));
      }
    },
  };
}
