/**
 * The metadata store port: a small key-value store with revisions, conditional transactions and
 * watches, shaped after etcd's API so the embedded and etcd adapters are interchangeable.
 * All metadata (topics, partition state, groups, committed offsets) lives behind it.
 * @module
 */

/** One stored key. `modRevision` changes on every write of the key; `createRevision` on creation. */
export interface KvEntry {
  key: string;
  value: Uint8Array;
  createRevision: number;
  modRevision: number;
}

/**
 * A condition of a transaction. `modRevision: 0` means "the key must not exist";
 * `value` compares the stored bytes exactly.
 */
export type KvCompare =
  | { key: string; modRevision: number }
  | { key: string; value: Uint8Array };

/** A write inside a transaction. */
export type KvOp =
  | { type: "put"; key: string; value: Uint8Array }
  | { type: "delete"; key: string }
  | { type: "deletePrefix"; prefix: string };

/** A transaction: if every compare holds, apply `success` atomically, else `failure`. */
export interface KvTxn {
  compares: KvCompare[];
  success: KvOp[];
  failure?: KvOp[];
}

/** The outcome of a transaction. `revision` is the store revision after it. */
export interface KvTxnResult {
  succeeded: boolean;
  revision: number;
}

/** A change seen by a watch. For deletes `value` is empty. */
export interface KvEvent {
  type: "put" | "delete";
  key: string;
  value: Uint8Array;
  modRevision: number;
}

/** A running watch; `close` stops it. */
export interface KvWatch {
  close(): Promise<void>;
}

/** A key kept alive by its writer; `revoke` deletes it at once. */
export interface LeasedKey {
  revoke(): Promise<void>;
}

/**
 * Optional capability of a shared metadata store (etcd leases): a key that disappears when its
 * writer stops renewing it (the process died or lost etcd for longer than the TTL). Brokers
 * register under such keys so the others know who is alive.
 */
export interface LeasedPuts {
  putLeased(key: string, value: Uint8Array, ttlSeconds: number): Promise<LeasedKey>;
}

/** Raised when the metadata backend is unreachable; callers map it to a retriable Kafka error. */
export class MetadataUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MetadataUnavailableError";
  }
}

/**
 * etcd's default limits, which every adapter enforces (DESIGN.md invariant 8), so a test on the
 * embedded store fails where etcd would: operations per list of a transaction (`--max-txn-ops`),
 * bytes of one request (`--max-request-bytes`) and of one response (the gRPC client's receive
 * limit).
 */
export const METADATA_LIMITS = {
  maxTxnOps: 128,
  maxRequestBytes: 1.5 * 1024 * 1024,
  maxResponseBytes: 4 * 1024 * 1024,
} as const;

/**
 * Raised when a request breaks one of `METADATA_LIMITS`: nothing was applied, and sending the
 * same request again cannot help (split it, or page the read).
 */
export class MetadataLimitError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MetadataLimitError";
  }
}

/** One page of a prefix read: keys after `after`, sorted; `more` when the range goes on. */
export interface KvPage {
  entries: KvEntry[];
  more: boolean;
}

/** Where a page starts and how many keys it may hold. */
export interface PageOptions {
  /** Only keys strictly after this one (the last key of the previous page). */
  after?: string;
  limit: number;
}

/**
 * A read of the whole store at one revision (a consistent point): every page read through it
 * sees the keys as they were when it was opened, whatever is written meanwhile. Snapshots for
 * disaster recovery read through one (src/recovery/snapshot.ts).
 */
export interface ReadView {
  /** The store revision the view reads at. */
  readonly revision: number;
  /** One page of the keys starting with `prefix`, as they were at `revision`. */
  getPage(prefix: string, options: PageOptions): Promise<KvPage>;
  /** Releases what the view holds. */
  close(): Promise<void>;
}

/** The metadata store. Implementations are safe for concurrent calls and linearizable. */
export interface MetadataStore {
  get(key: string): Promise<KvEntry | null>;
  /**
   * All keys starting with `prefix`, sorted by key, read page by page (never one unbounded
   * range: see `readAllPages`).
   */
  getPrefix(prefix: string): Promise<KvEntry[]>;
  /** One page of the keys starting with `prefix`; a page over the response limit is refused. */
  getPage(prefix: string, options: PageOptions): Promise<KvPage>;
  /** Unconditional write; resolves the new revision once durable. */
  put(key: string, value: Uint8Array): Promise<number>;
  delete(key: string): Promise<void>;
  /** Atomic compare-and-apply; resolves once durable. */
  txn(txn: KvTxn): Promise<KvTxnResult>;
  /**
   * Calls `onEvent` for every change under `prefix` made after the watch started (by this or any
   * other process sharing the backend), in revision order.
   */
  watch(prefix: string, onEvent: (event: KvEvent) => void): Promise<KvWatch>;
  /**
   * Opens a consistent read of the store at its current revision (etcd: ranges at a fixed
   * revision, which fail once etcd compacted it away; the caller then starts over with a new
   * view).
   */
  readView(): Promise<ReadView>;
  /** Releases connections, timers and file handles. */
  close(): Promise<void>;
}
