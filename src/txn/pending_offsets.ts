/**
 * Offsets committed inside transactions and not yet settled, as OffsetFetch with requireStable
 * (KIP-447, read_committed consumers) must see them: a partition with a pending offset of a
 * transaction still open (Ongoing with the group in it, or being completed) answers
 * UNSTABLE_OFFSET_COMMIT, so a consumer taking over the partition waits for the outcome instead
 * of starting from the offset before it. A pending entry whose transaction is over (a zombie's
 * late write) does not count.
 * @module
 */
import type { MetadataStore } from "../metadata/types.ts";
import { decodeRecord } from "../metadata/records.ts";
import { isPreparing } from "./state.ts";
import { PendingOffsetSchema, txnKeys, type TxnRecord, TxnRecordSchema } from "./records.ts";

/** `topic\0partition` of every partition of the group with an offset of an open transaction. */
export async function unstablePartitions(meta: MetadataStore, group: string): Promise<Set<string>> {
  const out = new Set<string>();
  const prefix = txnKeys.pendingOfGroup(group);
  const pending = await meta.getPrefix(prefix);
  if (pending.length === 0) return out;
  const records = new Map<string, TxnRecord | null>();
  for (const e of pending) {
    const at = txnKeys.parsePending(e.key.slice(prefix.length));
    if (!at) continue;
    const p = decodeRecord(PendingOffsetSchema, e.key, e.value);
    let r = records.get(p.transactional_id);
    if (r === undefined) {
      const got = await meta.get(txnKeys.txn(p.transactional_id));
      r = got ? decodeRecord(TxnRecordSchema, got.key, got.value) : null;
      records.set(p.transactional_id, r);
    }
    const open = r !== null && r.producer_id === at.producerId &&
      r.producer_epoch === p.producer_epoch &&
      ((r.state === "Ongoing" && r.groups.includes(group)) || isPreparing(r));
    if (open) out.add(`${at.topic}\u0000${at.partition}`);
  }
  return out;
}
