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
 * Read: see segment_reader.ts (cache, one ranged GET per segment, read-ahead).
 * @module
 */
import { KafkaError } from "../protocol/errors.ts";
import { setBaseOffset, setPartitionLeaderEpoch } from "../protocol/records/record_batch.ts";
import type { ObjectStore } from "../object_store/types.ts";
import type { KvOp, MetadataStore } from "../metadata/types.ts";
import {
  decodeRecord,
  encodeRecord,
  keys,
  type PartitionState,
  PartitionStateSchema,
  type SegmentRef,
  SegmentRefSchema,
} from "../metadata/records.ts";
import { decodeSegment, encodeSegment, type Segment } from "./segment_format.ts";
import { cacheKey, SegmentReader } from "./segment_reader.ts";
import { mergeSegments, pickCompactionRun } from "./compaction.ts";
import { retentionCut } from "./retention.ts";
import { claimPartition, committedSegments } from "./partition_claim.ts";
import type { SegmentCache } from "./segment_cache.ts";
import type { SegmentUploader } from "./segment_uploader.ts";
import type { CommitBatcher } from "./commit_batcher.ts";
import { type ProducerBatch, ProducerTable } from "./producer_state.ts";

/** A validated record batch ready to append (header fields already read). */
export interface IncomingBatch {
  bytes: Uint8Array;
  lastOffsetDelta: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
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
}

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
  private readonly reader: SegmentReader;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    private state: PartitionState,
    private revision: number,
    private segments: SegmentRef[],
    private readonly deps: PartitionDeps,
  ) {
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
    const { state, revision, segments } = await claimPartition(deps.meta, at);
    return new PartitionLog(topic, partition, state, revision, segments, deps);
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
  /** (epoch, start offset) history, ascending. */
  get epochHistory(): ReadonlyArray<{ epoch: number; start_offset: number }> {
    return this.state.epoch_history;
  }
  /** Bytes waiting for the next flush. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }
  /** Committed segments, ascending (read-only view for retention and ListOffsets). */
  get committedSegments(): readonly SegmentRef[] {
    return this.segments;
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
      if (pb && b.baseSequence >= 0) this.producers.record(pb, base, last);
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
    if (this.pending.length === 0 || this.sealed.length >= MAX_SEALED) return this.lastFlush;
    if (this.status !== "open") return this.lastFlush;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.sealed.push(batch);
    const bytes = encodeSegment(batch);
    const uploaded = this.upload(bytes, {
      base_offset: batch[0]!.baseOffset,
      last_offset: batch[batch.length - 1]!.lastOffset,
      batch_count: batch.length,
      max_timestamp: Math.max(...batch.map((b) => b.maxTimestamp)),
      epoch: this.state.leader_epoch,
    });
    uploaded.catch(() => {}); // awaited by the commit, or abandoned after a roll-back
    const sealed: SealedFlush = {
      batch,
      bytes,
      uploaded,
      producers: this.producers.clone(),
      generation: this.generation,
    };
    this.lastFlush = this.exclusively(() => this.commitFlush(sealed));
    return this.lastFlush;
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
   * returns its reference with the upload's start (the commit deadline counts from it).
   */
  private async upload(
    bytes: Uint8Array,
    about: Pick<
      SegmentRef,
      "base_offset" | "last_offset" | "batch_count" | "max_timestamp" | "epoch"
    >,
  ): Promise<{ ref: SegmentRef; startedMs: number }> {
    const now = this.deps.now ?? Date.now;
    // Keys are unique per upload: a failed commit leaves garbage that is never referenced.
    const placed = await this.deps.uploader.upload(bytes);
    const ref = {
      ...about,
      key: placed.key,
      position: placed.position,
      size: bytes.byteLength,
      object_chunks: placed.objectChunks,
      created_ms: now(),
    };
    return { ref, startedMs: placed.startedMs };
  }

  private putRef(ref: SegmentRef): KvOp {
    const value = encodeRecord(SegmentRefSchema, ref);
    return { type: "put", key: this.segmentKey(ref.base_offset), value };
  }

  /**
   * Deletes the oldest whole segments that are past `retentionMs` (by their newest timestamp)
   * or beyond `retentionBytes` (keeping the newest that fit), advancing the log start offset in
   * one fenced transaction before the objects are removed. -1 disables a limit. Resolves the
   * number of segments deleted.
   */
  applyRetention(now: number, retentionMs: number, retentionBytes: number): Promise<number> {
    return this.exclusively(async () => {
      if (this.status !== "open") return 0;
      if (this.uncertain) await this.resync();
      const cut = retentionCut(this.segments, { now, retentionMs, retentionBytes });
      if (cut === 0) return 0;
      const doomed = this.segments.slice(0, cut);
      const start = Math.min(doomed[cut - 1]!.last_offset + 1, this.state.log_end_offset);
      const next: PartitionState = {
        ...this.state,
        log_start_offset: Math.max(start, this.state.log_start_offset),
      };
      const deletes = doomed.map((d) => ({
        type: "delete" as const,
        key: this.segmentKey(d.base_offset),
      }));
      if (!await this.commitFenced(next, deletes)) return 0;
      this.segments = this.segments.slice(cut);
      for (const d of doomed) {
        this.deps.cache.remove(cacheKey(d));
        // An object shared with other segments is removed by the garbage collector once none
        // of them is referenced; a failed delete leaves garbage for it too.
        if (d.object_chunks === 1) await this.deps.objects.delete(d.key).catch(() => {});
      }
      return cut;
    });
  }

  /**
   * Merges one run of small consecutive segments (see compaction.ts) into a new segment: one
   * upload, then one fenced transaction that puts the new reference and deletes the old ones.
   * The old objects stay until the garbage collector finds them unreferenced, so reads that
   * started before the swap still succeed. Resolves the number of segments merged (0: none).
   */
  compact(targetBytes: number): Promise<number> {
    return this.exclusively(async () => {
      if (this.status !== "open") return 0;
      if (this.uncertain) await this.resync();
      const run = pickCompactionRun(this.segments, targetBytes);
      if (!run) return 0;
      const olds = this.segments.slice(run.from, run.to + 1);
      const loaded = await Promise.all(olds.map((r) => this.loadSegment(r)));
      const bytes = mergeSegments(loaded);
      const last = olds[olds.length - 1]!;
      const { ref, startedMs } = await this.upload(bytes, {
        base_offset: olds[0]!.base_offset,
        last_offset: last.last_offset,
        batch_count: olds.reduce((n, r) => n + r.batch_count, 0),
        max_timestamp: Math.max(...olds.map((r) => r.max_timestamp)),
        epoch: last.epoch,
      });
      // The partition record is rewritten as it is so its revision moves: a writer that lost
      // the answer re-reads the segment list in `resync`.
      const deletes = olds.slice(1).map((r) => ({
        type: "delete" as const,
        key: this.segmentKey(r.base_offset),
      }));
      const ops = [this.putRef(ref), ...deletes];
      if (!await this.commitFenced(this.state, ops, startedMs)) return 0;
      // A new array: a read in progress keeps iterating the list it started with.
      this.segments = [
        ...this.segments.slice(0, run.from),
        ref,
        ...this.segments.slice(run.to + 1),
      ];
      for (const r of olds) this.deps.cache.remove(cacheKey(r));
      this.deps.cache.put(cacheKey(ref), decodeSegment(ref.key, bytes));
      return olds.length;
    });
  }

  /** Commits a sealed flush (run exclusively, in sealing order). */
  private async commitFlush(f: SealedFlush): Promise<void> {
    try {
      if (f.generation === this.generation && this.uncertain) await this.resync();
      // A roll-back since sealing already failed this batch (its offsets are void).
      if (f.generation !== this.generation) throw this.lastRollBack;
      const { ref, startedMs } = await f.uploaded;
      const end = ref.last_offset + 1;
      const next = { ...this.state, log_end_offset: end, producers: f.producers.toRecord() };
      if (!await this.commitFenced(next, [this.putRef(ref)], startedMs)) {
        throw new KafkaError("NOT_LEADER_OR_FOLLOWER", `${this.topic}-${this.partition} fenced`);
      }
      this.sealed.shift(); // the oldest: commits run in sealing order
      this.committedProducers = f.producers;
      this.segments.push(ref);
      this.deps.cache.put(cacheKey(ref), decodeSegment(ref.key, f.bytes));
      for (const p of f.batch) p.resolve();
      this.wake();
    } catch (e) {
      if (f.generation !== this.generation) throw e;
      const err = e instanceof KafkaError ? e : new KafkaError(
        "KAFKA_STORAGE_ERROR",
        `Cannot flush ${this.topic}-${this.partition}: ${e}`,
      );
      // A store failure leaves the commit's outcome unknown (the answer may be what was lost).
      if (this.status === "open") this.uncertain = true;
      this.rollBack(err);
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
      this.segments = await committedSegments(this.deps.meta, this.topic, stored);
      const moved = stored.log_end_offset !== this.state.log_end_offset;
      this.state = stored;
      this.revision = entry.modRevision;
      this.committedProducers = ProducerTable.fromRecord(stored.producers);
      // A lost flush commit that landed moved the log end: offsets given since then are void.
      // A lost compaction or retention commit did not: batches in flight keep their offsets.
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
   * larger). OFFSET_OUT_OF_RANGE below the log start or above the high watermark.
   */
  async read(offset: number, maxBytes: number): Promise<ReadResult> {
    const hw = this.state.log_end_offset;
    const result = (records: Uint8Array | null): ReadResult => ({
      records,
      highWatermark: hw,
      logStartOffset: this.state.log_start_offset,
    });
    if (offset < this.state.log_start_offset || offset > hw) {
      throw new KafkaError(
        "OFFSET_OUT_OF_RANGE",
        `offset ${offset} is outside [${this.state.log_start_offset}, ${hw}]`,
      );
    }
    if (offset === hw) return result(null);
    return result(await this.reader.read(this.segments, { offset, end: hw, maxBytes }));
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
