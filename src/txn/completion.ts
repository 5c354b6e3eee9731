/**
 * Completing a transaction in a Prepare state (the coordinator's second phase): write any marker
 * requests not yet written, make the transaction's offsets the groups' committed offsets (commit)
 * or drop them (abort), wait until the partitions' owners wrote every marker (each deletes its
 * request in the commit that makes the marker durable; a watch on the requests wakes the wait,
 * a poll backs it up), then write the Complete state. Every step is fenced by the coordinator
 * epoch and can be repeated, so a coordinator that takes over simply runs it again. Store
 * errors are retried with back-off for as long as this broker coordinates the id.
 * @module
 */
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import type { KvOp, KvWatch, MetadataStore } from "../metadata/types.ts";
import {
  type CommittedOffset,
  CommittedOffsetSchema,
  decodeRecord,
  encodeRecord,
  keys,
} from "../metadata/records.ts";
import type { GroupFence } from "../groups/group_fence.ts";
import { PendingOffsetSchema, txnKeys, type TxnRecord } from "./records.ts";
import { completed, isPreparing } from "./state.ts";
import type { TxnEntry } from "./coordinator.ts";

/** What completion needs from the coordinator. */
export interface CompletionDeps {
  now(): number;
  /** Whether this broker still coordinates the id with this entry. */
  alive(tid: string, e: TxnEntry): boolean;
  /** Writes the record (fenced). */
  write(tid: string, e: TxnEntry, next: TxnRecord): Promise<void>;
  /** The marker requests of a Prepare record. */
  markerOps(r: TxnRecord): Promise<KvOp[]>;
  onError?(what: string, e: unknown): void;
  onOutcome?(outcome: "commit" | "abort"): void;
}

/** How often a wait for markers looks again without being woken (ms). */
const POLL_MS = 1000;

/** Runs completions; one watch on the marker requests wakes them. */
export class Completion {
  private watch: KvWatch | null = null;
  private readonly wakers = new Map<number, Set<() => void>>();
  private closed = false;

  constructor(
    private readonly meta: MetadataStore,
    private readonly fence: GroupFence,
    private readonly deps: CompletionDeps,
  ) {}

  /** Starts watching marker requests (deletions wake the completion of their producer). */
  async start(): Promise<void> {
    this.watch = await this.meta.watch(txnKeys.markersPrefix(), (ev) => {
      if (ev.type !== "delete") return;
      const at = txnKeys.parseMarker(ev.key);
      if (at) this.wake(at.producerId);
    });
  }

  /** Stops waiting (a successor coordinator completes what is left). */
  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.wakers.keys()]) this.wake(id);
    await this.watch?.close();
  }

  private wake(producerId: number): void {
    const set = this.wakers.get(producerId);
    this.wakers.delete(producerId);
    for (const f of set ?? []) f();
  }

  /** Completes the Prepare state of `e` (returns when complete, or when the id was lost). */
  async run(tid: string, e: TxnEntry): Promise<void> {
    for (let attempt = 0;; attempt++) {
      const r = e.record;
      if (this.closed || !this.deps.alive(tid, e) || !r || !isPreparing(r)) return;
      try {
        if (!r.markers_written) {
          await this.fence.write(tid, await this.deps.markerOps(r));
          await this.deps.write(tid, e, { ...r, markers_written: true });
          continue;
        }
        await this.settleOffsets(tid, r);
        if (!await this.markersWritten(tid, e, r.producer_id)) return;
        if (e.record !== r) continue;
        await this.deps.write(tid, e, completed(r, this.deps.now()));
        this.deps.onOutcome?.(r.state === "PrepareCommit" ? "commit" : "abort");
        return;
      } catch (err) {
        if (err instanceof KafkaError && err.code === ErrorCode.NOT_COORDINATOR) return;
        this.deps.onError?.(`complete transaction ${tid}`, err);
        await this.sleep(Math.min(250 * 2 ** attempt, 5000));
      }
    }
  }

  /**
   * Commit: the transaction's pending offsets of each group become its committed offsets.
   * Abort: they are dropped. (Entries of an older epoch, a fenced producer's, are dropped.)
   */
  private async settleOffsets(tid: string, r: TxnRecord): Promise<void> {
    const commit = r.state === "PrepareCommit";
    for (const group of r.groups) {
      const prefix = txnKeys.pendingOf(group, r.producer_id);
      if (!commit) {
        await this.fence.write(tid, [{ type: "deletePrefix", prefix }]);
        continue;
      }
      const ops: KvOp[] = [];
      for (const got of await this.meta.getPrefix(prefix)) {
        ops.push({ type: "delete", key: got.key });
        const at = txnKeys.parsePending(got.key.slice(txnKeys.pendingOfGroup(group).length));
        const p = decodeRecord(PendingOffsetSchema, got.key, got.value);
        if (!at || p.producer_epoch !== r.producer_epoch) continue;
        const value: CommittedOffset = {
          offset: p.offset,
          leader_epoch: p.leader_epoch,
          metadata: p.metadata,
          commit_ms: this.deps.now(),
        };
        ops.push({
          type: "put",
          key: keys.offset(group, at.topic, at.partition),
          value: encodeRecord(CommittedOffsetSchema, value),
        });
      }
      // Several transactions when many partitions: each step can be repeated.
      if (ops.length > 0) await this.fence.write(tid, ops);
    }
  }

  /** Waits until no marker request of the producer is left; false when the id was lost. */
  private async markersWritten(tid: string, e: TxnEntry, producerId: number): Promise<boolean> {
    for (;;) {
      if (this.closed || !this.deps.alive(tid, e)) return false;
      const woken = new Promise<void>((resolve) => {
        const set = this.wakers.get(producerId) ?? new Set();
        set.add(resolve);
        this.wakers.set(producerId, set);
      });
      const left = await this.meta.getPage(txnKeys.markersOf(producerId), { limit: 1 });
      if (left.entries.length === 0) {
        this.wakers.get(producerId)?.clear();
        return true;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([woken, new Promise((r) => timer = setTimeout(r, POLL_MS))]);
      clearTimeout(timer);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, this.closed ? 0 : ms));
  }
}
