/**
 * ListGroups (key 16), versions 0-5 (kafka-python 2.0.2 up to v2, librdkafka up to v4,
 * Java 3.7 and franz-go 1.16 up to v4; v5 exists from Kafka 3.8; the spec lists v5).
 * - v1: throttle time. v3: flexible. v4: states filter and each group's state.
 *   v5: types filter and each group's type (always "classic": the only protocol served).
 * - No match is an empty list, never an error. Filters compare case-insensitively, as Kafka.
 * @module
 */
import {
  ListGroups,
  type ListGroupsRequest,
  type ListGroupsResponse,
} from "../protocol/messages/16_list_groups.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";

/** Builds the ListGroups handler. */
export function listGroupsHandler(services: BrokerServices): Handler {
  return {
    schema: ListGroups,
    minVersion: 0,
    maxVersion: 5,
    handle(req: ListGroupsRequest): ListGroupsResponse {
      const states = new Set(req.statesFilter.map((s) => s.toLowerCase()));
      const types = new Set(req.typesFilter.map((s) => s.toLowerCase()));
      const groups = services.groups.list()
        .filter((g) => g.state !== "Dead")
        .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
        .filter(() => types.size === 0 || types.has("classic"))
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
