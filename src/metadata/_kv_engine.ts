/**
 * The in-memory engine behind the embedded metadata stores: etcd-like revisions, atomic
 * compare-and-apply transactions and prefix watches. Durability is the caller's job
 * (`file.ts` logs each applied change before acknowledging it).
 * @module
 */
import {
  type KvCompare,
  type KvEntry,
  type KvEvent,
  type KvOp,
  type KvPage,
  type KvTxn,
  METADATA_LIMITS,
  MetadataLimitError,
  type PageOptions,
} from "./types.ts";
import { checkResponseSize } from "./paging.ts";

interface Stored {
  value: Uint8Array;
  createRevision: number;
  modRevision: number;
}

/** A change as applied, for logging and replay. */
export interface AppliedChange {
  revision: number;
  puts: { key: string; value: Uint8Array; createRevision: number }[];
  deletes: string[];
}

const equalBytes = (a: Uint8Array, b: Uint8Array) =>
  a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);

/** Keys, revisions and watchers in memory. */
export class KvEngine {
  private readonly data = new Map<string, Stored>();
  private readonly watchers = new Set<{ prefix: string; onEvent: (e: KvEvent) => void }>();
  revision = 0;

  /** A key's entry. */
  get(key: string): KvEntry | null {
    const s = this.data.get(key);
    return s ? { key, ...s } : null;
  }

  /** Entries under a prefix, sorted by key (unbounded: for snapshots of the engine itself). */
  getPrefix(prefix: string): KvEntry[] {
    const out: KvEntry[] = [];
    for (const [key, s] of this.data) if (key.startsWith(prefix)) out.push({ key, ...s });
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** One page of a prefix, refused past the response limit as etcd's client would. */
  getPage(prefix: string, options: PageOptions): KvPage {
    const after = options.after;
    const all = this.getPrefix(prefix).filter((e) => after === undefined || e.key > after);
    const entries = all.slice(0, Math.max(1, options.limit));
    checkResponseSize(entries, prefix);
    return { entries, more: all.length > entries.length };
  }

  private holds(c: KvCompare): boolean {
    const s = this.data.get(c.key);
    if ("modRevision" in c) return (s?.modRevision ?? 0) === c.modRevision;
    return s !== undefined && equalBytes(s.value, c.value);
  }

  /** Evaluates and applies a transaction; returns whether it succeeded and what changed. */
  txn(t: KvTxn): { succeeded: boolean; change: AppliedChange | null } {
    checkTxnLimits(t);
    const succeeded = t.compares.every((c) => this.holds(c));
    const ops = succeeded ? t.success : (t.failure ?? []);
    return { succeeded, change: this.apply(ops) };
  }

  /** Applies writes under one new revision (null when nothing changed). */
  apply(ops: readonly KvOp[]): AppliedChange | null {
    if (ops.length === 0) return null;
    checkTxnLimits({ compares: [], success: [...ops] });
    const revision = this.revision + 1;
    const change: AppliedChange = { revision, puts: [], deletes: [] };
    for (const op of ops) {
      if (op.type === "put") {
        const createRevision = this.data.get(op.key)?.createRevision ?? revision;
        change.puts = change.puts.filter((p) => p.key !== op.key);
        change.deletes = change.deletes.filter((k) => k !== op.key);
        change.puts.push({ key: op.key, value: op.value.slice(), createRevision });
      } else {
        const keys = op.type === "delete"
          ? [op.key]
          : [...this.data.keys(), ...change.puts.map((p) => p.key)].filter((k) =>
            k.startsWith(op.prefix)
          );
        for (const key of keys) {
          change.puts = change.puts.filter((p) => p.key !== key);
          if (this.data.has(key) && !change.deletes.includes(key)) change.deletes.push(key);
        }
      }
    }
    if (change.puts.length === 0 && change.deletes.length === 0) return null;
    this.replay(change);
    return change;
  }

  /** Applies a logged change (also used when reopening a store). */
  replay(change: AppliedChange): void {
    this.revision = change.revision;
    const events: KvEvent[] = [];
    for (const key of change.deletes) {
      this.data.delete(key);
      events.push({ type: "delete", key, value: new Uint8Array(0), modRevision: change.revision });
    }
    for (const p of change.puts) {
      this.data.set(p.key, {
        value: p.value,
        createRevision: p.createRevision,
        modRevision: change.revision,
      });
      events.push({ type: "put", key: p.key, value: p.value, modRevision: change.revision });
    }
    for (const w of this.watchers) {
      for (const e of events) if (e.key.startsWith(w.prefix)) w.onEvent(e);
    }
  }

  /** Registers a watcher; returns its remover. */
  watch(prefix: string, onEvent: (e: KvEvent) => void): () => void {
    const w = { prefix, onEvent };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  /**
   * A frozen copy of every entry at the current revision (values are never mutated in place:
   * every write stores a new array), paged like `getPage`: the embedded stores' `readView`.
   */
  view(): { revision: number; getPage(prefix: string, options: PageOptions): KvPage } {
    const all = this.entries();
    const revision = this.revision;
    return {
      revision,
      getPage(prefix, options) {
        const after = options.after;
        // Binary search for the first key past `after` (or at the prefix).
        const from = after !== undefined && after >= prefix ? after + "\u0000" : prefix;
        let lo = 0;
        let hi = all.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (all[mid]!.key < from) lo = mid + 1;
          else hi = mid;
        }
        const limit = Math.max(1, options.limit);
        const entries: KvEntry[] = [];
        let i = lo;
        for (; i < all.length && entries.length < limit; i++) {
          if (!all[i]!.key.startsWith(prefix)) break;
          entries.push(all[i]!);
        }
        checkResponseSize(entries, prefix);
        const more = i < all.length && all[i]!.key.startsWith(prefix);
        return { entries, more };
      },
    };
  }

  /** Every entry, for snapshots. */
  entries(): KvEntry[] {
    return this.getPrefix("");
  }

  /** Loads a snapshot. */
  load(entries: KvEntry[], revision: number): void {
    this.data.clear();
    for (const e of entries) {
      this.data.set(e.key, {
        value: e.value,
        createRevision: e.createRevision,
        modRevision: e.modRevision,
      });
    }
    this.revision = revision;
  }
}

/** Bytes a transaction's request carries (keys, values and a little framing per entry). */
export function txnRequestBytes(t: KvTxn): number {
  let n = 0;
  for (const c of t.compares) n += 16 + c.key.length + ("value" in c ? c.value.byteLength : 8);
  for (const op of [...t.success, ...(t.failure ?? [])]) {
    n += 16 + (op.type === "deletePrefix" ? op.prefix.length : op.key.length);
    if (op.type === "put") n += op.value.byteLength;
  }
  return n;
}

/** Refuses a transaction over etcd's default limits (nothing is applied). */
export function checkTxnLimits(t: KvTxn): void {
  const most = Math.max(t.compares.length, t.success.length, t.failure?.length ?? 0);
  if (most > METADATA_LIMITS.maxTxnOps) {
    throw new MetadataLimitError(
      `Cannot commit a transaction of ${most} operations: the limit is ` +
        `${METADATA_LIMITS.maxTxnOps} (etcd: too many operations in txn request)`,
    );
  }
  const bytes = txnRequestBytes(t);
  if (bytes > METADATA_LIMITS.maxRequestBytes) {
    throw new MetadataLimitError(
      `Cannot commit a transaction of ${bytes} bytes: the limit is ` +
        `${METADATA_LIMITS.maxRequestBytes} (etcd: request is too large)`,
    );
  }
}
