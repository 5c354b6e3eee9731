/**
 * InitProducerId (key 22), versions 0-5 (librdkafka probes v0 and uses up to v4, Java
 * 3.7/4.x up to v4/v5, franz-go up to v5; kafka-python 2.0.2 does not send it).
 * - v1: no change. v2: flexible. v3: producerId/producerEpoch of an existing producer, whose
 *   epoch is bumped (KIP-360) so it can recover from a sequence error. v4, v5: no change.
 * - Idempotent producers only: a transactional id gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED
 *   (transactions are out of scope). Producer ids are unique across brokers sharing the
 *   metadata store.
 * - Authorization (as Kafka): IDEMPOTENT_WRITE on the cluster, or WRITE on at least one topic
 *   (KIP-679), else CLUSTER_AUTHORIZATION_FAILED.
 * @module
 */
import {
  InitProducerId,
  type InitProducerIdRequest,
  type InitProducerIdResponse,
} from "../protocol/messages/22_init_producer_id.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";

const MAX_EPOCH = 32767;

/** Builds the InitProducerId handler. */
export function initProducerIdHandler(services: BrokerServices): Handler {
  return {
    schema: InitProducerId,
    minVersion: 0,
    maxVersion: 5,
    authorization: {
      checks: [{
        operation: "IDEMPOTENT_WRITE",
        resource: "CLUSTER",
        names: "kafka-cluster",
        or: { operation: "WRITE", resource: "TOPIC", names: "any topic" },
        when: "no transactionalId (transactions answer TRANSACTIONAL_ID_AUTHORIZATION_FAILED)",
        denied: "CLUSTER_AUTHORIZATION_FAILED",
      }],
    },
    async handle(req: InitProducerIdRequest, ctx): Promise<InitProducerIdResponse> {
      if (req.transactionalId !== null && req.transactionalId !== "") {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
          producerId: -1,
          producerEpoch: -1,
        };
      }
      const auth = authFor(services, ctx);
      if (!auth.cluster("IDEMPOTENT_WRITE", true) && !auth.anyOfType("WRITE", "TOPIC")) {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          producerId: -1,
          producerEpoch: -1,
        };
      }
      const pid = req.producerId ?? -1;
      const epoch = req.producerEpoch ?? -1;
      if (pid >= 0 && epoch >= 0 && epoch < MAX_EPOCH - 1) {
        // A client bumps its epoch after a sequence error or a lost request: it then resends
        // what it has not seen acknowledged from sequence 0, so a record the broker had stored
        // may be stored again. Logged so such duplicates can be traced to their cause.
        services.log.warn("Producer epoch bumped (KIP-360)", {
          producerId: pid,
          epoch: epoch + 1,
          client: ctx.remote,
          clientId: ctx.clientId,
        });
        return { throttleTimeMs: 0, errorCode: 0, producerId: pid, producerEpoch: epoch + 1 };
      }
      try {
        const id = await services.producerIds.next();
        return { throttleTimeMs: 0, errorCode: 0, producerId: id, producerEpoch: 0 };
      } catch {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
          producerId: -1,
          producerEpoch: -1,
        };
      }
    },
  };
}
