/**
 * ListGroups (key 16), versions 0-5 (kafka-python 2.0.2 up to v2, librdkafka up to v4,
 * Java 3.7 and franz-go 1.16 up to v4; v5 exists from Kafka 3.8; the spec lists v5).
 * - v1: throttle time. v3: flexible. v4: states filter and each group's state.
 *   v5: types filter and each group's type (always "classic": the only protocol served).
 * - No match is an empty list, never an error. Filters compare case-insensitively, as Kafka.
 * - Authorization (as Kafka): DESCRIBE on the cluster lists every group; otherwise only the
 *   groups the principal may DESCRIBE are listed.
 * @module
 */
import {
  ListGroups,
  type ListGroupsRequest,
  type ListGroupsResponse,
} from "../protocol/messages/16_list_groups.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";

/** Builds the ListGroups handler. */
export function listGroupsHandler(services: BrokerServices): Handler {
  return {
    schema: ListGroups,
    minVersion: 0,
    maxVersion: 5,
    authorization: {
      checks: [{
        operation: "DESCRIBE",
        resource: "CLUSTER",
        names: "kafka-cluster",
        or: { operation: "DESCRIBE", resource: "GROUP", names: "each group listed" },
        denied: "left out",
      }],
    },
    handle(req: ListGroupsRequest, ctx): ListGroupsResponse {
      const auth = authFor(services, ctx);
      const everyGroup = !auth.enabled || auth.cluster("DESCRIBE", true);
      const states = new Set(req.statesFilter.map((s) => s.toLowerCase()));
      const types = new Set(req.typesFilter.map((s) => s.toLowerCase()));
      const groups = services.groups.list()
        .filter((g) => g.state !== "Dead")
        .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
        .filter(() => types.size === 0 || types.has("classic"))
        .filter((g) => everyGroup || auth.allowed("DESCRIBE", "GROUP", g.groupId, true))
        .map((g) => ({
          groupId: g.groupId,
          protocolType: g.protocolType ?? "",
          groupState: g.state,
          groupType: "classic",
        }))
        .sort((a, b) => a.groupId.localeCompare(b.groupId));
      return { throttleTimeMs: 0, errorCode: 0, groups };
    },
  };
}
