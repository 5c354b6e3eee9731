/**
 * The transaction coordinator's records in the metadata store, and their keys:
 *
 * - `transactions/<transactional id, URI-encoded>`: TxnRecord, the transaction state of one
 *   transactional id (its producer id and epoch, state, partitions and groups, timeout, start);
 * - `txn_epochs/<transactional id, URI-encoded>`: the coordinator epoch (GroupFence): every
 *   write of a transactional id is conditional on the revision its coordinator's claim made;
 * - `txn_markers/<producer id, 20 digits>/<topic>/<partition>`: MarkerRequest, a marker the
 *   coordinator asked for and the partition's owner has not yet written (it deletes the key
 *   in the commit that makes the marker durable);
 * - `txn_offsets/<group, URI-encoded>/<producer id, 20 digits>/<topic>/<partition>`:
 *   PendingOffset, an offset committed inside a transaction (TxnOffsetCommit), made a group's
 *   committed offset when the transaction commits, dropped when it aborts.
 * @module
 */
import { z } from "zod";

const int = z.number().int();

/** Transaction states, as Kafka names them (DescribeTransactions, ListTransactions). */
export const TXN_STATES = [
  "Empty",
  "Ongoing",
  "PrepareCommit",
  "PrepareAbort",
  "CompleteCommit",
  "CompleteAbort",
] as const;
export type TxnState = typeof TXN_STATES[number];

/** One transactional id's state. */
export const TxnRecordSchema = z.object({
  transactional_id: z.string().min(1),
  producer_id: int.min(0),
  producer_epoch: int.min(0),
  /** The producer id and epoch before the last bump (a retried InitProducerId gets the same). */
  last_producer_id: int.default(-1),
  last_producer_epoch: int.default(-1),
  timeout_ms: int.min(1),
  state: z.enum(TXN_STATES),
  /** Partitions in the transaction, by topic. */
  partitions: z.record(z.string(), z.array(int.min(0))),
  /** Groups whose offsets are in the transaction (AddOffsetsToTxn). */
  groups: z.array(z.string()),
  /** When the transaction began (its first AddPartitionsToTxn or AddOffsetsToTxn), or -1. */
  start_ms: int,
  update_ms: int,
  /** Prepare states: whether every marker request was written (large transactions write them in several steps). */
  markers_written: z.boolean().default(true),
});
export type TxnRecord = z.infer<typeof TxnRecordSchema>;

/** A marker a partition's owner is asked to write. */
export const MarkerRequestSchema = z.object({
  transactional_id: z.string(),
  producer_id: int.min(0),
  producer_epoch: int.min(0),
  commit: z.boolean(),
  coordinator_epoch: int,
});
export type MarkerRequest = z.infer<typeof MarkerRequestSchema>;

/** An offset committed inside a transaction, visible once it commits. */
export const PendingOffsetSchema = z.object({
  transactional_id: z.string(),
  producer_epoch: int,
  offset: int,
  leader_epoch: int,
  metadata: z.string().nullable(),
  commit_ms: int,
});
export type PendingOffset = z.infer<typeof PendingOffsetSchema>;

const pid = (id: number) => String(id).padStart(20, "0");

/** Key builders. */
export const txnKeys = {
  txn: (tid: string) => `transactions/${encodeURIComponent(tid)}`,
  txnsPrefix: () => "transactions/",
  epoch: (tid: string) => `txn_epochs/${encodeURIComponent(tid)}`,
  marker: (producerId: number, topic: string, partition: number) =>
    `txn_markers/${pid(producerId)}/${topic}/${partition}`,
  markersOf: (producerId: number) => `txn_markers/${pid(producerId)}/`,
  markersPrefix: () => "txn_markers/",
  /** Parses a marker key: its producer id, topic and partition. */
  parseMarker(key: string): { producerId: number; topic: string; partition: number } | null {
    const m = /^txn_markers\/(\d{20})\/(.+)\/(\d+)$/.exec(key);
    return m ? { producerId: Number(m[1]), topic: m[2]!, partition: Number(m[3]) } : null;
  },
  pendingOffset: (group: string, producerId: number, topic: string, partition: number) =>
    `txn_offsets/${encodeURIComponent(group)}/${pid(producerId)}/${topic}/${partition}`,
  pendingOf: (group: string, producerId: number) =>
    `txn_offsets/${encodeURIComponent(group)}/${pid(producerId)}/`,
  pendingOfGroup: (group: string) => `txn_offsets/${encodeURIComponent(group)}/`,
  /** Parses a pending-offset key under `pendingOfGroup(group)`: producer, topic, partition. */
  parsePending(rest: string): { producerId: number; topic: string; partition: number } | null {
    const m = /^(\d{20})\/(.+)\/(\d+)$/.exec(rest);
    return m ? { producerId: Number(m[1]), topic: m[2]!, partition: Number(m[3]) } : null;
  },
} as const;
