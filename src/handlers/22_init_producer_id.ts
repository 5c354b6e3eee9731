/**
 * InitProducerId (key 22), versions 0-5 (librdkafka probes v0 and uses up to v4, Java
 * 3.7/4.x up to v4/v5, franz-go up to v5; kafka-python 2.0.2 does not send it).
 * - v1: no change. v2: flexible. v3: producerId/producerEpoch of an existing producer, whose
 *   epoch is bumped (KIP-360) so it can recover from a sequence error. v4, v5: no change.
 * - Idempotent producers (no transactional id): a new producer id, unique across brokers
 *   sharing the metadata store; with v3+ fields an existing producer's epoch is bumped.
 * - Transactional producers: answered by the transaction coordinator of the id (else
 *   NOT_COORDINATOR): the first call gives a producer id with epoch 0, every later one bumps
 *   the epoch (fencing the previous producer of the id; an Ongoing transaction of it is aborted
 *   first and the call answers CONCURRENT_TRANSACTIONS, retriable), a new producer id when the
 *   epoch is exhausted (src/txn/state.ts). transactionTimeoutMs above
 *   KAFSCALE_TRANSACTION_MAX_TIMEOUT_MS is INVALID_TRANSACTION_TIMEOUT. PRODUCER_FENCED from v4,
 *   INVALID_PRODUCER_EPOCH before.
 * - Authorization (as Kafka): with a transactional id, WRITE on it (else
 *   TRANSACTIONAL_ID_AUTHORIZATION_FAILED); without, IDEMPOTENT_WRITE on the cluster, or WRITE on
 *   at least one topic (KIP-679), else CLUSTER_AUTHORIZATION_FAILED.
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
import { txnCode } from "./_txn.ts";

const MAX_EPOCH = 32767;

/** Builds the InitProducerId handler. */
export function initProducerIdHandler(services: BrokerServices): Handler {
  return {
    schema: InitProducerId,
    minVersion: 0,
    maxVersion: 5,
    authorization: {
      checks: [{
        operation: "WRITE",
        resource: "TRANSACTIONAL_ID",
        names: "transactionalId",
        when: "a transactionalId is given",
        denied: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
      }, {
        operation: "IDEMPOTENT_WRITE",
        resource: "CLUSTER",
        names: "kafka-cluster",
        or: { operation: "WRITE", resource: "TOPIC", names: "any topic" },
        when: "no transactionalId",
        denied: "CLUSTER_AUTHORIZATION_FAILED",
      }],
    },
    async handle(req: InitProducerIdRequest, ctx): Promise<InitProducerIdResponse> {
      const auth = authFor(services, ctx);
      const tid = req.transactionalId;
      if (tid !== null && tid !== "") {
        const refused = (code: number) => ({
          throttleTimeMs: 0,
          errorCode: code,
          producerId: -1,
          producerEpoch: -1,
        });
        if (!auth.allowed("WRITE", "TRANSACTIONAL_ID", tid)) {
          return refused(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        }
        const pid = req.producerId ?? -1;
        const epoch = req.producerEpoch ?? -1;
        const got = await services.txn.initProducerId(tid, {
          timeoutMs: req.transactionTimeoutMs,
          expected: pid >= 0 && epoch >= 0 ? { producerId: pid, producerEpoch: epoch } : null,
        }).catch((e) => ({ error: e }));
        if ("error" in got) {
          return refused(txnCode(got.error, { version: ctx.apiVersion, fencedSince: 4 }));
        }
        return { throttleTimeMs: 0, errorCode: 0, ...got };
      }
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
