/**
 * One partition's log, with this broker as its single writer (DESIGN.md invariants 1, 2, 5).
 *
 * States of the writer: `open` (holds the leader epoch) -> `fenced` (another broker took the
 * epoch; every call fails NOT_LEADER_OR_FOLLOWER) or `closed`.
 *
 * Produce: `append` assigns offsets in memory at once (so a connection's order is kept) and
 * returns a promise that settles when the flush holding the batch commits. `flush` uploads the
 * pending batches as one immutable segment (through the shared uploader, which packs the
 * segments of partitions flushing together into one object), then commits the new log end in
 * one metadata transaction conditional on the partition record's revision (which changes only
 * through this writer while it holds the epoch). A failed flush fails every waiting producer
 * and rolls the offsets back, so nothing is acknowledged that is not durable.
 *
 * Retention and DeleteRecords move the log start offset forward, dropping whole segments in
 * the same fenced kind of transaction (`applyRetention`, `deleteRecords`). Rolls and compaction
 * rewrite the oldest segments through one fenced swap (`replaceSegments`, segment_swap.ts).
 *
 * Read: see segment_reader.ts (cache, one ranged GET per segment, read-ahead).
 * @module
 */
import { KafkaError } from "../protocol/errors.ts";
import { setBaseOffset, setPartitionLeaderEpoch } from "../protocol/records/record_batch.ts";
import type { ObjectStore } from "../object_store/types.ts";
import type { KvOp, MetadataStore } from "../metadata/types.ts";
import {
  type AbortedTxn,
  type CompactionState,
  decodeRecord,
  encodeRecord,
  keys,
  type PartitionState,
  PartitionStateSchema,
  type ProducerState,
  type SegmentRef,
  SegmentRefSchema,
} from "../metadata/records.ts";
import { encodeSegment, parseOwnSegment, type Segment } from "./segment_format.ts";
import { cacheKey, SegmentReader } from "./segment_reader.ts";
import { retentionCut, type RetentionRule } from "./retention.ts";
import { claimPartition, committedSegments, type SegmentList } from "./partition_claim.ts";
import {
  MAX_MOVED_PER_ROLL,
  prepareRoll,
  ROLL_AT_TAIL_KEYS,
  writeManifest,
} from "./manifest_roll.ts";
import type { SegmentCache } from "./segment_cache.ts";
import type { SegmentSwap, SwapView, UploadAbout } from "./segment_swap.ts";
import type { SegmentUploader } from "./segment_uploader.ts";
import type { CommitBatcher } from "./commit_batcher.ts";
import { type ProducerBatch, ProducerTable } from "./producer_state.ts";
import { type BatchSummary, summarizeBatches } from "./object_index.ts";
import { type AbortedRange, abortedWithin, collectAborted } from "./txn_index.ts";

/** A flush under way (see `PartitionLog.beginFlush`). */
export interface FlushProgress {
  /** Whether this call sealed a segment (false: nothing to seal, or it must wait). */
  sealed: boolean;
  /** Settles when the flush's segment is in the object store (or its upload failed). */
  uploaded: Promise<unknown>;
  /** Resolves when the flush has committed; rejects when it failed. */
  committed: Promise<void>;
}

/** A validated record batch ready to append (header fields already read). */
export interface IncomingBatch {
  bytes: Uint8Array;
  lastOffsetDelta: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Written inside a transaction (attribute bit 4): opens the producer's transaction here. */
  transactional?: boolean;
  /** A transaction marker the broker writes (a control batch): ends the producer's transaction. */
  marker?: { commit: boolean };
  /** Metadata writes committed in the same transaction as the flush holding this batch. */
  commitOps?: KvOp[];
}

/** A segment retention deleted, and the rule that deleted it. */
export interface RetentionDeletion {
  segment: SegmentRef;
  rule: RetentionRule;
}

/** The answer to an append. */
export interface AppendResult {
  baseOffset: number;
  /** Settles when the batch is durable (resolves) or lost (rejects with a KafkaError). */
  durable: Promise<void>;
}

/** What a read returns. */
export interface ReadResult {
  records: Uint8Array | null;
  highWatermark: number;
  logStartOffset: number;
  /** read_committed reads: the aborted transactions among the records (txn_index.ts). */
  abortedTransactions?: AbortedRange[];
}

/**
 * How long a writer keeps trying to read a partition record back after a flush commit whose
 * answer was lost, before it answers the producers with an error (their records' fate unknown).
 */
export const LOST_COMMIT_READ_BACK_MS = 10_000;

/** Everything a partition log needs from the broker. */
export interface PartitionDeps {
  objects: ObjectStore;
  meta: MetadataStore;
  cache: SegmentCache;
  uploader: SegmentUploader;
  /** Group commit of this broker's fenced partition transactions. */
  committer: Pick<CommitBatcher, "commit">;
  brokerId: number;
  /** The cluster's key prefix in the bucket. */
  namespace: string;
  /** Segments every read starts loading ahead of the reader. */
  readaheadSegments?: number;
  /**
   * An upload older than this (ms) is never committed: the garbage collector may already
   * consider its object unreferenced (it waits twice as long).
   */
  commitDeadlineMs?: number;
  /** How long to try reading back after a lost flush commit (LOST_COMMIT_READ_BACK_MS). */
  lostCommitReadBackMs?: number;
  now?: () => number;
}

/** Flushes of one partition that may be uploading at once (their commits stay in order). */
const MAX_SEALED = 4;

/** A flush between sealing and commit. */
interface SealedFlush {
  batch: Pending[];
  bytes: Uint8Array;
  uploaded: Promise<{ ref: SegmentRef; startedMs: number }>;
  /** Producer state including this flush's batches (committed with it). */
  producers: ProducerTable;
  generation: number;
}

interface Pending {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  bytes: Uint8Array;
  resolve: () => void;
  reject: (e: unknown) => void;
  /** The transaction this batch's abort marker ended. */
  aborted?: AbortedTxn;
  ops?: KvOp[];
}

/** A partition's writer and reader. */
export class PartitionLog {
  private pending: Pending[] = [];
  private pendingBytes = 0;
  /** Sealed flushes not yet committed, oldest first: their batches in offset order. */
  private sealed: Pending[][] = [];
  private lastFlush: Promise<void> = Promise.resolve();
  /** Bumped by every roll-back: a flush sealed before it must not commit. */
  private generation = 0;
  private lastRollBack = new KafkaError("NOT_LEADER_OR_FOLLOWER", "rolled back; retry");
  private nextOffset: number;
  private producers: ProducerTable;
  private committedProducers: ProducerTable;
  private waiters: Array<() => void> = [];
  private status: "open" | "fenced" | "closed" = "open";
  private lock: Promise<void> = Promise.resolve();
  /** Set when a commit failed in a way that may still have applied it (see `resync`). */
  private uncertain = false;
  /** Segment rewrites running (one of each kind at a time). */
  private readonly jobs = new Set<"roll" | "compact">();
  /** The first segments a compaction pass is rewriting: rolls do not merge them. */
  private reserved = 0;
  /** Uploads made by this writer (its epoch), numbered in the objects' indexes. */
  private uploads = 0;
  private readonly reader: SegmentReader;
  /** Committed segments, ascending: the manifest's `inManifest` first, then the tail keys'. */
  private segments: SegmentRef[];
  private inManifest: number;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    private state: PartitionState,
    private revision: number,
    list: SegmentList,
    private readonly deps: PartitionDeps,
  ) {
    this.segments = list.segments;
    this.inManifest = list.inManifest;
    this.nextOffset = state.log_end_offset;
    this.reader = new SegmentReader(deps.objects, deps.cache, deps.readaheadSegments);
    this.committedProducers = ProducerTable.fromRecord(state.producers);
    this.producers = this.committedProducers.clone();
  }

  /**
   * Takes ownership of a partition: bumps the leader epoch (fencing any previous writer) and
   * loads the committed segment list. Creates the partition record when it does not exist.
   */
  static async open(
    topic: string,
    topicId: string,
    partition: number,
    deps: PartitionDeps,
  ): Promise<PartitionLog> {
    const at = { topic, topicId, partition, brokerId: deps.brokerId };
    const { state, revision, ...list } = await claimPartition(deps, at);
    return new PartitionLog(topic, partition, state, revision, list, deps);
  }

  /** Whether this writer still takes appends (neither fenced nor closed). */
  get isOpen(): boolean {
    return this.status === "open";
  }
  /** Whether another writer took the partition (this one can no longer commit). */
  get isFenced(): boolean {
    return this.status === "fenced";
  }
  /** The leader epoch this writer holds. */
  get leaderEpoch(): number {
    return this.state.leader_epoch;
  }
  /** First offset still readable. */
  get logStartOffset(): number {
    return this.state.log_start_offset;
  }
  /** Offset after the last durable record (what consumers may read up to). */
  get highWatermark(): number {
    return this.state.log_end_offset;
  }
  /**
   * The last stable offset: below it every transaction has ended (read_committed reads stop
   * there). The first offset of the oldest transaction open in committed state, else the high
   * watermark.
   */
  get lastStableOffset(): number {
    const open = this.committedProducers.firstOpenOffset();
    return open === null ? this.state.log_end_offset : Math.min(open, this.state.log_end_offset);
  }
  /** Whether the producer has a transaction open here (appended, maybe not yet durable). */
  inTransaction(producerId: number): boolean {
    return this.producers.inTxn(producerId);
  }
  /** The committed producer state (DescribeProducers): epochs, last batches, open transactions. */
  producerStates(): Record<string, ProducerState> {
    return this.committedProducers.toRecord();
  }
  /** (epoch, start offset) history, ascending. */
  get epochHistory(): ReadonlyArray<{ epoch: number; start_offset: number }> {
    return this.state.epoch_history;
  }
  /** Bytes waiting for the next flush. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }
  /** Bytes held until their flush commits: pending and sealed (uploading or committing). */
  get unflushedBytes(): number {
    let n = this.pendingBytes;
    for (const f of this.sealed) for (const p of f) n += p.bytes.byteLength;
    return n;
  }
  /** Committed segments, ascending (read-only view for retention and ListOffsets). */
  get committedSegments(): readonly SegmentRef[] {
    return this.segments;
  }
  /** Segment references kept as keys in the metadata store (the rest are in the manifest). */
  get tailKeys(): number {
    return this.segments.length - this.inManifest;
  }
  /** Where compaction stands (undefined: never compacted). */
  get compactionState(): Readonly<CompactionState> | undefined {
    return this.state.compaction;
  }

  private ensureOpen(): void {
    if (this.status === "fenced") {
      throw new KafkaError("NOT_LEADER_OR_FOLLOWER", `${this.topic}-${this.partition} is fenced`);
    }
    if (this.status === "closed") {
      throw new KafkaError("NOT_LEADER_OR_FOLLOWER", `${this.topic}-${this.partition} is closed`);
    }
  }

  /** Appends batches (all or nothing); offsets are assigned now, durability comes with a flush. */
  append(batches: readonly IncomingBatch[]): AppendResult {
    this.ensureOpen();
    const durable: Promise<void>[] = [];
    let firstOffset = -1;
    for (const b of batches) {
      const pb: ProducerBatch | null = b.producerId >= 0
        ? {
          producerId: b.producerId,
          producerEpoch: b.producerEpoch,
          baseSequence: b.baseSequence,
          lastSequence: (b.baseSequence + b.lastOffsetDelta) % 2147483648,
        }
        : null;
      if (pb && b.baseSequence >= 0) {
        const check = this.producers.check(pb);
        if (check.kind === "error") throw new KafkaError(check.error, check.why);
        if (check.kind === "duplicate") {
          if (firstOffset < 0) firstOffset = check.baseOffset;
          durable.push(this.durableAt(check.lastOffset));
          continue;
        }
      }
      const base = this.nextOffset;
      const last = base + b.lastOffsetDelta;
      setBaseOffset(b.bytes, base);
      // Like Kafka, stamp the leader epoch (not covered by the CRC): consumers commit it and
      // later validate their position with OffsetForLeaderEpoch.
      setPartitionLeaderEpoch(b.bytes, this.state.leader_epoch);
      this.nextOffset = last + 1;
      let aborted: AbortedTxn | undefined;
      if (b.marker) {
        const first = this.producers.endTxn(b.producerId, b.producerEpoch);
        const lso = this.producers.firstOpenOffset() ?? base + 1;
        if (first !== null && !b.marker.commit) {
          aborted = { producer_id: b.producerId, first_offset: first, last_offset: base, lso };
        }
      } else if (pb && b.baseSequence >= 0) {
        this.producers.record(pb, base, last);
        if (b.transactional) this.producers.beginTxn(b.producerId, base);
      }
      if (firstOffset < 0) firstOffset = base;
      durable.push(
        new Promise<void>((resolve, reject) =>
          this.pending.push({
            baseOffset: base,
            lastOffset: last,
            maxTimestamp: b.maxTimestamp,
            bytes: b.bytes,
            resolve,
            reject,
            aborted,
            ops: b.commitOps,
          })
        ),
      );
      this.pendingBytes += b.bytes.byteLength;
    }
    return { baseOffset: firstOffset, durable: Promise.all(durable).then(() => {}) };
  }

  /** Resolves when `offset` is durable (for duplicates of batches still in flight). */
  private durableAt(offset: number): Promise<void> {
    if (offset < this.state.log_end_offset) return Promise.resolve();
    const p = [...this.sealed.flat(), ...this.pending].find((x) => x.lastOffset >= offset);
    if (!p) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const { resolve: r0, reject: j0 } = p;
      p.resolve = () => (r0(), resolve());
      p.reject = (e) => (j0(e), reject(e));
    });
  }

  /**
   * Seals the pending batches into a segment and starts uploading it at once; commits then
   * happen one at a time in offset order, so a flush's upload overlaps the commit of the one
   * before (up to MAX_SEALED flushes in flight). Resolves when this flush has committed,
   * rejects when it failed; with nothing to seal, or too many in flight, returns the newest.
   */
  flush(): Promise<void> {
    return this.beginFlush().committed;
  }

  /**
   * `flush`, also telling when its upload ended (a flush cycle waits for that alone, so the
   * next cycle's upload overlaps this one's commit). With nothing sealed (nothing pending, too
   * many flushes in flight, or not open) both are the newest flush's commit.
   */
  beginFlush(): FlushProgress {
    const none = { sealed: false, uploaded: this.lastFlush, committed: this.lastFlush };
    if (this.pending.length === 0 || this.sealed.length >= MAX_SEALED) return none;
    if (this.status !== "open") return none;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.sealed.push(batch);
    const bytes = encodeSegment(batch);
    const generation = this.generation;
    const aborted = batch.flatMap((p) => p.aborted ?? []);
    const upload = () =>
      this.upload(bytes, {
        base_offset: batch[0]!.baseOffset,
        last_offset: batch[batch.length - 1]!.lastOffset,
        batch_count: batch.length,
        max_timestamp: Math.max(...batch.map((b) => b.maxTimestamp)),
        epoch: this.state.leader_epoch,
        ...(aborted.length > 0 && { aborted }),
      }, { kind: "flush", ...summarizeBatches(batch) });
    // After a commit whose answer was lost (which may have landed), the upload waits until the
    // partition is read back: a writer never uploads an offset again while an earlier upload
    // of it may be committed, which lets recovery order one writer's uploads by their number
    // (src/recovery/roll_forward.ts). A read-back that finds the lost commit landed voids
    // these offsets (roll-back), and nothing is uploaded.
    const uploaded = this.uncertain
      ? this.exclusively(() => this.settleUncertain()).then(() => {
        if (generation !== this.generation) throw this.lastRollBack;
        return upload();
      })
      : upload();
    uploaded.catch(() => {}); // awaited by the commit, or abandoned after a roll-back
    const sealed: SealedFlush = {
      batch,
      bytes,
      uploaded,
      producers: this.producers.clone(),
      generation: this.generation,
    };
    this.lastFlush = this.exclusively(() => this.commitFlush(sealed));
    return { sealed: true, uploaded, committed: this.lastFlush };
  }

  /** Waits until nothing is pending or sealed (or a failure dropped it). */
  private async drain(): Promise<void> {
    while (this.status === "open" && (this.pending.length > 0 || this.sealed.length > 0)) {
      await this.flush().catch(() => {});
    }
  }

  /** Runs metadata writes of this writer one at a time (flushes and retention share a revision). */
  private exclusively<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(() => {}, () => {});
    return run;
  }

  /**
   * Writes `next` as the partition record, with `ops`, in one transaction conditional on this
   * writer's revision (the epoch fence). Resolves false, and stands the writer down, when
   * another writer took the partition; a store error leaves the outcome unknown, so the next
   * write reads the partition back first (`resync`).
   */
  private async commitFenced(
    next: PartitionState,
    ops: KvOp[],
    uploadStartedMs?: number,
  ): Promise<boolean> {
    // Checked as late as possible: the garbage collector counts on no upload older than the
    // deadline ever being committed (a commit waits behind the ones before it).
    const now = this.deps.now ?? Date.now;
    const deadline = this.deps.commitDeadlineMs ?? Infinity;
    if (uploadStartedMs !== undefined && now() - uploadStartedMs > deadline) {
      throw new KafkaError("REQUEST_TIMED_OUT", "Cannot commit a flush: its upload is too old");
    }
    const pkey = keys.partition(this.topic, this.partition);
    const res = await this.deps.committer.commit({
      compares: [{ key: pkey, modRevision: this.revision }],
      success: [
        { type: "put", key: pkey, value: encodeRecord(PartitionStateSchema, next) },
        ...ops,
      ],
    }).catch((e) => {
      this.uncertain = true;
      throw e;
    });
    if (!res.succeeded) {
      this.standDown();
      return false;
    }
    this.state = next;
    this.revision = res.revision;
    return true;
  }

  /** Another writer took the partition: stop, and fail everything not yet committed. */
  private standDown(): void {
    this.status = "fenced";
    this.rollBack(
      new KafkaError("NOT_LEADER_OR_FOLLOWER", `${this.topic}-${this.partition} fenced`),
    );
  }

  private segmentKey(base: number): string {
    return keys.segment(this.topic, this.partition, base);
  }

  /**
   * Uploads an encoded segment (in an object shared with the partitions flushing now) and
   * returns its reference with the upload's start (the commit deadline counts from it). The
   * object's index describes it with this writer's epoch and the upload's number.
   */
  private async upload(
    bytes: Uint8Array,
    about: UploadAbout & Partial<Pick<SegmentRef, "aborted">>,
    what: { kind: "flush" | "merge" | "compact" } & BatchSummary,
  ): Promise<{ ref: SegmentRef; startedMs: number }> {
    const now = this.deps.now ?? Date.now;
    // When the records were written: the age of records without timestamps.
    const createdMs = about.created_ms ?? now();
    // Keys are unique per upload: a failed commit leaves garbage that is never referenced.
    const placed = await this.deps.uploader.upload(bytes, {
      ...about,
      created_ms: createdMs,
      topic: this.topic,
      topic_id: this.state.topic_id,
      partition: this.partition,
      writer_epoch: this.state.leader_epoch,
      writer_seq: ++this.uploads,
      kind: what.kind,
      producers: what.producers,
      epochs: what.epochs,
      ...(what.txns && { txns: what.txns }),
    });
    const ref = {
      created_ms: createdMs,
      ...about,
      key: placed.key,
      position: placed.position,
      size: bytes.byteLength,
      object_chunks: placed.objectChunks,
    };
    return { ref, startedMs: placed.startedMs };
  }

  private putRef(ref: SegmentRef): KvOp {
    const value = encodeRecord(SegmentRefSchema, ref);
    return { type: "put", key: this.segmentKey(ref.base_offset), value };
  }

  /**
   * Deletes the oldest whole segments that are past `retentionMs` (by their newest record
   * timestamp, or their write time when no record has one) or beyond `retentionBytes` (keeping
   * the newest that fit), advancing the log start offset in one fenced transaction (with a new
   * manifest when manifest segments go) before the objects are removed. -1 disables a limit.
   * Resolves the segments deleted, each with the rule that deleted it.
   */
  applyRetention(
    now: number,
    retentionMs: number,
    retentionBytes: number,
  ): Promise<RetentionDeletion[]> {
    return this.exclusively(async () => {
      if (this.status !== "open") return [];
      if (this.uncertain) await this.resync();
      const rules = retentionCut(this.segments, { now, retentionMs, retentionBytes });
      // Tail keys deleted per transaction are bounded (etcd's operation limit); the next
      // pass takes the rest.
      const cut = Math.min(rules.length, this.inManifest + MAX_MOVED_PER_ROLL);
      if (cut === 0) return [];
      const start = Math.min(this.segments[cut - 1]!.last_offset + 1, this.state.log_end_offset);
      const doomed = await this.cutSegments(cut, start);
      return (doomed ?? []).map((segment, i) => ({ segment, rule: rules[i]! }));
    });
  }

  /**
   * DeleteRecords: moves the log start offset forward to `offset` (-1: the high watermark) and
   * drops the segments wholly below it, in fenced transactions; a segment straddling the new
   * start stays, and reads below the start are OFFSET_OUT_OF_RANGE. A transaction deletes at
   * most MAX_MOVED_PER_ROLL tail keys (etcd's operation limit): when more must go, the start
   * moves in steps, each just past the segments dropped so far, so no committed state keeps a
   * segment below the log start. Resolves the log start; OFFSET_OUT_OF_RANGE for an offset
   * above the high watermark, NOT_LEADER_OR_FOLLOWER when another writer took the partition.
   */
  deleteRecords(offset: number): Promise<number> {
    return this.exclusively(async () => {
      this.ensureOpen();
      if (this.uncertain) await this.resync();
      const hw = this.state.log_end_offset;
      const target = offset === -1 ? hw : offset;
      if (target < 0 || target > hw) {
        throw new KafkaError(
          "OFFSET_OUT_OF_RANGE",
          `Cannot delete records of ${this.topic}-${this.partition} before offset ${offset}: ` +
            `the high watermark is ${hw}`,
        );
      }
      while (target > this.state.log_start_offset) {
        const kept = this.segments.findIndex((s) => s.last_offset >= target);
        const whole = kept === -1 ? this.segments.length : kept;
        const cut = Math.min(whole, this.inManifest + MAX_MOVED_PER_ROLL);
        const start = cut < whole ? this.segments[cut - 1]!.last_offset + 1 : target;
        if (await this.cutSegments(cut, start) === null) {
          throw new KafkaError("NOT_LEADER_OR_FOLLOWER", `${this.topic}-${this.partition} fenced`);
        }
      }
      return this.state.log_start_offset;
    });
  }

  /**
   * Drops the oldest `cut` segments and moves the log start to `start` (never backwards) in one
   * fenced transaction: manifest segments by pointing at a new manifest without them, tail
   * segments by deleting their keys (callers keep those within MAX_MOVED_PER_ROLL). Then their
   * cache entries go, and objects holding only them are deleted (an object shared with other
   * segments is removed by the garbage collector once none of them is referenced; a failed
   * delete leaves garbage for it too). Resolves the dropped segments, or null when another
   * writer took the partition. Runs inside `exclusively`.
   */
  private async cutSegments(cut: number, start: number): Promise<SegmentRef[] | null> {
    const doomed = this.segments.slice(0, cut);
    const fromManifest = Math.min(cut, this.inManifest);
    let manifest = this.state.manifest;
    let startedMs: number | undefined;
    if (fromManifest > 0) {
      const kept = this.segments.slice(fromManifest, this.inManifest);
      const written = await writeManifest(this.deps, this, kept);
      manifest = written.pointer;
      startedMs = written.startedMs;
    }
    const next: PartitionState = {
      ...this.state,
      log_start_offset: Math.max(start, this.state.log_start_offset),
      manifest,
    };
    const deletes = doomed.slice(fromManifest).map((d) => ({
      type: "delete" as const,
      key: this.segmentKey(d.base_offset),
    }));
    if (!await this.commitFenced(next, deletes, startedMs)) return null;
    this.segments = this.segments.slice(cut);
    this.inManifest -= fromManifest;
    for (const d of doomed) {
      this.deps.cache.remove(cacheKey(d));
      if (d.object_chunks === 1) await this.deps.objects.delete(d.key).catch(() => {});
    }
    return doomed;
  }

  /**
   * Moves the oldest tail keys into a new manifest (merging small segments on the way; see
   * manifest_roll.ts) when the tail holds at least `minTail` keys, through `replaceSegments`;
   * segments a compaction pass is rewriting are not merged. Resolves the keys moved and the
   * segments merged away.
   */
  async roll(
    targetBytes: number,
    minTail = ROLL_AT_TAIL_KEYS,
  ): Promise<{ moved: number; merged: number }> {
    if (this.tailKeys < minTail) return { moved: 0, merged: 0 };
    const plan = await this.replaceSegments("roll", (view) =>
      prepareRoll(
        { ...view, targetBytes, reserved: this.reserved },
        {
          objects: this.deps.objects,
          namespace: this.deps.namespace,
          now: this.deps.now,
          load: view.load,
          upload: (bytes, about) => view.upload(bytes, about, "merge"),
        },
        minTail,
      ));
    if (!plan) return { moved: 0, merged: 0 };
    return {
      moved: plan.moved.length,
      merged: plan.merged.reduce((n, m) => n + m.replaces.length, 0),
    };
  }

  /**
   * Rewrites the oldest committed segments (a roll, a compaction pass; segment_swap.ts), one job
   * of each kind at a time: `prepare` uploads the replacement outside the commit lock (flushes
   * keep committing meanwhile), then the swap commits in one fenced transaction, only if the
   * references it replaces are still those it read (else the swap's `rebase` may adapt it to
   * the list as it is now). The old objects stay until the garbage collector finds them
   * unreferenced, so reads already under way still succeed. Resolves the committed swap, or
   * null (nothing to do, busy, fenced, or the list moved: a later job retries).
   */
  async replaceSegments<T extends SegmentSwap>(
    kind: "roll" | "compact",
    prepare: (view: SwapView) => Promise<T | null>,
  ): Promise<T | null> {
    if (this.jobs.has(kind) || this.status !== "open") return null;
    this.jobs.add(kind);
    try {
      const seen = this.segments;
      const inManifest = this.inManifest;
      const prepared = await prepare({
        topic: this.topic,
        partition: this.partition,
        segments: seen,
        inManifest,
        state: this.state,
        lastStableOffset: this.lastStableOffset,
        commitDeadlineMs: this.deps.commitDeadlineMs ?? Infinity,
        load: (r) => this.loadSegment(r),
        upload: (bytes, about, kind) => {
          // A merged or compacted segment keeps the aborted transactions of those it replaces.
          const aborted = abortedWithin(seen, about.base_offset, about.last_offset);
          return this.upload(bytes, { ...about, ...(aborted && { aborted }) }, {
            kind,
            ...summarizeBatches(mergedBatches(bytes)),
          });
        },
        reserve: (count) => this.reserved = count,
      });
      if (!prepared) return null;
      return await this.exclusively(async () => {
        if (this.status !== "open") return null;
        if (this.uncertain) await this.resync();
        const unchanged = this.inManifest === inManifest &&
          seen.slice(0, prepared.replacedEnd).every((r, i) => this.segments[i] === r);
        const swap = unchanged ? prepared : await prepared.rebase?.(this.segments, this.inManifest);
        if (!swap) return null; // retention, a roll or a resync moved the list
        const deletes = swap.moved.map((r) => ({
          type: "delete" as const,
          key: this.segmentKey(r.base_offset),
        }));
        const next = {
          ...this.state,
          manifest: swap.pointer,
          compaction: swap.compaction ?? this.state.compaction,
        };
        if (!await this.commitFenced(next, deletes, swap.startedMs)) return null;
        const replaced = this.segments.slice(0, swap.replacedEnd);
        // A new array: a read in progress keeps iterating the list it started with.
        this.segments = [...swap.manifestRefs, ...this.segments.slice(swap.replacedEnd)];
        this.inManifest = swap.manifestRefs.length;
        const kept = new Set(swap.manifestRefs);
        for (const r of replaced) if (!kept.has(r)) this.deps.cache.remove(cacheKey(r));
        for (const c of swap.cache ?? []) {
          this.deps.cache.put(cacheKey(c.ref), parseOwnSegment(c.bytes));
        }
        return prepared;
      });
    } finally {
      this.jobs.delete(kind);
      if (kind === "compact") this.reserved = 0;
    }
  }

  /** Commits a sealed flush (run exclusively, in sealing order). */
  private async commitFlush(f: SealedFlush): Promise<void> {
    let ref: SegmentRef | null = null;
    const committed = (r: SegmentRef) => {
      this.sealed.shift(); // the oldest: commits run in sealing order
      this.committedProducers = f.producers;
      this.segments.push(r);
      this.deps.cache.put(cacheKey(r), parseOwnSegment(f.bytes));
      for (const p of f.batch) p.resolve();
      this.wake();
    };
    try {
      if (f.generation === this.generation && this.uncertain) await this.resync();
      // A roll-back since sealing already failed this batch (its offsets are void).
      if (f.generation !== this.generation) throw this.lastRollBack;
      const uploaded = await f.uploaded;
      ref = uploaded.ref;
      const end = ref.last_offset + 1;
      const next = { ...this.state, log_end_offset: end, producers: f.producers.toRecord() };
      const ops = [this.putRef(ref), ...f.batch.flatMap((p) => p.ops ?? [])];
      if (!await this.commitFenced(next, ops, uploaded.startedMs)) {
        throw new KafkaError("NOT_LEADER_OR_FOLLOWER", `${this.topic}-${this.partition} fenced`);
      }
      committed(ref);
    } catch (e) {
      if (f.generation !== this.generation) throw e;
      // A commit whose answer was lost may have landed. Learn which before answering: a
      // producer told "failed" about records that are stored may resend them under a new
      // epoch (librdkafka bumps its epoch after sequence errors), storing them twice.
      if (ref && this.uncertain && this.status === "open" && await this.commitLanded(ref)) {
        committed(ref);
        return;
      }
      const err = e instanceof KafkaError ? e : new KafkaError(
        "KAFKA_STORAGE_ERROR",
        `Cannot flush ${this.topic}-${this.partition}: ${e}`,
      );
      // (A commit sent whose answer was lost set `uncertain` in commitFenced; a failed upload
      // or a commit refused before sending leaves nothing unknown.)
      this.rollBack(err);
      throw err;
    }
  }

  /**
   * After a flush commit whose answer was lost: reads the partition record back (retrying while
   * the store does not answer, for up to LOST_COMMIT_READ_BACK_MS) and tells whether that
   * commit landed. Commits of this writer run one at a time, so a record of this epoch whose
   * revision moved and whose log end is the flush's end is that commit. Landed: the stored
   * state is adopted. Not landed: the record is rewritten under the same compare, so the lost
   * commit can never land later, and nothing is unknown any more. Not readable: still unknown.
   */
  private async commitLanded(ref: SegmentRef): Promise<boolean> {
    const key = keys.partition(this.topic, this.partition);
    const until = Date.now() + (this.deps.lostCommitReadBackMs ?? LOST_COMMIT_READ_BACK_MS);
    for (let wait = 100; this.status === "open"; wait = Math.min(wait * 2, 1_000)) {
      let entry;
      try {
        entry = await this.deps.meta.get(key);
      } catch {
        if (Date.now() + wait > until) return false;
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      const stored = entry ? decodeRecord(PartitionStateSchema, key, entry.value) : null;
      if (!entry || !stored || stored.leader_epoch !== this.state.leader_epoch) return false;
      if (entry.modRevision === this.revision) {
        // Not landed yet, but a commit still queued in the store could land later. Rewrite the
        // record under the same compare: once that succeeds, the lost one never can.
        const fence = await this.deps.committer.commit({
          compares: [{ key, modRevision: this.revision }],
          success: [{ type: "put", key, value: encodeRecord(PartitionStateSchema, this.state) }],
        }).catch(() => null);
        if (fence?.succeeded) {
          this.revision = fence.revision;
          this.uncertain = false;
          return false;
        }
        if (Date.now() + wait > until) return false;
        await new Promise((r) => setTimeout(r, wait));
        continue; // the answer was lost too, or the lost commit landed meanwhile: read again
      }
      this.uncertain = false;
      if (stored.log_end_offset !== ref.last_offset + 1) {
        this.uncertain = true; // something else moved it: let resync sort it out
        return false;
      }
      this.state = stored;
      this.revision = entry.modRevision;
      return true;
    }
    return false;
  }

  /** `resync` before a flush; when that fails, the batches waiting for it fail too. */
  private async settleUncertain(): Promise<void> {
    if (!this.uncertain || this.status !== "open") return;
    try {
      await this.resync();
    } catch (e) {
      const err = e instanceof KafkaError ? e : new KafkaError(
        "KAFKA_STORAGE_ERROR",
        `Cannot flush ${this.topic}-${this.partition}: ${e}`,
      );
      if (this.status === "open") this.rollBack(err);
      throw err;
    }
  }

  /**
   * After a commit with an unknown outcome, reads the partition record back: if this writer
   * still holds the epoch it adopts what is stored (the lost commit may have landed), failing
   * any unacknowledged batches whose offsets that makes stale; otherwise it stands down.
   */
  private async resync(): Promise<void> {
    const key = keys.partition(this.topic, this.partition);
    const entry = await this.deps.meta.get(key);
    const stored = entry ? decodeRecord(PartitionStateSchema, key, entry.value) : null;
    if (!entry || !stored || stored.leader_epoch !== this.state.leader_epoch) {
      this.standDown();
      throw new KafkaError("NOT_LEADER_OR_FOLLOWER", `${this.topic}-${this.partition} fenced`);
    }
    if (entry.modRevision !== this.revision) {
      const list = await committedSegments(this.deps, this.topic, stored);
      this.segments = list.segments;
      this.inManifest = list.inManifest;
      const moved = stored.log_end_offset !== this.state.log_end_offset;
      this.state = stored;
      this.revision = entry.modRevision;
      this.committedProducers = ProducerTable.fromRecord(stored.producers);
      // A lost flush commit that landed moved the log end: offsets given since then are void.
      // A lost roll, compaction or retention commit did not: batches in flight keep their offsets.
      if (moved) this.rollBack(new KafkaError("NOT_LEADER_OR_FOLLOWER", "log end moved; retry"));
      this.wake();
    }
    this.uncertain = false;
  }

  /**
   * Fails every batch not yet committed (sealed flushes and pending appends); offsets return to
   * the high watermark and sealed flushes that have not committed yet will not.
   */
  private rollBack(err: KafkaError): void {
    const failed = [...this.sealed.flat(), ...this.pending];
    this.sealed = [];
    this.pending = [];
    this.pendingBytes = 0;
    this.nextOffset = this.state.log_end_offset;
    this.producers = this.committedProducers.clone();
    this.generation++;
    this.lastRollBack = err;
    for (const p of failed) p.reject(err);
  }

  /** Resolves on the next commit, or after `ms`. */
  waitForData(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.waiters.push(done);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /**
   * Reads batches from `offset` up to `maxBytes` (the first batch is returned whole even when
   * larger); read_committed (`committed`) reads stop at the last stable offset and report the
   * aborted transactions among what they return. OFFSET_OUT_OF_RANGE below the log start or
   * above the high watermark.
   */
  async read(offset: number, maxBytes: number, committed = false): Promise<ReadResult> {
    const hw = this.state.log_end_offset;
    const end = committed ? this.lastStableOffset : hw;
    const segments = this.segments;
    const result = (records: Uint8Array | null): ReadResult => ({
      records,
      highWatermark: hw,
      logStartOffset: this.state.log_start_offset,
      ...(committed && {
        abortedTransactions: records
          ? collectAborted(segments, offset, nextOffsetAfter(records))
          : [],
      }),
    });
    if (offset < this.state.log_start_offset || offset > hw) {
      throw new KafkaError(
        "OFFSET_OUT_OF_RANGE",
        `offset ${offset} is outside [${this.state.log_start_offset}, ${hw}]`,
      );
    }
    if (offset >= end) return result(null);
    return result(await this.reader.read(segments, { offset, end, maxBytes }));
  }

  /** Loads a committed segment through the cache (one ranged GET; checksum verified). */
  loadSegment(ref: SegmentRef): Promise<Segment> {
    return this.reader.load(ref);
  }

  /** Marks the log closed; pending producers get NOT_LEADER_OR_FOLLOWER. */
  async close(): Promise<void> {
    await this.drain();
    this.status = "closed";
    const err = new KafkaError("NOT_LEADER_OR_FOLLOWER", `${this.topic}-${this.partition} closed`);
    for (const p of this.pending) p.reject(err);
    this.pending = [];
    this.wake();
  }
}

/** The offset after the last batch of whole batches `records` (headers read, nothing copied). */
function nextOffsetAfter(records: Uint8Array): number {
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let at = 0;
  let next = -1;
  while (at + 61 <= records.byteLength) {
    const base = v.getInt32(at) * 4294967296 + v.getUint32(at + 4);
    next = base + v.getInt32(at + 23) + 1; // lastOffsetDelta
    at += 12 + v.getInt32(at + 8); // LOG_OVERHEAD + batchLength
  }
  return next;
}

/** The batches of a merged segment, for its description. */
function* mergedBatches(bytes: Uint8Array) {
  const seg = parseOwnSegment(bytes);
  for (const b of seg.batches) {
    const batch = seg.data.subarray(b.position, b.position + b.size);
    yield { baseOffset: b.baseOffset, lastOffset: b.lastOffset, bytes: batch };
  }
}
