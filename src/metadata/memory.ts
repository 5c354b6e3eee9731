/**
 * The memory metadata store: linearizable and etcd-shaped, lost on exit. A real, supported
 * backend (tests and single-process runs), not a stand-in.
 * @module
 */
import { KvEngine } from "./_kv_engine.ts";
import { readAllPages } from "./paging.ts";
import type {
  KvEntry,
  KvEvent,
  KvPage,
  KvTxn,
  KvTxnResult,
  KvWatch,
  LeasedKey,
  LeasedPuts,
  MetadataStore,
  PageOptions,
  ReadView,
} from "./types.ts";

/** Metadata kept in memory. Leased keys live until revoked (the process is the lease). */
export class MemoryMetadataStore implements MetadataStore, LeasedPuts {
  private readonly engine = new KvEngine();

  get(key: string): Promise<KvEntry | null> {
    return Promise.resolve(this.engine.get(key));
  }
  getPrefix(prefix: string): Promise<KvEntry[]> {
    return readAllPages(this, prefix);
  }
  getPage(prefix: string, options: PageOptions): Promise<KvPage> {
    try {
      return Promise.resolve(this.engine.getPage(prefix, options));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  async put(key: string, value: Uint8Array): Promise<number> {
    await Promise.resolve(); // errors reject, as with the other adapters
    this.engine.apply([{ type: "put", key, value }]);
    return this.engine.revision;
  }
  async delete(key: string): Promise<void> {
    await Promise.resolve();
    this.engine.apply([{ type: "delete", key }]);
  }
  async txn(txn: KvTxn): Promise<KvTxnResult> {
    await Promise.resolve();
    const { succeeded } = this.engine.txn(txn);
    return { succeeded, revision: this.engine.revision };
  }
  /** A frozen copy of the keys (in-process: one step, so every page sees one revision). */
  async readView(): Promise<ReadView> {
    await Promise.resolve();
    const view = this.engine.view();
    return {
      revision: view.revision,
      getPage: (prefix, options) => {
        try {
          return Promise.resolve(view.getPage(prefix, options));
        } catch (e) {
          return Promise.reject(e);
        }
      },
      close: () => Promise.resolve(),
    };
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
