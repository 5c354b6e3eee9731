/**
 * DescribeClientQuotas (key 48), versions 0-1 (Java admin 3.7/4.x: `kafka-configs.sh --describe
 * --entity-type users` asks it before DescribeUserScramCredentials, and fails without it).
 * - v1: flexible.
 * - The broker has no client quotas (nothing throttles), so a valid filter always matches no
 *   entries. A filter naming an entity type other than user, client-id or ip, or a match type
 *   other than 0 (exact), 1 (default) or 2 (any) answers INVALID_REQUEST, as Kafka does.
 * - Authorization (as Kafka): DESCRIBE_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 * @module
 */
import {
  DescribeClientQuotas,
  type DescribeClientQuotasRequest,
  type DescribeClientQuotasResponse,
} from "../protocol/messages/48_describe_client_quotas.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";

const ENTITY_TYPES = new Set(["user", "client-id", "ip"]);

/** Builds the DescribeClientQuotas handler. */
export function describeClientQuotasHandler(services: BrokerServices): Handler {
  return {
    schema: DescribeClientQuotas,
    minVersion: 0,
    maxVersion: 1,
    authorization: {
      checks: [{
        operation: "DESCRIBE_CONFIGS",
        resource: "CLUSTER",
        names: "kafka-cluster",
        denied: "CLUSTER_AUTHORIZATION_FAILED",
      }],
    },
    handle(req: DescribeClientQuotasRequest, ctx): DescribeClientQuotasResponse {
      if (!authFor(services, ctx).cluster("DESCRIBE_CONFIGS")) {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: "Cluster authorization failed.",
          entries: null,
        };
      }
      const bad = req.components.find((c) =>
        !ENTITY_TYPES.has(c.entityType) || c.matchType < 0 || c.matchType > 2
      );
      if (bad) {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: ENTITY_TYPES.has(bad.entityType)
            ? `Unknown match type ${bad.matchType}`
            : `Unknown entity type ${bad.entityType}`,
          entries: null,
        };
      }
      return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, entries: [] };
    },
  };
}
