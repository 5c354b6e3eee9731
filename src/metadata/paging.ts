/**
 * Prefix reads in pages (DESIGN.md invariant 8): etcd answers one range in one gRPC message,
 * and a message over the client's receive limit fails the whole read, so every adapter reads a
 * prefix page by page. A page refused as too large is asked for again at half the size.
 * @module
 */
import {
  type KvEntry,
  type KvPage,
  METADATA_LIMITS,
  MetadataLimitError,
  type PageOptions,
} from "./types.ts";

/** Keys per page to start with; small records fit by the thousand under 4 MiB. */
export const DEFAULT_PAGE_KEYS = 1000;

/** Reads every key under `prefix`, in key order, with as many page reads as needed. */
export async function readAllPages(
  store: { getPage(prefix: string, options: PageOptions): Promise<KvPage> },
  prefix: string,
  pageKeys = DEFAULT_PAGE_KEYS,
): Promise<KvEntry[]> {
  const out: KvEntry[] = [];
  let after: string | undefined;
  let limit = pageKeys;
  for (;;) {
    let page: KvPage;
    try {
      page = await store.getPage(prefix, { after, limit });
    } catch (e) {
      if (!(e instanceof MetadataLimitError) || limit === 1) throw e;
      limit = Math.max(1, Math.floor(limit / 2));
      continue;
    }
    out.push(...page.entries);
    const last = page.entries[page.entries.length - 1];
    if (!page.more || !last) return out;
    after = last.key;
    limit = pageKeys;
  }
}

/** Bytes an entry takes in a range response (key, value and etcd's per-key fields). */
export function entryBytes(e: KvEntry): number {
  return e.key.length + e.value.byteLength + 32;
}

/** Refuses a page whose response would pass the receive limit (what etcd's client does). */
export function checkResponseSize(entries: readonly KvEntry[], prefix: string): void {
  let bytes = 0;
  for (const e of entries) bytes += entryBytes(e);
  if (bytes > METADATA_LIMITS.maxResponseBytes) {
    throw new MetadataLimitError(
      `Cannot read ${prefix}: the answer (${bytes} bytes) is larger than the ` +
        `${METADATA_LIMITS.maxResponseBytes}-byte receive limit; read fewer keys per page`,
    );
  }
}
