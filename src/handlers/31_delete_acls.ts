/**
 * DeleteAcls (key 31), versions 0-3 (`kafka-acls.sh --remove` of Kafka 3.7 and 4.0, the Java
 * admin, franz-go, librdkafka).
 * - v1: pattern types (v0 filters match LITERAL ACLs only). v2: flexible. v3: user resource
 *   type (no field change).
 * - Each filter deletes the ACLs it matches (src/auth/acl.ts: ANY, MATCH, exact fields) and
 *   answers them; every broker stops enforcing them within its watch's delay, this one before
 *   it answers. A filter matching nothing answers an empty list.
 * - Per filter: INVALID_REQUEST for UNKNOWN codes, KAFKA_STORAGE_ERROR when the store fails. For
 *   the whole request: CLUSTER_AUTHORIZATION_FAILED without ALTER on the cluster;
 *   SECURITY_DISABLED when KAFSCALE_AUTHORIZER is not `acl`.
 * - An admin write: each ACL deleted is logged at info with the principal and the client's
 *   address, and so is a refused request.
 * @module
 */
import {
  DeleteAcls,
  type DeleteAclsRequest,
  type DeleteAclsResponse,
} from "../protocol/messages/31_delete_acls.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { type AclBinding, bindingCodes, describeBinding, filterFromCodes } from "../auth/acl.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { adminFields, NO_AUTHORIZER } from "./30_create_acls.ts";
import { ALTER_CLUSTER } from "./_checks.ts";

type FilterResult = DeleteAclsResponse["filterResults"][number];

function matching(b: AclBinding): FilterResult["matchingAcls"][number] {
  const c = bindingCodes(b);
  return {
    errorCode: 0,
    errorMessage: null,
    resourceType: c.resourceType,
    resourceName: c.resourceName,
    patternType: c.resourcePatternType,
    principal: c.principal,
    host: c.host,
    operation: c.operation,
    permissionType: c.permissionType,
  };
}

/** Builds the DeleteAcls handler. */
export function deleteAclsHandler(services: BrokerServices): Handler {
  return {
    schema: DeleteAcls,
    minVersion: 0,
    maxVersion: 3,
    authorization: {
      checks: [ALTER_CLUSTER],
    },
    async handle(req: DeleteAclsRequest, ctx): Promise<DeleteAclsResponse> {
      const all = (errorCode: number, errorMessage: string): DeleteAclsResponse => ({
        throttleTimeMs: 0,
        filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
      });
      if (!authFor(services, ctx).cluster("ALTER")) {
        services.log.info("DeleteAcls refused: no ALTER on the cluster", adminFields(ctx));
        return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, "Cluster authorization failed.");
      }
      const store = services.acls;
      if (!store) return all(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
      const filterResults: FilterResult[] = [];
      for (const f of req.filters) {
        const filter = filterFromCodes(f);
        if ("error" in filter) {
          filterResults.push({
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: filter.error,
            matchingAcls: [],
          });
          continue;
        }
        try {
          const deleted = await store.delete(filter);
          for (const b of deleted) {
            services.log.info("ACL deleted", { acl: describeBinding(b), ...adminFields(ctx) });
          }
          filterResults.push({
            errorCode: 0,
            errorMessage: null,
            matchingAcls: deleted.map(matching),
          });
        } catch (e) {
          filterResults.push({
            errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
            errorMessage: `Cannot delete ACLs: ${(e as Error).message}`,
            matchingAcls: [],
          });
        }
      }
      return { throttleTimeMs: 0, filterResults };
    },
  };
}
