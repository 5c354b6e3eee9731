/**
 * Transactions (section 7 of the shared design): the coordinator of the transactional ids this
 * broker is given (coordinator.ts, state.ts, completion.ts), the writer of the markers the
 * coordinators ask of the partitions this broker owns (markers.ts), and the checks the Produce
 * and TxnOffsetCommit paths make against stored transactions (verify.ts, pending_offsets.ts).
 * Markers, the last stable offset and the aborted index live with the partition logs
 * (src/log/txn_index.ts).
 * @module
 */
import type { MetadataStore } from "../metadata/types.ts";
import type { LogManager } from "../log/log_manager.ts";
import type { TopicRegistry } from "../cluster/topics.ts";
import type { ProducerIdSource } from "../handlers/services.ts";
import type { Logger } from "../metrics/logger.ts";
import type { TxnMetrics } from "../metrics/txn_metrics.ts";
import { KafkaError } from "../protocol/errors.ts";
import { TxnCoordinator } from "./coordinator.ts";
import { MarkerWriter } from "./markers.ts";

export { TxnCoordinator } from "./coordinator.ts";
export { MarkerWriter } from "./markers.ts";

/** What the transaction services need from the broker. */
export interface TransactionDeps {
  meta: MetadataStore;
  logs: LogManager;
  topics: Pick<TopicRegistry, "get">;
  producerIds: ProducerIdSource;
  brokerId: number;
  maxTimeoutMs: number;
  expirationMs: number;
  ownsTxn?(tid: string): boolean;
  ownsPartition?(topic: string, partition: number): boolean;
  log: Logger;
  metrics?: (open: () => number) => TxnMetrics;
}

/** A broker's transaction services. */
export interface Transactions {
  coordinator: TxnCoordinator;
  markers: MarkerWriter;
  /** Placement changed: take over and hand over ids and marker requests. */
  reconcile(): void;
  close(): Promise<void>;
}

/** Whether an error is a partition or id having moved (expected while placement changes). */
function moved(e: unknown): boolean {
  return e instanceof KafkaError && (e.code === 6 || e.code === 16); // NOT_LEADER, NOT_COORDINATOR
}

/** Starts the coordinator and the marker writer. */
export async function startTransactions(d: TransactionDeps): Promise<Transactions> {
  // Set once the coordinator exists (the open-transactions gauge reads it).
  const m: { metrics?: TxnMetrics } = {};
  const coordinator = new TxnCoordinator(d.meta, {
    brokerId: d.brokerId,
    maxTimeoutMs: d.maxTimeoutMs,
    expirationMs: d.expirationMs,
    producerIds: d.producerIds,
    owns: d.ownsTxn,
    onError: (what, e) =>
      moved(e) ? d.log.debug(what, { error: e }) : d.log.warn(what, { error: e }),
    onOutcome(outcome) {
      if (outcome === "timeout") {
        m.metrics?.timeouts.inc();
        d.log.info("transaction timed out: aborting it and fencing its producer");
      } else m.metrics?.outcomes.inc({ outcome });
    },
  });
  m.metrics = d.metrics?.(() => coordinator.openCount);
  const markers = new MarkerWriter(d.meta, d.logs, d.topics, {
    owns: d.ownsPartition,
    onError: (what, e) =>
      moved(e) ? d.log.debug(what, { error: e }) : d.log.warn(what, { error: e }),
    onMarker: (_t, _p, commit) => m.metrics?.markers.inc({ type: commit ? "commit" : "abort" }),
  });
  await coordinator.start();
  try {
    await markers.start();
  } catch (e) {
    await coordinator.close();
    throw e;
  }
  return {
    coordinator,
    markers,
    reconcile() {
      coordinator.reconcile().catch((e) =>
        d.log.warn("loading moved transactions failed", { error: e })
      );
      void markers.rescan();
    },
    async close() {
      await coordinator.close();
      await markers.close();
    },
  };
}
