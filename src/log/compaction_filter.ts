/**
 * The record-level rules of a compaction pass (no I/O): which records of a stored batch stay,
 * given the pass's key map. Offsets below `mapEnd` have been mapped (or were compacted
 * before); a record there stays when it is the latest of its key (the map has no later offset
 * for it), except:
 * - a record without a key goes (it cannot be compacted; Kafka's cleaner drops them too);
 * - a tombstone (null value) stays until its batch's delete horizon, set when a pass first keeps
 *   it to `now + delete.retention.ms`, then goes.
 * Records at or after `mapEnd` stay as they are (not mapped yet: the next pass sees them).
 *
 * Transactions, as Kafka's cleaner treats them: a pass maps only below the last stable offset
 * (the compactor's plan ends there), so every transactional batch it sees has ended. A batch of
 * a committed transaction is mapped and filtered like any other (its rebuilt batch stays
 * transactional); a batch of an aborted transaction (`TxnOutcomes`, from the partition's
 * aborted index) is never mapped, so it can never hide a committed record, and goes whole.
 *
 * Batches kept whole, never opened or changed: control batches (transaction markers: the abort
 * index entries and read_committed readers rely on them), and batches whose records do not
 * decompress or decode (every codec is opened; a client's bug could still store such a batch): a
 * record the compactor cannot read is never dropped, and never supersedes another.
 * @module
 */
import { RecordBatchView } from "../protocol/records/record_batch.ts";
import { rebuildBatch, scanRecords } from "../protocol/records/record_scan.ts";
import type { KeyMap } from "./key_map.ts";
import type { TxnOutcomes } from "./txn_index.ts";

/** Records a pass removed, by reason. */
export interface Removed {
  /** A later record of the same key exists. */
  superseded: number;
  /** A tombstone past its delete horizon. */
  tombstones: number;
  /** Records without a key. */
  keyless: number;
  /** Records of aborted transactions. */
  aborted: number;
}

/** What filtering one batch gave. */
export interface Filtered {
  /** The batch to keep (the original bytes when unchanged), or null when none of it stays. */
  bytes: Uint8Array | null;
  changed: boolean;
  /** The delete horizon of a tombstone it keeps below `mapEnd` (null: none). */
  tombstoneDue: number | null;
  /** Whether it was kept whole because its records cannot be read. */
  unreadable: boolean;
}

/** What a pass filters against. */
export interface FilterContext {
  map: KeyMap;
  txns: TxnOutcomes;
  mapEnd: number;
  now: number;
  deleteRetentionMs: number;
  removed: Removed;
}

/**
 * Records of a batch to put into the key map: null when the batch is not mapped (a marker, an
 * aborted transaction's batch, one that cannot be read). Only for batches below the last
 * stable offset (see the module doc).
 */
export function mappableRecords(view: RecordBatchView, txns: TxnOutcomes) {
  if (view.isControl || ofAbortedTxn(view, txns)) return null;
  return readableRecords(view);
}

/** Whether the batch belongs to an aborted transaction. */
function ofAbortedTxn(view: RecordBatchView, txns: TxnOutcomes): boolean {
  return view.isTransactional && txns.aborted(view.producerId, view.baseOffset);
}

/** A batch's records, or null when they cannot be read (kept whole by the filter). */
function readableRecords(view: RecordBatchView) {
  try {
    return scanRecords(view);
  } catch {
    return null; // kept whole by the filter as well
  }
}

/** Filters one stored batch (its bytes) by the rules above. */
export function filterBatch(bytes: Uint8Array, ctx: FilterContext): Filtered {
  const same = { bytes, changed: false, tombstoneDue: null, unreadable: false };
  const view = new RecordBatchView(bytes);
  if (view.isControl || view.baseOffset >= ctx.mapEnd) return same;
  if (ofAbortedTxn(view, ctx.txns)) {
    ctx.removed.aborted += view.recordCount;
    return { bytes: null, changed: true, tombstoneDue: null, unreadable: false };
  }
  const records = readableRecords(view);
  if (records === null) return { ...same, unreadable: true };
  const horizon = view.hasDeleteHorizon ? view.baseTimestamp : ctx.now + ctx.deleteRetentionMs;
  const kept = [];
  let needsHorizon = false;
  let tombstoneDue: number | null = null;
  for (const r of records) {
    if (r.offset >= ctx.mapEnd) {
      kept.push(r);
      continue;
    }
    if (r.key === null) {
      ctx.removed.keyless++;
      continue;
    }
    if (ctx.map.get(r.key) > r.offset) {
      ctx.removed.superseded++;
      continue;
    }
    if (r.tombstone) {
      if (view.hasDeleteHorizon && ctx.now >= horizon) {
        ctx.removed.tombstones++;
        continue;
      }
      needsHorizon ||= !view.hasDeleteHorizon;
      tombstoneDue = horizon;
    }
    kept.push(r);
  }
  if (kept.length === records.length && !needsHorizon) return { ...same, tombstoneDue };
  if (kept.length === 0) return { bytes: null, changed: true, tombstoneDue, unreadable: false };
  const rebuilt = rebuildBatch(view, kept, needsHorizon ? { deleteHorizonMs: horizon } : {});
  return { bytes: rebuilt, changed: true, tombstoneDue, unreadable: false };
}

/** An empty batch with `bytes`'s header and offset range: what stays of a wholly removed range. */
export function placeholderBatch(bytes: Uint8Array): Uint8Array {
  return rebuildBatch(new RecordBatchView(bytes), []);
}
