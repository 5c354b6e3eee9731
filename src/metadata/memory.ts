/**
 * The memory metadata store: linearizable and etcd-shaped, lost on exit. A real, supported
 * backend (tests and single-process runs), not a stand-in.
 * @module
 */
import { KvEngine } from "./_kv_engine.ts";
import type {
  KvEntry,
  KvEvent,
  KvTxn,
  KvTxnResult,
  KvWatch,
  LeasedKey,
  LeasedPuts,
  MetadataStore,
} from "./types.ts";

/** Metadata kept in memory. Leased keys live until revoked (the process is the lease). */
export class MemoryMetadataStore implements MetadataStore, LeasedPuts {
  private readonly engine = new KvEngine();

  get(key: string): Promise<KvEntry | null> {
    return Promise.resolve(this.engine.get(key));
  }
  getPrefix(prefix: string): Promise<KvEntry[]> {
    return Promise.resolve(this.engine.getPrefix(prefix));
  }
  put(key: string, value: Uint8Array): Promise<number> {
    this.engine.apply([{ type: "put", key, value }]);
    return Promise.resolve(this.engine.revision);
  }
  delete(key: string): Promise<void> {
    this.engine.apply([{ type: "delete", key }]);
    return Promise.resolve();
  }
  txn(txn: KvTxn): Promise<KvTxnResult> {
    const { succeeded } = this.engine.txn(txn);
    return Promise.resolve({ succeeded, revision: this.engine.revision });
  }
  watch(prefix: string, onEvent: (event: KvEvent) => void): Promise<KvWatch> {
    const stop = this.engine.watch(prefix, onEvent);
    return Promise.resolve({ close: () => Promise.resolve(void stop()) });
  }
  async putLeased(key: string, value: Uint8Array, _ttlSeconds: number): Promise<LeasedKey> {
    await this.put(key, value);
    return { revoke: () => this.delete(key) };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
