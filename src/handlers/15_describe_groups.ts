/**
 * DescribeGroups (key 15), versions 0-5 (kafka-python 2.0.2 up to v3, librdkafka up to v4,
 * Java 3.7/4.x and franz-go up to v5; the spec lists v5).
 * - v1: throttle time. v3: authorized operations (the group's operations the principal may
 *   perform, from the authorizer). v4: group instance ids of members. v5: flexible.
 * - A group that does not exist is reported in the Dead state with no error, as Kafka does;
 *   a group that has only committed offsets is Empty.
 * - Authorization (as Kafka): DESCRIBE on each group, else GROUP_AUTHORIZATION_FAILED for it.
 * @module
 */
import {
  DescribeGroups,
  type DescribeGroupsRequest,
  type DescribeGroupsResponse,
} from "../protocol/messages/15_describe_groups.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { groupErrorCode } from "./_group_errors.ts";
import { NOT_REQUESTED } from "./_authorized_operations.ts";
import { authFor } from "./_authorize.ts";
import { ErrorCode } from "../protocol/errors.ts";

/** Builds the DescribeGroups handler. */
export function describeGroupsHandler(services: BrokerServices): Handler {
  return {
    schema: DescribeGroups,
    minVersion: 0,
    maxVersion: 5,
    authorization: {
      checks: [{
        operation: "DESCRIBE",
        resource: "GROUP",
        names: "groups[]",
        denied: "GROUP_AUTHORIZATION_FAILED",
      }],
    },
    handle(req: DescribeGroupsRequest, ctx): DescribeGroupsResponse {
      const auth = authFor(services, ctx);
      const groups = req.groups.map((groupId) => {
        const base = {
          errorCode: 0,
          groupId,
          groupState: "Dead",
          protocolType: "",
          protocolData: "",
          members: [] as DescribeGroupsResponse["groups"][number]["members"],
          authorizedOperations: NOT_REQUESTED,
        };
        if (!auth.allowed("DESCRIBE", "GROUP", groupId)) {
          return { ...base, groupState: "", errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
        }
        if (req.includeAuthorizedOperations) {
          base.authorizedOperations = auth.operations("GROUP", groupId);
        }
        try {
          services.groups.ready(groupId);
        } catch (e) {
          return { ...base, errorCode: groupErrorCode(e) };
        }
        const g = services.groups.get(groupId);
        if (!g || g.state === "Dead") return base;
        const stable = g.state === "Stable";
        return {
          ...base,
          groupState: g.state,
          protocolType: g.protocolType ?? "",
          protocolData: stable ? g.protocolName ?? "" : "",
          members: [...g.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: stable
              ? m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? new Uint8Array(0)
              : new Uint8Array(0),
            memberAssignment: stable ? m.assignment : new Uint8Array(0),
          })),
        };
      });
      return { throttleTimeMs: 0, groups };
    },
  };
}
