/**
 * CreateAcls (key 30), versions 0-3 (`kafka-acls.sh --add` of Kafka 3.7 and 4.0, the Java
 * admin, franz-go, librdkafka).
 * - v1: pattern types (v0 creates LITERAL ACLs). v2: flexible. v3: user resource type (refused
 *   here: only TOPIC, GROUP, CLUSTER and TRANSACTIONAL_ID ACLs are authorized).
 * - Each ACL is one record in the metadata store (src/auth/acl_store.ts); every broker sharing
 *   it enforces the ACL within its watch's delay, and this one before it answers. Creating an
 *   ACL that exists changes nothing and succeeds, as Kafka.
 * - One result per creation: INVALID_REQUEST with the reason for an ACL Kafka would refuse (an
 *   empty name, the cluster not named kafka-cluster, a principal not Type:name, ANY/MATCH/UNKNOWN
 *   codes) or over our bounds (names, principals and hosts up to 255 characters);
 *   KAFKA_STORAGE_ERROR when the store fails. For the whole request:
 *   CLUSTER_AUTHORIZATION_FAILED without ALTER on the cluster; SECURITY_DISABLED when
 *   KAFSCALE_AUTHORIZER is not `acl`.
 * - An admin write: each ACL created is logged at info with the principal and the client's
 *   address, and so is a refused request.
 * @module
 */
import {
  CreateAcls,
  type CreateAclsRequest,
  type CreateAclsResponse,
} from "../protocol/messages/30_create_acls.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { bindingFromCodes, describeBinding } from "../auth/acl.ts";
import type { Handler, RequestContext } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { ALTER_CLUSTER } from "./_checks.ts";

/** What the ACL APIs answer when the broker enforces no ACLs (Kafka's message). */
export const NO_AUTHORIZER = "No Authorizer is configured.";

/** The fields of the admin log lines of the ACL APIs. */
export function adminFields(ctx: RequestContext): Record<string, unknown> {
  return { principal: ctx.principal, remote: ctx.remote, client: ctx.clientId };
}

/** Builds the CreateAcls handler. */
export function createAclsHandler(services: BrokerServices): Handler {
  return {
    schema: CreateAcls,
    minVersion: 0,
    maxVersion: 3,
    authorization: {
      checks: [ALTER_CLUSTER],
    },
    async handle(req: CreateAclsRequest, ctx): Promise<CreateAclsResponse> {
      const all = (errorCode: number, errorMessage: string): CreateAclsResponse => ({
        throttleTimeMs: 0,
        results: req.creations.map(() => ({ errorCode, errorMessage })),
      });
      if (!authFor(services, ctx).cluster("ALTER")) {
        services.log.info("CreateAcls refused: no ALTER on the cluster", adminFields(ctx));
        return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, "Cluster authorization failed.");
      }
      const store = services.acls;
      if (!store) return all(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
      const results = [];
      for (const c of req.creations) {
        const binding = bindingFromCodes(c);
        if ("error" in binding) {
          results.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: binding.error });
          continue;
        }
        try {
          const created = await store.create(binding);
          services.log.info(created ? "ACL created" : "ACL exists already", {
            acl: describeBinding(binding),
            ...adminFields(ctx),
          });
          results.push({ errorCode: 0, errorMessage: null });
        } catch (e) {
          results.push({
            errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
            errorMessage: `Cannot store the ACL: ${(e as Error).message}`,
          });
        }
      }
      return { throttleTimeMs: 0, results };
    },
  };
}
