/**
 * DeleteGroups (key 42), versions 0-2 (librdkafka up to v1, Java 3.7/4.x and franz-go up to
 * v2; the spec lists v2).
 * - v1: no change. v2: flexible.
 * - Per group: GROUP_ID_NOT_FOUND when it does not exist, NON_EMPTY_GROUP while it has members.
 *   Removes the group's metadata and committed offsets, never topic data.
 * - Authorization (as Kafka): DELETE on each group, else GROUP_AUTHORIZATION_FAILED for it.
 * @module
 */
import {
  DeleteGroups,
  type DeleteGroupsRequest,
  type DeleteGroupsResponse,
} from "../protocol/messages/42_delete_groups.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { groupErrorCode } from "./_group_errors.ts";
import { authFor } from "./_authorize.ts";
import { ErrorCode } from "../protocol/errors.ts";

/** Builds the DeleteGroups handler. */
export function deleteGroupsHandler(services: BrokerServices): Handler {
  return {
    schema: DeleteGroups,
    minVersion: 0,
    maxVersion: 2,
    authorization: {
      checks: [{
        operation: "DELETE",
        resource: "GROUP",
        names: "groupsNames[]",
        denied: "GROUP_AUTHORIZATION_FAILED",
      }],
    },
    async handle(req: DeleteGroupsRequest, ctx): Promise<DeleteGroupsResponse> {
      const results = [];
      const deletable = authFor(services, ctx).filter("DELETE", "GROUP", req.groupsNames);
      for (const groupId of req.groupsNames) {
        if (!deletable.has(groupId)) {
          results.push({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
          continue;
        }
        try {
          await services.groups.deleteGroup(groupId);
          results.push({ groupId, errorCode: 0 });
        } catch (e) {
          results.push({ groupId, errorCode: groupErrorCode(e) });
        }
      }
      return { throttleTimeMs: 0, results };
    },
  };
}
