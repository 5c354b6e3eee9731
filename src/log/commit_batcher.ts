/**
 * Group commit for partition metadata: the fenced transactions of partitions that flushed
 * together (their segments share an object, so their commits start in the same moment) go to
 * the metadata store as one transaction. On etcd every transaction is a raft round with an
 * fsync, so this keeps transactions per flush cycle from growing with the partition count.
 *
 * Semantics stay per partition: when the combined transaction's compares do not all hold (one
 * partition was fenced), each transaction is retried alone, so the others still commit and
 * the fenced one alone fails. A store error rejects every transaction of the group (their
 * outcome is unknown, as it would be alone). Groups are split to stay under etcd's limits on
 * operations and bytes per transaction, and transactions touching the same key never share
 * one.
 * @module
 */
import type { KvTxn, KvTxnResult, MetadataStore } from "../metadata/types.ts";
import { setImmediate } from "node:timers";

interface Entry {
  txn: KvTxn;
  resolve: (r: KvTxnResult) => void;
  reject: (e: unknown) => void;
}

/** Settings of a batcher. */
export interface CommitBatcherOptions {
  /**
   * Most compares, and most operations, in one transaction: etcd's --max-txn-ops (default 128)
   * limits each list of a transaction on its own.
   */
  maxOps?: number;
  /** Most key and value bytes in one combined transaction (etcd's default request limit is
   * 1.5 MiB); a single transaction larger than this still goes, alone. */
  maxBytes?: number;
  /** Called for every transaction sent (metrics): how many partition commits it carried. */
  onSend?(commits: number): void;
}

/** Batches concurrent fenced transactions into shared ones. */
export class CommitBatcher {
  private queue: Entry[] = [];
  private timer: ReturnType<typeof setImmediate> | null = null;

  constructor(
    private readonly meta: MetadataStore,
    private readonly options: CommitBatcherOptions = {},
  ) {}

  /** Commits `txn` (no `failure` branch), possibly together with others. */
  commit(txn: KvTxn): Promise<KvTxnResult> {
    if (txn.failure?.length) return this.meta.txn(txn); // cannot be combined
    return new Promise((resolve, reject) => {
      this.queue.push({ txn, resolve, reject });
      // After this turn of the event loop: every partition whose upload just finished has
      // reached its commit by then (setTimeout(0) would add about 2 ms to every produce).
      this.timer ??= setImmediate(() => this.send());
    });
  }

  private send(): void {
    this.timer = null;
    const queue = this.queue;
    this.queue = [];
    const limits = { ops: this.options.maxOps ?? 128, bytes: this.options.maxBytes ?? 1 << 20 };
    for (const group of split(queue, limits)) void this.sendGroup(group);
  }

  private async sendGroup(group: Entry[]): Promise<void> {
    try {
      if (group.length === 1) {
        this.options.onSend?.(1);
        group[0]!.resolve(await this.meta.txn(group[0]!.txn));
        return;
      }
      this.options.onSend?.(group.length);
      const combined = await this.meta.txn({
        compares: group.flatMap((e) => e.txn.compares),
        success: group.flatMap((e) => e.txn.success),
      });
      if (combined.succeeded) {
        for (const e of group) e.resolve(combined);
        return;
      }
    } catch (e) {
      for (const entry of group) entry.reject(e);
      return;
    }
    // Some compare failed: find out which, each on its own.
    await Promise.all(group.map(async (e) => {
      try {
        this.options.onSend?.(1);
        e.resolve(await this.meta.txn(e.txn));
      } catch (err) {
        e.reject(err);
      }
    }));
  }
}

function keysOf(txn: KvTxn): string[] {
  return [
    ...txn.compares.map((c) => c.key),
    ...txn.success.map((op) => op.type === "deletePrefix" ? `${op.prefix}\u0000*` : op.key),
  ];
}

/** Key and value bytes a transaction sends. */
function bytesOf(txn: KvTxn): number {
  let n = 0;
  for (const c of txn.compares) n += c.key.length + ("value" in c ? c.value.byteLength : 8);
  for (const op of txn.success) {
    n += op.type === "deletePrefix" ? op.prefix.length : op.key.length;
    if (op.type === "put") n += op.value.byteLength;
  }
  return n;
}

/** Splits entries into groups under the limits whose keys do not overlap. */
function split(entries: Entry[], limits: { ops: number; bytes: number }): Entry[][] {
  const groups: Entry[][] = [];
  let current: Entry[] = [];
  let compares = 0;
  let ops = 0;
  let bytes = 0;
  let seen = new Set<string>();
  const close = () => {
    groups.push(current);
    current = [];
    compares = 0;
    ops = 0;
    bytes = 0;
    seen = new Set();
  };
  for (const e of entries) {
    const size = e.txn.success.length;
    const weight = bytesOf(e.txn);
    const keys = keysOf(e.txn);
    const prefixed = e.txn.success.some((op) => op.type === "deletePrefix");
    const clash = prefixed || keys.some((k) => seen.has(k));
    const full = compares + e.txn.compares.length > limits.ops || ops + size > limits.ops ||
      bytes + weight > limits.bytes;
    if (current.length > 0 && (full || clash)) close();
    current.push(e);
    compares += e.txn.compares.length;
    ops += size;
    bytes += weight;
    for (const k of keys) seen.add(k);
    if (prefixed) close(); // a prefix delete may cover any key: it travels alone
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
