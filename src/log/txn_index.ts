/**
 * The aborted-transaction index of a partition and its last stable offset (LSO), for
 * read_committed consumers.
 *
 * - **LSO**: the first offset of the oldest transaction still open on the partition (as the
 *   committed producer state says: src/log/producer_state.ts `txn_first`), else the high
 *   watermark. read_committed fetches stop there; ListOffsets answers it for latest.
 * - **Aborted index**: every abort marker leaves an entry (producer, first offset, marker
 *   offset, LSO just after it) on the segment reference of the segment holding the marker
 *   (`SegmentRef.aborted`), so it is as durable as the segment, moves with it into the manifest,
 *   is carried into merged segments and goes with it under retention (a transaction's data is
 *   never newer than its marker). A fetch from offset F whose data ends before U answers the
 *   entries with marker >= F and first offset < U; as in Kafka, the search stops at the first
 *   entry whose LSO reached U: every transaction starting before U had ended by then.
 * - **Outcomes** (`TxnOutcomes`, for compaction): whether an ended transaction's batch aborted.
 * @module
 */
import type { AbortedTxn, SegmentRef } from "../metadata/records.ts";

/** An aborted transaction as Fetch answers it. */
export interface AbortedRange {
  producerId: number;
  firstOffset: number;
}

/**
 * The aborted transactions a read_committed fetch of [from, upper) must report, oldest marker
 * first.
 */
export function collectAborted(
  segments: readonly SegmentRef[],
  from: number,
  upper: number,
): AbortedRange[] {
  const out: AbortedRange[] = [];
  for (let i = firstEndingAtOrAfter(segments, from); i < segments.length; i++) {
    for (const a of segments[i]!.aborted ?? []) {
      if (a.last_offset < from) continue;
      if (a.first_offset < upper) {
        out.push({ producerId: a.producer_id, firstOffset: a.first_offset });
      }
      if (a.lso >= upper) return out;
    }
  }
  return out;
}

/** The aborted entries of the segments wholly inside [base, last] (a merge of them keeps them). */
export function abortedWithin(
  segments: readonly SegmentRef[],
  base: number,
  last: number,
): AbortedTxn[] | undefined {
  const out: AbortedTxn[] = [];
  for (let i = firstEndingAtOrAfter(segments, base); i < segments.length; i++) {
    const s = segments[i]!;
    if (s.base_offset > last) break;
    if (s.base_offset >= base && s.last_offset <= last) out.push(...(s.aborted ?? []));
  }
  return out.length > 0 ? out : undefined;
}

/** Index of the first segment whose last offset is >= `offset` (segments.length: none). */
function firstEndingAtOrAfter(segments: readonly SegmentRef[], offset: number): number {
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid]!.last_offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Which ended transactions aborted, from a partition's aborted index (the entries on its
 * segment references): a producer has one transaction open at a time, so a transactional
 * batch of producer P at offset O aborted exactly when an entry of P spans O (from the
 * transaction's first offset to its abort marker).
 */
export class TxnOutcomes {
  private readonly byProducer = new Map<number, AbortedTxn[]>();

  constructor(entries: Iterable<AbortedTxn>) {
    for (const e of entries) {
      const list = this.byProducer.get(e.producer_id);
      if (list) list.push(e);
      else this.byProducer.set(e.producer_id, [e]);
    }
  }

  /** Whether the transactional batch of `producerId` at `offset` belongs to an aborted one. */
  aborted(producerId: number, offset: number): boolean {
    const list = this.byProducer.get(producerId);
    return !!list && list.some((e) => e.first_offset <= offset && offset <= e.last_offset);
  }
}
