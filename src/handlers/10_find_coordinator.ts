/**
 * FindCoordinator (key 10), versions 0-6 (kafka-python 2.0.2 up to v2, librdkafka up to v2,
 * Java 3.7/4.x up to v4-v6, franz-go up to v5).
 * - v1: key type (0 group, 1 transaction), throttle time, error message. v3: flexible.
 *   v4: batched lookups (coordinatorKeys). v5, v6: no change for groups.
 * - Groups (key type 0) and transactional ids (key type 1): the live broker placement gives the
 *   key to (one coordinator per group or id; the same answer from every broker once they agree
 *   on who is alive). Other key types (share groups) answer INVALID_REQUEST.
 * - The coordinator's address is that of the listener the client connected to; a coordinator
 *   without that listener answers COORDINATOR_NOT_AVAILABLE.
 * - Authorization (as Kafka): DESCRIBE on the group (else GROUP_AUTHORIZATION_FAILED), DESCRIBE
 *   on the transactional id for key type 1 (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 * @module
 */
import {
  FindCoordinator,
  type FindCoordinatorRequest,
  type FindCoordinatorResponse,
} from "../protocol/messages/10_find_coordinator.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { endpointOf, groupKey, txnKey } from "../cluster/membership.ts";
import { authFor, type RequestAuth } from "./_authorize.ts";

/** Builds the FindCoordinator handler. */
export function findCoordinatorHandler(services: BrokerServices): Handler {
  function lookup(key: string, keyType: number, o: { listener: string; auth: RequestAuth }) {
    const listener = o.listener;
    const refused = (code: number, errorMessage: string) => ({
      key,
      nodeId: -1,
      host: "",
      port: -1,
      errorCode: code,
      errorMessage,
    });
    if (keyType === 0 && !o.auth.allowed("DESCRIBE", "GROUP", key)) {
      return refused(ErrorCode.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
    }
    if (keyType === 1 && !o.auth.allowed("DESCRIBE", "TRANSACTIONAL_ID", key)) {
      return refused(
        ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        "Transactional id authorization failed.",
      );
    }
    const b = keyType === 0
      ? services.cluster.ownerOf(groupKey(key))
      : keyType === 1
      ? services.cluster.ownerOf(txnKey(key))
      : undefined;
    const at = b && endpointOf(b, listener);
    if (b && at) {
      return {
        key,
        nodeId: b.nodeId,
        host: at.host,
        port: at.port,
        errorCode: 0,
        errorMessage: null,
      };
    }
    if (b) {
      const message = `the coordinator has no ${listener} listener`;
      return {
        key,
        nodeId: -1,
        host: "",
        port: -1,
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        errorMessage: message,
      };
    }
    const message = `unknown key type ${keyType}`;
    return {
      key,
      nodeId: -1,
      host: "",
      port: -1,
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: message,
    };
  }
  return {
    schema: FindCoordinator,
    minVersion: 0,
    maxVersion: 6,
    authorization: {
      checks: [
        {
          operation: "DESCRIBE",
          resource: "GROUP",
          names: "key (v4+: coordinatorKeys[])",
          when: "keyType 0",
          denied: "GROUP_AUTHORIZATION_FAILED",
        },
        {
          operation: "DESCRIBE",
          resource: "TRANSACTIONAL_ID",
          names: "key (v4+: coordinatorKeys[])",
          when: "keyType 1",
          denied: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
        },
      ],
    },
    handle(req: FindCoordinatorRequest, ctx): FindCoordinatorResponse {
      const keyType = req.keyType ?? 0;
      const o = { listener: ctx.listener, auth: authFor(services, ctx) };
      if (ctx.apiVersion >= 4) {
        return {
          throttleTimeMs: 0,
          coordinators: req.coordinatorKeys.map((k) => lookup(k, keyType, o)),
        };
      }
      const one = lookup(req.key, keyType, o);
      return {
        throttleTimeMs: 0,
        errorCode: one.errorCode,
        errorMessage: one.errorMessage,
        nodeId: one.nodeId,
        host: one.host,
        port: one.port,
      };
    },
  };
}
