/**
 * Metrics around any metadata store: counts requests and errors, logs the first failure of a
 * run once, and keeps the time the store last answered
 * (`kafscale_metadata_last_answer_age_seconds`).
 * @module
 */
import type {
  KvEntry,
  KvEvent,
  KvPage,
  KvTxn,
  KvTxnResult,
  KvWatch,
  MetadataStore,
  PageOptions,
  ReadView,
} from "./types.ts";
import { readAllPages } from "./paging.ts";
import type { BrokerMetrics } from "../metrics/metrics.ts";
import type { Logger } from "../metrics/logger.ts";

/** A metadata store that reports what happens to it. */
export class InstrumentedMetadataStore implements MetadataStore {
  private failing = false;

  constructor(
    private readonly inner: MetadataStore,
    private readonly metrics: BrokerMetrics,
    private readonly log: Logger,
  ) {}

  private async track<T>(op: string, run: () => Promise<T>): Promise<T> {
    this.metrics.metadataRequests.inc({ op });
    try {
      const v = await run();
      this.metrics.metadataLastOk = Date.now();
      if (this.failing) {
        this.failing = false;
        this.log.info("metadata store recovered", { op });
      }
      return v;
    } catch (e) {
      this.metrics.storageErrors.inc({ store: "metadata", op });
      if (!this.failing) {
        this.failing = true;
        this.log.error("metadata store failing", { op, error: e });
      }
      throw e;
    }
  }

  get(key: string): Promise<KvEntry | null> {
    return this.track("get", () => this.inner.get(key));
  }
  getPrefix(prefix: string): Promise<KvEntry[]> {
    return readAllPages(this, prefix); // each page is one request, counted as such
  }
  getPage(prefix: string, options: PageOptions): Promise<KvPage> {
    return this.track("getPage", () => this.inner.getPage(prefix, options));
  }
  put(key: string, value: Uint8Array): Promise<number> {
    return this.track("put", () => this.inner.put(key, value));
  }
  delete(key: string): Promise<void> {
    return this.track("delete", () => this.inner.delete(key));
  }
  txn(txn: KvTxn): Promise<KvTxnResult> {
    return this.track("txn", () => this.inner.txn(txn));
  }
  watch(prefix: string, onEvent: (event: KvEvent) => void): Promise<KvWatch> {
    return this.track("watch", () => this.inner.watch(prefix, onEvent));
  }
  async readView(): Promise<ReadView> {
    const view = await this.track("readView", () => this.inner.readView());
    return {
      revision: view.revision,
      getPage: (prefix, options) => this.track("getPage", () => view.getPage(prefix, options)),
      close: () => view.close(),
    };
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
