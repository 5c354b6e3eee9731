/**
 * DeleteGroups (key 42), versions 0-2 (librdkafka up to v1, Java 3.7/4.x and franz-go up to
 * v2; the spec lists v2).
 * - v1: no change. v2: flexible.
 * - Per group: GROUP_ID_NOT_FOUND when it does not exist, NON_EMPTY_GROUP while it has members.
 *   Removes the group's metadata and committed offsets, never topic data.
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

/** Builds the DeleteGroups handler. */
export function deleteGroupsHandler(services: BrokerServices): Handler {
  return {
    schema: DeleteGroups,
    minVersion: 0,
    maxVersion: 2,
    async handle(req: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
      const results = [];
      for (const groupId of req.groupsNames) {
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
