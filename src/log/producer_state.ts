/**
 * Idempotent producer bookkeeping for one partition: the epoch and last five batches of every
 * producer id, so a retried batch is answered with its first offset instead of being stored
 * twice, and a gap in sequence numbers is refused with OUT_OF_ORDER_SEQUENCE_NUMBER. For
 * transactional producers also where each one's open transaction began (`txn_first`), which
 * holds the partition's last stable offset back until the transaction's marker is written.
 * @module
 */
import type { ProducerState } from "../metadata/records.ts";

/** How many recent batches per producer are remembered (Kafka's max in-flight for idempotence). */
export const REMEMBERED_BATCHES = 5;

/**
 * Producers remembered per partition (DESIGN.md invariant 8: the partition record, rewritten on
 * every flush, stays small). The least recently used one is forgotten first; a forgotten
 * producer is treated as new, as Kafka treats one whose state expired: any sequence is accepted.
 */
export const MAX_PRODUCERS_PER_PARTITION = 256;

/** The producer fields of a batch being appended. */
export interface ProducerBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastSequence: number;
}

/** What the state says about a batch. */
export type SequenceCheck =
  | { kind: "append" }
  | { kind: "duplicate"; baseOffset: number; lastOffset: number }
  | {
    kind: "error";
    error: "OUT_OF_ORDER_SEQUENCE_NUMBER" | "INVALID_PRODUCER_EPOCH" | "NOT_LEADER_OR_FOLLOWER";
    why: string;
  };

/** Whether `seq` comes after `expected` (by less than half the sequence space, wrapping). */
function isAhead(seq: number, expected: number): boolean {
  const d = (seq - expected + 2147483648) % 2147483648;
  return d > 0 && d < 1073741824;
}

/** Sequence numbers wrap at 2^31 - 1 back to 0. */
function nextSequence(seq: number): number {
  return seq === 2147483647 ? 0 : seq + 1;
}

/**
 * A deep copy of one producer's state. Written out field by field: tables are copied on every
 * flush (sealing and committing), where `structuredClone` showed up as several per cent of the
 * broker's CPU under a saturating producer.
 */
function copyState(s: ProducerState): ProducerState {
  const copy: ProducerState = {
    epoch: s.epoch,
    batches: s.batches.map((b) => ({
      first_seq: b.first_seq,
      last_seq: b.last_seq,
      base_offset: b.base_offset,
      last_offset: b.last_offset,
    })),
  };
  if (s.txn_first !== undefined) copy.txn_first = s.txn_first;
  return copy;
}

/** The per-partition table of producer states. */
export class ProducerTable {
  constructor(private states: Map<number, ProducerState> = new Map()) {}

  /** Loads from the stored record form. */
  static fromRecord(record: Record<string, ProducerState>): ProducerTable {
    const m = new Map<number, ProducerState>();
    for (const [id, s] of Object.entries(record)) m.set(Number(id), copyState(s));
    return new ProducerTable(m);
  }

  /** The stored record form (a deep copy). */
  toRecord(): Record<string, ProducerState> {
    const out: Record<string, ProducerState> = {};
    for (const [id, s] of this.states) out[String(id)] = copyState(s);
    return out;
  }

  /** A deep copy, used to roll back after a failed flush. */
  clone(): ProducerTable {
    return ProducerTable.fromRecord(this.toRecord());
  }

  /** Checks a batch against the producer's state without changing anything. */
  check(b: ProducerBatch): SequenceCheck {
    const s = this.states.get(b.producerId);
    if (!s) return { kind: "append" }; // unknown producer: any starting sequence is accepted
    if (b.producerEpoch < s.epoch) {
      return {
        kind: "error",
        error: "INVALID_PRODUCER_EPOCH",
        why: `producer ${b.producerId}: epoch ${b.producerEpoch} is older than ${s.epoch}`,
      };
    }
    if (b.producerEpoch > s.epoch) {
      return b.baseSequence === 0 ? { kind: "append" } : {
        kind: "error",
        error: "OUT_OF_ORDER_SEQUENCE_NUMBER",
        why:
          `producer ${b.producerId}: a new epoch must start at sequence 0, not ${b.baseSequence}`,
      };
    }
    for (const prev of s.batches) {
      if (prev.first_seq === b.baseSequence && prev.last_seq === b.lastSequence) {
        return { kind: "duplicate", baseOffset: prev.base_offset, lastOffset: prev.last_offset };
      }
    }
    const last = s.batches[s.batches.length - 1];
    if (last && isAhead(b.baseSequence, nextSequence(last.last_seq))) {
      // A gap: batches before this one are missing. Here that only happens when the broker
      // failed them (a flush rolled back) while this one was in flight behind them, and the
      // producer will send them again. OUT_OF_ORDER_SEQUENCE_NUMBER would make librdkafka
      // bump its epoch and resend everything unacknowledged under new sequence numbers, so
      // records whose fate it does not know (stored, answer lost) would be stored twice. A
      // retriable error makes it retry this batch after the missing ones instead.
      return {
        kind: "error",
        error: "NOT_LEADER_OR_FOLLOWER",
        why: `producer ${b.producerId} epoch ${b.producerEpoch}: sequence gap, expected ${
          nextSequence(last.last_seq)
        }, got ${b.baseSequence}; earlier batches failed and must be sent first`,
      };
    }
    if (last && b.baseSequence !== nextSequence(last.last_seq)) {
      return {
        kind: "error",
        error: "OUT_OF_ORDER_SEQUENCE_NUMBER",
        why: `producer ${b.producerId} epoch ${b.producerEpoch}: expected sequence ${
          nextSequence(last.last_seq)
        }, got ${b.baseSequence}`,
      };
    }
    return { kind: "append" };
  }

  /** Records an appended batch. */
  record(b: ProducerBatch, baseOffset: number, lastOffset: number): void {
    let s = this.states.get(b.producerId);
    if (!s || b.producerEpoch > s.epoch) {
      s = {
        epoch: b.producerEpoch,
        batches: [],
        ...(s?.txn_first !== undefined && { txn_first: s.txn_first }),
      };
    }
    this.touch(b.producerId, s);
    s.batches.push({
      first_seq: b.baseSequence,
      last_seq: b.lastSequence,
      base_offset: baseOffset,
      last_offset: lastOffset,
    });
    if (s.batches.length > REMEMBERED_BATCHES) s.batches.shift();
  }

  /**
   * Makes `s` the producer's state, most recently used (a Map keeps insertion order: the first
   * is the one to forget), and forgets the least recently used producer beyond the cap, never
   * one with an open transaction (its first offset holds the last stable offset back).
   */
  private touch(producerId: number, s: ProducerState): void {
    this.states.delete(producerId);
    this.states.set(producerId, s);
    if (this.states.size <= MAX_PRODUCERS_PER_PARTITION) return;
    for (const [id, old] of this.states) {
      if (old.txn_first === undefined) {
        this.states.delete(id);
        return;
      }
    }
  }

  /** Notes that a transactional batch at `offset` was appended: opens the producer's transaction. */
  beginTxn(producerId: number, offset: number): void {
    const s = this.states.get(producerId);
    if (s && s.txn_first === undefined) s.txn_first = offset;
  }

  /**
   * Recovery's `beginTxn`: the producer's transaction began at `offset`, in `epoch`. Creates the
   * producer's state when none is known (the batches that opened the transaction need not be
   * among the remembered ones).
   */
  replayTxnBegin(producerId: number, epoch: number, offset: number): void {
    let s = this.states.get(producerId);
    if (!s || epoch > s.epoch) s = { epoch, batches: [] };
    if (s.txn_first === undefined) s.txn_first = offset;
    this.touch(producerId, s);
  }

  /** Whether the producer has a transaction open on this partition. */
  inTxn(producerId: number): boolean {
    return this.states.get(producerId)?.txn_first !== undefined;
  }

  /**
   * Notes a transaction marker of `producerId` at `epoch`: closes its open transaction and
   * returns where that began (null when none was open). A marker of a newer epoch (the
   * coordinator fenced the producer) moves the producer to that epoch, so a zombie's batches at
   * the old epoch are refused with INVALID_PRODUCER_EPOCH.
   */
  endTxn(producerId: number, epoch: number): number | null {
    let s = this.states.get(producerId);
    const first = s?.txn_first ?? null;
    if (!s || epoch > s.epoch) s = { epoch, batches: [] };
    else delete s.txn_first;
    this.touch(producerId, s);
    return first;
  }

  /** Producers with an open transaction and where each began. */
  openTxns(): { producerId: number; firstOffset: number }[] {
    const out = [];
    for (const [id, s] of this.states) {
      if (s.txn_first !== undefined) out.push({ producerId: id, firstOffset: s.txn_first });
    }
    return out;
  }

  /** The first offset of the oldest open transaction, or null when none is open. */
  firstOpenOffset(): number | null {
    let min: number | null = null;
    for (const s of this.states.values()) {
      if (s.txn_first !== undefined && (min === null || s.txn_first < min)) min = s.txn_first;
    }
    return min;
  }

  /** Number of producers tracked. */
  get size(): number {
    return this.states.size;
  }
}
