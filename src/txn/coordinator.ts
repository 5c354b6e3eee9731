/**
 * The transaction coordinator: owns the transactional ids cluster placement gives this broker
 * (`owns`, rendezvous hashing like groups), keeps their records (records.ts) in memory and
 * writes every change through to the metadata store, fenced by the transactional id's
 * coordinator epoch (GroupFence over `txn_epochs/`): a broker that lost an id cannot change its
 * transaction; its write fails and it answers NOT_COORDINATOR.
 *
 * Requests of one transactional id run one at a time; the state machine is state.ts. Ending a
 * transaction writes its Prepare state together with one marker request per partition (one
 * transaction of the metadata store when they fit, else the record first and the requests after,
 * `markers_written` telling a successor which happened); the owners of those partitions write
 * the markers (markers.ts) and delete the requests. Completion (completion.ts) makes the
 * transaction's offsets committed (or drops them), waits until no marker request of the producer
 * is left, and writes the Complete state. A broker that takes over an id (placement moved it,
 * its coordinator died) loads the record and finishes a Prepare state from it; Ongoing
 * transactions past their timeout are aborted with the epoch bumped (the producer is fenced).
 * @module
 */
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import type { KvOp, MetadataStore } from "../metadata/types.ts";
import { decodeRecord, encodeRecord } from "../metadata/records.ts";
import { GroupFence } from "../groups/group_fence.ts";
import type { ProducerIdSource } from "../handlers/services.ts";
import {
  type MarkerRequest,
  MarkerRequestSchema,
  txnKeys,
  type TxnRecord,
  TxnRecordSchema,
} from "./records.ts";
import {
  type ChangePlan,
  fresh,
  isPreparing,
  partitionList,
  planAdd,
  planEnd,
  planInit,
  planTimeout,
  type ProducerRef,
  type TxnError,
} from "./state.ts";
import { Completion } from "./completion.ts";

/** Coordinator settings and hooks. */
export interface TxnCoordinatorOptions {
  brokerId: number;
  /** The largest transaction.timeout.ms a producer may ask for (ms). */
  maxTimeoutMs: number;
  /** How long an idle transactional id (Empty or Complete) is kept (ms). */
  expirationMs: number;
  producerIds: ProducerIdSource;
  /** Whether this broker coordinates a transactional id (absent: every id, one broker). */
  owns?(tid: string): boolean;
  /** How long EndTxn waits for the markers before answering (the outcome is decided). */
  completionWaitMs?: number;
  /** How often timeouts are checked (ms). */
  sweepMs?: number;
  /** How often every record is read to find ids to take over or expire (ms). */
  scanMs?: number;
  now?: () => number;
  onError?(what: string, e: unknown): void;
  /** A transaction ended: committed, aborted, or aborted by its timeout. */
  onOutcome?(outcome: "commit" | "abort" | "timeout"): void;
}

/** One transactional id coordinated here. */
export interface TxnEntry {
  record: TxnRecord | null;
  lock: Promise<void>;
  completing: Promise<void> | null;
}

/** Most marker requests written in the same metadata transaction as their Prepare state. */
const ATOMIC_MARKERS = 100;

/** The transaction coordinator of one broker. */
export class TxnCoordinator {
  private readonly entries = new Map<string, TxnEntry>();
  private readonly loading = new Map<string, Promise<TxnEntry>>();
  private readonly fence: GroupFence;
  private readonly completion: Completion;
  private loaded = false;
  private closed = false;
  private timers: ReturnType<typeof setInterval>[] = [];

  constructor(private readonly meta: MetadataStore, readonly options: TxnCoordinatorOptions) {
    this.fence = new GroupFence(meta, options.brokerId, {
      epochKey: txnKeys.epoch,
      what: "transactional id",
    });
    this.completion = new Completion(meta, this.fence, {
      now: () => this.now(),
      alive: (tid, e) => !this.closed && this.entries.get(tid) === e,
      write: (tid, e, next) => this.write(tid, e, next),
      markerOps: (r) => this.markerOps(r),
      onError: options.onError,
      onOutcome: options.onOutcome,
    });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Loads what placement gives this broker, then sweeps timeouts and rescans periodically. */
  async start(): Promise<void> {
    await this.completion.start();
    // Requests load their id on demand; the scan finds open transactions to time out or finish.
    this.loaded = true;
    await this.reconcile();
    const report = (what: string) => (e: unknown) => this.options.onError?.(what, e);
    this.timers.push(setInterval(() => {
      this.sweep().catch(report("transaction timeout sweep"));
    }, this.options.sweepMs ?? 1000));
    this.timers.push(setInterval(() => {
      this.reconcile().catch(report("transaction scan"));
    }, this.options.scanMs ?? 30_000));
  }

  /** Stops timers and completions (a successor finishes them from the stored state). */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.completion.close();
  }

  /** Whether this broker coordinates `tid`. */
  ownsTxn(tid: string): boolean {
    return this.options.owns?.(tid) ?? true;
  }

  /** Throws the Kafka error that applies while `tid` cannot be served here. */
  ready(tid: string): void {
    if (!tid) throw new KafkaError("INVALID_REQUEST", "the transactional id is empty");
    if (!this.loaded) throw new KafkaError("COORDINATOR_LOAD_IN_PROGRESS");
    if (!this.ownsTxn(tid)) throw new KafkaError("NOT_COORDINATOR");
  }

  /** Open transactions coordinated here (Ongoing or being completed). */
  get openCount(): number {
    let n = 0;
    for (const e of this.entries.values()) {
      if (e.record && (e.record.state === "Ongoing" || isPreparing(e.record))) n++;
    }
    return n;
  }

  /** The entry of `tid`, claiming the id (bumping its coordinator epoch) and loading it once. */
  private entry(tid: string): Promise<TxnEntry> {
    const have = this.entries.get(tid);
    if (have) return Promise.resolve(have);
    let p = this.loading.get(tid);
    if (!p) {
      p = (async () => {
        await this.fence.claim(tid);
        // Read after the claim: the previous coordinator can no longer write.
        const got = await this.meta.get(txnKeys.txn(tid));
        const record = got ? decodeRecord(TxnRecordSchema, got.key, got.value) : null;
        const e: TxnEntry = { record, lock: Promise.resolve(), completing: null };
        this.entries.set(tid, e);
        if (record && isPreparing(record)) this.complete(tid, e);
        return e;
      })().finally(() => this.loading.delete(tid));
      this.loading.set(tid, p);
    }
    return p;
  }

  /** Runs `fn` on `tid`'s entry after every earlier request of the id finished. */
  private async serialized<T>(tid: string, fn: (e: TxnEntry) => Promise<T>): Promise<T> {
    this.ready(tid);
    const e = await this.entry(tid);
    const run = e.lock.then(() => {
      if (this.entries.get(tid) !== e) throw new KafkaError("NOT_COORDINATOR");
      return fn(e);
    });
    e.lock = run.then(() => {}, () => {});
    return await run;
  }

  /** Forgets an id another broker coordinates now. */
  private drop(tid: string): void {
    this.entries.delete(tid);
    this.fence.forget(tid);
  }

  /** Writes `next` (null: deletes the id) with `ops`, fenced; a lost id is dropped. */
  private async write(tid: string, e: TxnEntry, next: TxnRecord | null, ops: KvOp[] = []) {
    const own: KvOp[] = next
      ? [{ type: "put", key: txnKeys.txn(tid), value: encodeRecord(TxnRecordSchema, next) }]
      : [{ type: "delete", key: txnKeys.txn(tid) }, { type: "delete", key: txnKeys.epoch(tid) }];
    try {
      await this.fence.write(tid, [...own, ...ops]);
    } catch (err) {
      if (err instanceof KafkaError && err.code === ErrorCode.NOT_COORDINATOR) this.drop(tid);
      throw err;
    }
    e.record = next;
  }

  /** The marker requests of a Prepare state, one per partition of the transaction. */
  private async markerOps(r: TxnRecord): Promise<KvOp[]> {
    const revision = await this.fence.claim(r.transactional_id);
    const req: MarkerRequest = {
      transactional_id: r.transactional_id,
      producer_id: r.producer_id,
      producer_epoch: r.producer_epoch,
      commit: r.state === "PrepareCommit",
      coordinator_epoch: revision % 2147483647,
    };
    const value = encodeRecord(MarkerRequestSchema, req);
    return partitionList(r).map(({ topic, partition }) => ({
      type: "put" as const,
      key: txnKeys.marker(r.producer_id, topic, partition),
      value,
    }));
  }

  /** Writes a Prepare state with its marker requests (atomically when they fit) and completes it. */
  private async prepare(
    tid: string,
    e: TxnEntry,
    next: TxnRecord,
  ): Promise<{ completing: Promise<void> }> {
    const markers = await this.markerOps(next);
    if (markers.length <= ATOMIC_MARKERS) {
      await this.write(tid, e, { ...next, markers_written: true }, markers);
    } else {
      await this.write(tid, e, { ...next, markers_written: false });
    }
    // (In an object: an async function returning a promise would wait for it.)
    return { completing: this.complete(tid, e) };
  }

  private complete(tid: string, e: TxnEntry): Promise<void> {
    e.completing ??= this.completion.run(tid, e).finally(() => e.completing = null);
    return e.completing;
  }

  /** InitProducerId with a transactional id. */
  initProducerId(
    tid: string,
    req: { timeoutMs: number; expected: ProducerRef | null },
  ): Promise<{ error: TxnError } | ProducerRef> {
    if (req.timeoutMs <= 0 || req.timeoutMs > this.options.maxTimeoutMs) {
      return Promise.resolve({ error: "INVALID_TRANSACTION_TIMEOUT" });
    }
    return this.serialized(tid, async (e) => {
      const now = this.now();
      if (!e.record) {
        const r = { ...fresh(tid, req.timeoutMs, now), producer_id: await this.newProducerId() };
        await this.write(tid, e, r);
        return { producerId: r.producer_id, producerEpoch: r.producer_epoch };
      }
      const plan = planInit(e.record, req, now);
      if ("error" in plan) return plan;
      if ("fence" in plan) {
        await this.prepare(tid, e, plan.fence);
        return { error: "CONCURRENT_TRANSACTIONS" as const };
      }
      if (plan.retry) {
        return { producerId: plan.record.producer_id, producerEpoch: plan.record.producer_epoch };
      }
      const next = plan.allocate
        ? { ...plan.next, producer_id: await this.newProducerId() }
        : plan.next;
      await this.write(tid, e, next);
      return { producerId: next.producer_id, producerEpoch: next.producer_epoch };
    });
  }

  private async newProducerId(): Promise<number> {
    try {
      return await this.options.producerIds.next();
    } catch (e) {
      throw new KafkaError("COORDINATOR_NOT_AVAILABLE", `Cannot allocate a producer id: ${e}`);
    }
  }

  /** AddPartitionsToTxn (`partitions` by topic) or AddOffsetsToTxn (`groups`). */
  add(
    tid: string,
    req: ProducerRef & { partitions?: Record<string, number[]>; groups?: string[] },
  ): Promise<TxnError | null> {
    return this.serialized(tid, async (e) => {
      const plan: ChangePlan = planAdd(e.record, req, this.now());
      if ("error" in plan) return plan.error;
      if ("next" in plan) await this.write(tid, e, plan.next);
      return null;
    });
  }

  /** Whether `partition` of `topic` is in the producer's ongoing transaction (AddPartitions v4 verifyOnly). */
  async contains(tid: string, p: ProducerRef, topic: string, partition: number) {
    return await this.serialized(tid, (e) => {
      const r = e.record;
      const ok = r !== null && r.state === "Ongoing" && r.producer_id === p.producerId &&
        r.producer_epoch === p.producerEpoch && (r.partitions[topic] ?? []).includes(partition);
      return Promise.resolve(ok);
    });
  }

  /** EndTxn; waits (up to `completionWaitMs`) until the markers are written. */
  async endTxn(tid: string, req: ProducerRef & { commit: boolean }): Promise<TxnError | null> {
    const outcome = await this.serialized(tid, async (e) => {
      const plan = planEnd(e.record, req, this.now());
      if ("error" in plan) return plan.error;
      if ("unchanged" in plan) return null;
      return await this.prepare(tid, e, plan.next);
    });
    if (outcome === null || typeof outcome === "string") return outcome;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((r) =>
      timer = setTimeout(r, this.options.completionWaitMs ?? 5000)
    );
    await Promise.race([outcome.completing.catch(() => {}), waited]);
    clearTimeout(timer);
    return null;
  }

  /** The record of `tid`, or null when it has none (DescribeTransactions). */
  describe(tid: string): Promise<TxnRecord | null> {
    return this.serialized(tid, (e) => Promise.resolve(e.record));
  }

  /** Every transactional id this broker coordinates, as stored (ListTransactions). */
  async list(): Promise<TxnRecord[]> {
    const out: TxnRecord[] = [];
    for (const got of await this.meta.getPrefix(txnKeys.txnsPrefix())) {
      const stored = decodeRecord(TxnRecordSchema, got.key, got.value);
      const tid = stored.transactional_id;
      if (!this.ownsTxn(tid)) continue;
      const e = this.entries.get(tid);
      out.push(e?.record ?? stored);
    }
    return out;
  }

  /** Aborts Ongoing transactions past their timeout and restarts stalled completions. */
  async sweep(): Promise<void> {
    const now = this.now();
    for (const [tid, e] of [...this.entries]) {
      const r = e.record;
      if (!r || !this.ownsTxn(tid)) continue;
      if (isPreparing(r) && !e.completing) this.complete(tid, e);
      if (!planTimeout(r, now)) continue;
      await this.serialized(tid, async (e2) => {
        const next = e2.record && planTimeout(e2.record, this.now());
        if (!next) return;
        this.options.onOutcome?.("timeout");
        await this.prepare(tid, e2, next);
      }).catch((err) => this.options.onError?.(`abort timed-out transaction ${tid}`, err));
    }
  }

  /**
   * Drops ids placement moved away; loads the open transactions of ids it brought here (to time
   * them out or finish them) and expires ids idle past `expirationMs`.
   */
  async reconcile(): Promise<void> {
    for (const tid of [...this.entries.keys()]) if (!this.ownsTxn(tid)) this.drop(tid);
    const now = this.now();
    for (const got of await this.meta.getPrefix(txnKeys.txnsPrefix())) {
      if (this.closed) return;
      const r = decodeRecord(TxnRecordSchema, got.key, got.value);
      const tid = r.transactional_id;
      if (!this.ownsTxn(tid)) continue;
      const open = r.state === "Ongoing" || isPreparing(r);
      if (open && !this.entries.has(tid)) {
        await this.entry(tid).catch((e) => this.options.onError?.(`load transaction ${tid}`, e));
      } else if (!open && now - r.update_ms > this.options.expirationMs) {
        await this.expire(tid).catch((e) => this.options.onError?.(`expire ${tid}`, e));
      }
    }
  }

  private async expire(tid: string): Promise<void> {
    await this.serialized(tid, async (e) => {
      const r = e.record;
      if (!r || r.state === "Ongoing" || isPreparing(r)) return;
      if (this.now() - r.update_ms <= this.options.expirationMs) return;
      await this.write(tid, e, null);
      this.drop(tid);
    });
  }
}
