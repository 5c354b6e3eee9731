/**
 * DescribeAcls (key 29), versions 0-3 (`kafka-acls.sh --list` of Kafka 3.7 and 4.0, the Java
 * admin, franz-go, librdkafka).
 * - v1: pattern types (v0 filters and answers LITERAL ACLs only). v2: flexible. v3: user
 *   resource type (no field change; USER ACLs are not stored here, so they match nothing).
 * - Answers the ACLs one filter matches (src/auth/acl.ts: ANY, MATCH, exact fields), grouped by
 *   resource pattern, from the broker's mirror of the metadata store (current within the
 *   watch's delay).
 * - Errors (top level): CLUSTER_AUTHORIZATION_FAILED without DESCRIBE on the cluster;
 *   SECURITY_DISABLED when KAFSCALE_AUTHORIZER is not `acl`; INVALID_REQUEST for a filter with
 *   UNKNOWN codes.
 * @module
 */
import {
  DescribeAcls,
  type DescribeAclsRequest,
  type DescribeAclsResponse,
} from "../protocol/messages/29_describe_acls.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { bindingCodes, filterFromCodes } from "../auth/acl.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { NO_AUTHORIZER } from "./30_create_acls.ts";
import { DESCRIBE_CLUSTER } from "./_checks.ts";

/** Builds the DescribeAcls handler. */
export function describeAclsHandler(services: BrokerServices): Handler {
  const failed = (code: number, errorMessage: string): DescribeAclsResponse => ({
    throttleTimeMs: 0,
    errorCode: code,
    errorMessage,
    resources: [],
  });
  return {
    schema: DescribeAcls,
    minVersion: 0,
    maxVersion: 3,
    authorization: {
      checks: [DESCRIBE_CLUSTER],
    },
    handle(req: DescribeAclsRequest, ctx): DescribeAclsResponse {
      if (!authFor(services, ctx).cluster("DESCRIBE")) {
        return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, "Cluster authorization failed.");
      }
      if (!services.acls) return failed(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
      const filter = filterFromCodes(req);
      if ("error" in filter) return failed(ErrorCode.INVALID_REQUEST, filter.error);
      const resources = new Map<string, DescribeAclsResponse["resources"][number]>();
      const sorted = services.acls.list(filter).map(bindingCodes).sort((a, b) =>
        a.resourceType - b.resourceType || a.resourcePatternType - b.resourcePatternType ||
        a.resourceName.localeCompare(b.resourceName) || a.principal.localeCompare(b.principal) ||
        a.host.localeCompare(b.host) || a.operation - b.operation ||
        a.permissionType - b.permissionType
      );
      for (const b of sorted) {
        const key = `${b.resourceType}\0${b.resourcePatternType}\0${b.resourceName}`;
        const r = resources.get(key) ?? {
          resourceType: b.resourceType,
          resourceName: b.resourceName,
          patternType: b.resourcePatternType,
          acls: [],
        };
        r.acls.push({
          principal: b.principal,
          host: b.host,
          operation: b.operation,
          permissionType: b.permissionType,
        });
        resources.set(key, r);
      }
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        resources: [...resources.values()],
      };
    },
  };
}
