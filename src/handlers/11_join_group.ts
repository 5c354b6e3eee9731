/**
 * JoinGroup (key 11), versions 0-9 (kafka-python 2.0.2 up to v2, librdkafka up to v5,
 * Java 3.7/4.x up to v9, franz-go up to v9).
 * - v1: rebalance timeout (v0 uses the session timeout). v2: throttle time. v4: a new dynamic
 *   member first gets MEMBER_ID_REQUIRED with its id and must join again with it (KIP-394).
 *   v5: static membership (group.instance.id, KIP-345). v6: flexible. v7: protocol type in the
 *   answer. v8: leave reason (accepted, logged nowhere). v9: skipAssignment for a static
 *   leader that rejoined without changes.
 * - Errors: INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT (outside 6 s - 30 min),
 *   INCONSISTENT_GROUP_PROTOCOL, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
 *   COORDINATOR_LOAD_IN_PROGRESS / NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE.
 * - Authorization (as Kafka): READ on the group, else GROUP_AUTHORIZATION_FAILED.
 * @module
 */
import {
  JoinGroup,
  type JoinGroupRequest,
  type JoinGroupResponse,
} from "../protocol/messages/11_join_group.ts";
import { type Handler, Later } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { groupErrorCode } from "./_group_errors.ts";
import { authFor } from "./_authorize.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { READ_GROUP } from "./_checks.ts";

/** Builds the JoinGroup handler. */
export function joinGroupHandler(services: BrokerServices): Handler {
  const failed = (code: number, memberId: string): JoinGroupResponse => ({
    throttleTimeMs: 0,
    errorCode: code,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: "",
    skipAssignment: false,
    memberId,
    members: [],
  });
  return {
    schema: JoinGroup,
    minVersion: 0,
    maxVersion: 9,
    authorization: {
      checks: [READ_GROUP],
    },
    handle(req: JoinGroupRequest, ctx) {
      const v = ctx.apiVersion;
      if (!authFor(services, ctx).allowed("READ", "GROUP", req.groupId)) {
        return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED, req.memberId);
      }
      try {
        const pending = services.groups.join(req.groupId, {
          memberId: req.memberId,
          groupInstanceId: req.groupInstanceId ?? null,
          clientId: ctx.clientId ?? "",
          clientHost: "/" + ctx.remote.replace(/:\d+$/, ""),
          sessionTimeoutMs: req.sessionTimeoutMs,
          rebalanceTimeoutMs: v >= 1 && req.rebalanceTimeoutMs > 0
            ? req.rebalanceTimeoutMs
            : req.sessionTimeoutMs,
          protocolType: req.protocolType,
          protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
          requireKnownMemberId: v >= 4,
        });
        return new Later(pending.then(
          (r): JoinGroupResponse => ({ throttleTimeMs: 0, ...r }),
          (e) => failed(groupErrorCode(e), req.memberId),
        ));
      } catch (e) {
        return failed(groupErrorCode(e), req.memberId);
      }
    },
  };
}
