/**
 * The ACL port and its metadata-store adapter. Each ACL is one small record under
 * `acls/...` (src/metadata/records.ts), so every broker sharing the store sees the same ACLs.
 * Each broker keeps them in memory (an `AclIndex` the authorizer reads, replaced on every
 * change) and current with a watch on `acls/`: a change made through any broker counts on every
 * other within the watch's delay (milliseconds on etcd). A full re-read every `resyncMs` (30 s)
 * repairs a watch that missed events (a dropped etcd connection); events that arrive while it
 * reads are applied after it, in order.
 *
 * Writes wait until the broker's own watch has delivered them, so a client that creates an ACL
 * and then describes the ACLs through the same broker sees it (kafka-acls.sh does exactly that).
 * @module
 */
import type { KvEvent, KvWatch, MetadataStore } from "../metadata/types.ts";
import {
  type AclRecord,
  AclRecordSchema,
  decodeRecord,
  encodeRecord,
  keys,
} from "../metadata/records.ts";
import { type AclBinding, type AclFilter, filterMatches } from "./acl.ts";
import { AclIndex } from "./authorizer.ts";

/** Reads and writes ACLs. */
export interface AclStore {
  /** The current ACLs, indexed for the authorizer. */
  index(): AclIndex;
  /** The ACLs a filter matches. */
  list(filter: AclFilter): AclBinding[];
  /** Stores an ACL; false when the same ACL existed already (nothing written). */
  create(binding: AclBinding): Promise<boolean>;
  /** Deletes the ACLs a filter matches; resolves those this call deleted. */
  delete(filter: AclFilter): Promise<AclBinding[]>;
}

/** What the metadata ACL store needs besides the store. */
export interface MetadataAclStoreOptions {
  /** Full re-read interval (ms); 0 turns it off (tests). */
  resyncMs?: number;
  /** How long a write waits for its own watch event before re-reading instead (ms). */
  echoTimeoutMs?: number;
  now?(): number;
  /** A record that cannot be read (skipped) or a re-read that failed. */
  onError?(what: string, error: unknown): void;
}

/** A write waiting for the watch to deliver it. */
interface Echo {
  key: string;
  revision: number;
  deleted: boolean;
  done(): void;
}

interface Held {
  binding: AclBinding;
  modRevision: number;
}

function toBinding(r: AclRecord): AclBinding {
  return {
    resourceType: r.resource_type,
    resourceName: r.resource_name,
    patternType: r.pattern_type,
    principal: r.principal,
    host: r.host,
    operation: r.operation,
    permission: r.permission,
  };
}

/** ACLs in the metadata store, mirrored in memory (see the module doc). */
export class MetadataAclStore implements AclStore {
  private held = new Map<string, Held>();
  private current = new AclIndex([]);
  private watch: KvWatch | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Revisions of deletes the watch delivered since the last full read (for `seen`). */
  private gone = new Map<string, number>();
  /** Events that arrive during a full read, applied after it. */
  private buffered: KvEvent[] | null = null;
  private readonly echoes = new Set<Echo>();
  private closed = false;

  constructor(
    private readonly meta: MetadataStore,
    private readonly options: MetadataAclStoreOptions = {},
  ) {}

  /** Starts watching, reads every ACL, and re-reads every `resyncMs`. */
  async start(): Promise<void> {
    this.watch = await this.meta.watch(keys.aclsPrefix(), (e) => this.onEvent(e));
    await this.reload();
    const every = this.options.resyncMs ?? 30_000;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.reload().catch((e) => this.options.onError?.("Cannot re-read the ACLs", e));
      }, every);
    }
  }

  /** Stops the watch and the re-reads. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const e of this.echoes) e.done();
    await this.watch?.close();
  }

  index(): AclIndex {
    return this.current;
  }

  list(filter: AclFilter): AclBinding[] {
    return [...this.held.values()].map((h) => h.binding).filter((b) => filterMatches(filter, b));
  }

  async create(binding: AclBinding): Promise<boolean> {
    const key = keys.acl(binding);
    const value = encodeRecord(AclRecordSchema, {
      resource_type: binding.resourceType,
      resource_name: binding.resourceName,
      pattern_type: binding.patternType,
      principal: binding.principal,
      host: binding.host,
      operation: binding.operation,
      permission: binding.permission,
      created_ms: (this.options.now ?? Date.now)(),
    });
    const r = await this.meta.txn({
      compares: [{ key, modRevision: 0 }],
      success: [{ type: "put", key, value }],
    });
    if (r.succeeded) await this.echo({ key, revision: r.revision, deleted: false });
    return r.succeeded;
  }

  async delete(filter: AclFilter): Promise<AclBinding[]> {
    const deleted: AclBinding[] = [];
    for (const [key, h] of [...this.held]) {
      if (!filterMatches(filter, h.binding)) continue;
      // Only the ACL as we know it: one changed or deleted meanwhile is someone else's.
      const r = await this.meta.txn({
        compares: [{ key, modRevision: h.modRevision }],
        success: [{ type: "delete", key }],
      });
      if (!r.succeeded) continue;
      deleted.push(h.binding);
      await this.echo({ key, revision: r.revision, deleted: true });
    }
    return deleted;
  }

  /** Waits until the watch has delivered a write (else, after a while, re-reads everything). */
  private async echo(write: Omit<Echo, "done">): Promise<void> {
    if (this.seen(write)) return;
    const { promise, resolve } = Promise.withResolvers<void>();
    const waiter = { ...write, done: resolve };
    this.echoes.add(waiter);
    const timer = setTimeout(resolve, this.options.echoTimeoutMs ?? 5_000);
    try {
      await promise;
    } finally {
      clearTimeout(timer);
      this.echoes.delete(waiter);
    }
    if (!this.closed && !this.seen(write)) await this.reload();
  }

  /** Whether the mirror reflects a write (or something later of the same key). */
  private seen(w: Omit<Echo, "done">): boolean {
    const h = this.held.get(w.key);
    if (w.deleted) return !h || h.modRevision >= w.revision;
    return h ? h.modRevision >= w.revision : (this.gone.get(w.key) ?? -1) >= w.revision;
  }

  private onEvent(e: KvEvent): void {
    if (this.buffered) this.buffered.push(e);
    else if (this.apply(e)) this.rebuild();
    for (const w of this.echoes) if (w.key === e.key && e.modRevision >= w.revision) w.done();
  }

  /** Applies one watch event to the mirror; true when it changed. */
  private apply(e: KvEvent): boolean {
    const had = this.held.get(e.key);
    if (had && had.modRevision >= e.modRevision) return false; // older than what we hold
    if (e.type === "delete") {
      this.gone.set(e.key, e.modRevision);
      return this.held.delete(e.key);
    }
    this.gone.delete(e.key);
    try {
      const binding = toBinding(decodeRecord(AclRecordSchema, e.key, e.value));
      this.held.set(e.key, { binding, modRevision: e.modRevision });
      return true;
    } catch (err) {
      this.options.onError?.("Cannot read an ACL record; it is ignored", err);
      return false;
    }
  }

  /** Reads every ACL, then applies the events that arrived meanwhile. */
  private async reload(): Promise<void> {
    if (this.buffered) return; // one read at a time
    this.buffered = [];
    let events: KvEvent[];
    try {
      const entries = await this.meta.getPrefix(keys.aclsPrefix());
      const next = new Map<string, Held>();
      for (const e of entries) {
        try {
          const binding = toBinding(decodeRecord(AclRecordSchema, e.key, e.value));
          next.set(e.key, { binding, modRevision: e.modRevision });
        } catch (err) {
          this.options.onError?.("Cannot read an ACL record; it is ignored", err);
        }
      }
      this.held = next;
      this.gone = new Map();
    } finally {
      events = this.buffered;
      this.buffered = null;
    }
    for (const e of events) this.apply(e);
    this.rebuild();
    for (const w of this.echoes) if (this.seen(w)) w.done();
  }

  private rebuild(): void {
    this.current = new AclIndex([...this.held.values()].map((h) => h.binding));
  }
}
