/**
 * Verification of a transactional producer's first batch on a partition (as Kafka's KIP-890
 * part 1 does it, against the stored transaction instead of an extra request): the partition
 * must be in the producer's Ongoing transaction, with this producer id and epoch, before the
 * batch may open a transaction there. A batch that was never added (a zombie of an aborted or
 * timed-out transaction, a client bug) would otherwise open a transaction no marker will ever
 * close, holding the partition's last stable offset back forever. The record is read from the
 * metadata store (the coordinator wrote it through before answering AddPartitionsToTxn), one
 * read per transaction and partition; later batches of the same transaction skip it.
 * @module
 */
import type { MetadataStore } from "../metadata/types.ts";
import { decodeRecord } from "../metadata/records.ts";
import { txnKeys, TxnRecordSchema } from "./records.ts";
import type { TxnError } from "./state.ts";

/** Why a transactional batch may not open a transaction on the partition, or null. */
export async function verifyTxnPartition(
  meta: MetadataStore,
  b: { tid: string; producerId: number; producerEpoch: number; topic: string; partition: number },
): Promise<{ error: TxnError; why: string } | null> {
  const got = await meta.get(txnKeys.txn(b.tid));
  const r = got ? decodeRecord(TxnRecordSchema, got.key, got.value) : null;
  if (!r || r.producer_id !== b.producerId) {
    return {
      error: "INVALID_PRODUCER_ID_MAPPING",
      why: `producer ${b.producerId} is not the producer of transactional id ${b.tid}`,
    };
  }
  if (b.producerEpoch < r.producer_epoch) {
    return {
      error: "INVALID_PRODUCER_EPOCH",
      why: `producer ${b.producerId}: epoch ${b.producerEpoch} is older than ${r.producer_epoch}`,
    };
  }
  const added = (r.partitions[b.topic] ?? []).includes(b.partition);
  if (r.state !== "Ongoing" || r.producer_epoch !== b.producerEpoch || !added) {
    return {
      error: "INVALID_TXN_STATE",
      why: `${b.topic}-${b.partition} is not in an ongoing transaction of ${b.tid} ` +
        `(state ${r.state}, epoch ${r.producer_epoch})`,
    };
  }
  return null;
}

/** Why a TxnOffsetCommit may not store offsets for `group` in the transaction, or null. */
export async function verifyTxnGroup(
  meta: MetadataStore,
  b: { tid: string; producerId: number; producerEpoch: number; group: string },
): Promise<{ error: TxnError; why: string } | null> {
  const got = await meta.get(txnKeys.txn(b.tid));
  const r = got ? decodeRecord(TxnRecordSchema, got.key, got.value) : null;
  if (!r || r.producer_id !== b.producerId) {
    return { error: "INVALID_PRODUCER_ID_MAPPING", why: `not the producer of ${b.tid}` };
  }
  if (b.producerEpoch !== r.producer_epoch) {
    return { error: "INVALID_PRODUCER_EPOCH", why: `epoch ${b.producerEpoch} is not current` };
  }
  if (r.state !== "Ongoing" || !r.groups.includes(b.group)) {
    return {
      error: "INVALID_TXN_STATE",
      why: `group ${b.group} is not in an ongoing transaction of ${b.tid} (state ${r.state})`,
    };
  }
  return null;
}
