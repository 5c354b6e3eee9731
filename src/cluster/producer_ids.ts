/**
 * Producer id allocation shared by every broker on the same metadata store: each broker
 * reserves a block of ids with a conditional transaction and hands them out from memory.
 * @module
 */
import type { MetadataStore } from "../metadata/types.ts";
import type { ProducerIdSource } from "../handlers/services.ts";

const KEY = "producer_ids/next_block";
const BLOCK = 1000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Allocates producer ids in blocks reserved in the metadata store. */
export class BlockProducerIds implements ProducerIdSource {
  private next_ = 0;
  private end = 0;
  private reserving: Promise<void> | null = null;

  constructor(private readonly meta: MetadataStore) {}

  /** The next unused producer id. */
  async next(): Promise<number> {
    while (this.next_ >= this.end) {
      this.reserving ??= this.reserve().finally(() => this.reserving = null);
      await this.reserving;
    }
    return this.next_++;
  }

  private async reserve(): Promise<void> {
    for (;;) {
      const entry = await this.meta.get(KEY);
      const start = entry ? Number(decoder.decode(entry.value)) : 0;
      const res = await this.meta.txn({
        compares: [{ key: KEY, modRevision: entry?.modRevision ?? 0 }],
        success: [{ type: "put", key: KEY, value: encoder.encode(String(start + BLOCK)) }],
      });
      if (res.succeeded) {
        this.next_ = start;
        this.end = start + BLOCK;
        return;
      }
    }
  }
}
