/**
 * The transaction state machine of one transactional id, as Kafka's coordinator runs it
 * (transactions V1: the epoch is bumped by InitProducerId, by a timeout and by fencing, not by
 * every transaction). Pure functions from a record and a request to the next record or a Kafka
 * error; the coordinator (coordinator.ts) persists what they decide.
 *
 *   (none) --InitProducerId--> Empty --AddPartitions/AddOffsets--> Ongoing
 *   Ongoing --AddPartitions/AddOffsets--> Ongoing
 *   Ongoing --EndTxn(commit)--> PrepareCommit --markers written--> CompleteCommit
 *   Ongoing --EndTxn(abort) | timeout | InitProducerId (fence)--> PrepareAbort
 *   PrepareAbort --markers written--> CompleteAbort
 *   Complete* | Empty --AddPartitions/AddOffsets--> Ongoing (the next transaction)
 *   Complete* | Empty --InitProducerId--> Empty (epoch + 1; a new producer id when exhausted)
 *
 * A timeout or a new producer's InitProducerId aborts an Ongoing transaction with the epoch
 * bumped first: its markers carry the new epoch, so the old producer (a zombie) is fenced on
 * every partition of the transaction as well as at the coordinator (PRODUCER_FENCED).
 * While a transaction is in a Prepare state every request but a retried EndTxn gets
 * CONCURRENT_TRANSACTIONS (retriable): the client retries once the markers are written.
 * @module
 */
import type { ErrorCode } from "../protocol/errors.ts";
import type { TxnRecord } from "./records.ts";

/** A Kafka error name. */
export type TxnError = keyof typeof ErrorCode;

/** The largest producer epoch; at `MAX_EPOCH - 1` the next bump takes a new producer id. */
export const MAX_EPOCH = 32767;

/** A producer as a request names it. */
export interface ProducerRef {
  producerId: number;
  producerEpoch: number;
}

/** What InitProducerId does. */
export type InitPlan =
  | { error: TxnError }
  /** Write `next`; `allocate`: give it a new producer id first (epoch 0). */
  | { next: TxnRecord; allocate: boolean; retry?: false }
  /** A retried bump: answer the record as it is. */
  | { retry: true; record: TxnRecord }
  /** An Ongoing transaction is aborted with a bumped epoch; answer CONCURRENT_TRANSACTIONS. */
  | { fence: TxnRecord };

/** What a change request (AddPartitions, AddOffsets, EndTxn) does. */
export type ChangePlan =
  | { error: TxnError }
  /** Nothing to write (already so). */
  | { unchanged: TxnRecord }
  | { next: TxnRecord };

/** A record for a new transactional id (the producer id is filled in by the coordinator). */
export function fresh(tid: string, timeoutMs: number, now: number): TxnRecord {
  return {
    transactional_id: tid,
    producer_id: 0,
    producer_epoch: 0,
    last_producer_id: -1,
    last_producer_epoch: -1,
    timeout_ms: timeoutMs,
    state: "Empty",
    partitions: {},
    groups: [],
    start_ms: -1,
    update_ms: now,
    markers_written: true,
  };
}

/** Whether the transaction is being completed (markers under way). */
export function isPreparing(r: TxnRecord): boolean {
  return r.state === "PrepareCommit" || r.state === "PrepareAbort";
}

/**
 * InitProducerId for an existing transactional id (`expected`: the v3+ KIP-360 fields of a
 * producer bumping its own epoch, or null for a new producer).
 */
export function planInit(
  r: TxnRecord,
  req: { timeoutMs: number; expected: ProducerRef | null },
  now: number,
): InitPlan {
  const e = req.expected;
  if (e && e.producerId !== r.producer_id && e.producerId !== r.last_producer_id) {
    return { error: "INVALID_PRODUCER_ID_MAPPING" };
  }
  if (isPreparing(r)) return { error: "CONCURRENT_TRANSACTIONS" };
  if (r.state === "Ongoing") return { fence: abortWithBump(r, now) };
  const retried = e !== null && e.producerEpoch === r.last_producer_epoch;
  if (e && e.producerId !== r.producer_id) {
    // The producer id was rotated: only a retry of that rotation is answered.
    return retried ? { retry: true, record: r } : { error: "PRODUCER_FENCED" };
  }
  const base = {
    ...r,
    timeout_ms: req.timeoutMs,
    state: "Empty" as const,
    partitions: {},
    groups: [],
    start_ms: -1,
    update_ms: now,
    markers_written: true,
  };
  const current = !e || e.producerEpoch === r.producer_epoch;
  if (r.producer_epoch >= MAX_EPOCH - 1 && current) {
    const next = {
      ...base,
      producer_epoch: 0,
      last_producer_id: r.producer_id,
      last_producer_epoch: e ? r.producer_epoch : -1,
    };
    return { next, allocate: true };
  }
  if (!current) return retried ? { retry: true, record: r } : { error: "PRODUCER_FENCED" };
  const next = {
    ...base,
    producer_epoch: r.producer_epoch + 1,
    last_producer_epoch: e ? r.producer_epoch : -1,
  };
  return { next, allocate: false };
}

/** The common checks of requests naming the producer: its id and epoch must be current. */
function checkProducer(r: TxnRecord | null, p: ProducerRef): TxnError | null {
  if (!r || r.producer_id !== p.producerId) return "INVALID_PRODUCER_ID_MAPPING";
  if (r.producer_epoch !== p.producerEpoch) return "PRODUCER_FENCED";
  return null;
}

/** AddPartitionsToTxn (`partitions` by topic) or AddOffsetsToTxn (`groups`). */
export function planAdd(
  r: TxnRecord | null,
  req: ProducerRef & { partitions?: Record<string, number[]>; groups?: string[] },
  now: number,
): ChangePlan {
  const bad = checkProducer(r, req);
  if (bad || !r) return { error: bad ?? "INVALID_PRODUCER_ID_MAPPING" };
  if (isPreparing(r)) return { error: "CONCURRENT_TRANSACTIONS" };
  const ongoing = r.state === "Ongoing";
  const partitions: Record<string, number[]> = ongoing ? structuredClone(r.partitions) : {};
  const groups = ongoing ? [...r.groups] : [];
  let added = false;
  for (const [topic, ps] of Object.entries(req.partitions ?? {})) {
    const have = partitions[topic] ?? [];
    for (const p of ps) {
      if (!have.includes(p)) {
        have.push(p);
        added = true;
      }
    }
    if (have.length > 0) partitions[topic] = have.sort((a, b) => a - b);
  }
  for (const g of req.groups ?? []) {
    if (!groups.includes(g)) {
      groups.push(g);
      added = true;
    }
  }
  if (ongoing && !added) return { unchanged: r };
  return {
    next: {
      ...r,
      state: "Ongoing",
      partitions,
      groups,
      start_ms: ongoing ? r.start_ms : now,
      update_ms: now,
    },
  };
}

/** EndTxn: commit or abort. `unchanged` answers a retry of an EndTxn that already completed. */
export function planEnd(
  r: TxnRecord | null,
  req: ProducerRef & { commit: boolean },
  now: number,
): ChangePlan {
  const bad = checkProducer(r, req);
  if (bad || !r) return { error: bad ?? "INVALID_PRODUCER_ID_MAPPING" };
  const c = req.commit;
  switch (r.state) {
    case "Ongoing":
      return { next: prepare(r, c, now) };
    case "CompleteCommit":
      return c ? { unchanged: r } : { error: "INVALID_TXN_STATE" };
    case "CompleteAbort":
      return c ? { error: "INVALID_TXN_STATE" } : { unchanged: r };
    case "PrepareCommit":
      return c ? { error: "CONCURRENT_TRANSACTIONS" } : { error: "INVALID_TXN_STATE" };
    case "PrepareAbort":
      return c ? { error: "INVALID_TXN_STATE" } : { error: "CONCURRENT_TRANSACTIONS" };
    case "Empty":
      return { error: "INVALID_TXN_STATE" };
  }
}

/** An Ongoing transaction past its timeout is aborted (with a bumped epoch: fenced); else null. */
export function planTimeout(r: TxnRecord, now: number): TxnRecord | null {
  if (r.state !== "Ongoing" || now - r.start_ms <= r.timeout_ms) return null;
  return abortWithBump(r, now);
}

/** The Complete state once every marker is written. */
export function completed(r: TxnRecord, now: number): TxnRecord {
  return {
    ...r,
    state: r.state === "PrepareCommit" ? "CompleteCommit" : "CompleteAbort",
    partitions: {},
    groups: [],
    update_ms: now,
    markers_written: true,
  };
}

function prepare(r: TxnRecord, commit: boolean, now: number): TxnRecord {
  return { ...r, state: commit ? "PrepareCommit" : "PrepareAbort", update_ms: now };
}

/** Aborts with the epoch bumped (unless exhausted), fencing the producer that holds it. */
function abortWithBump(r: TxnRecord, now: number): TxnRecord {
  const exhausted = r.producer_epoch >= MAX_EPOCH - 1;
  return {
    ...prepare(r, false, now),
    producer_epoch: exhausted ? r.producer_epoch : r.producer_epoch + 1,
    last_producer_id: -1,
    last_producer_epoch: -1,
  };
}

/** The partitions of a record as (topic, partition) pairs. */
export function partitionList(r: TxnRecord): { topic: string; partition: number }[] {
  return Object.entries(r.partitions).flatMap(([topic, ps]) =>
    ps.map((partition) => ({ topic, partition }))
  );
}
