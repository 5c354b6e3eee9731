/**
 * The cluster id: created once in the metadata store and shared by every broker using it.
 * @module
 */
import type { MetadataStore } from "../metadata/types.ts";

const KEY = "cluster/id";

/** Reads the cluster id, creating a random one on first start. */
export async function loadClusterId(meta: MetadataStore): Promise<string> {
  const decoder = new TextDecoder();
  for (;;) {
    const entry = await meta.get(KEY);
    if (entry) return decoder.decode(entry.value);
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
      .replace(/=+$/, "");
    const res = await meta.txn({
      compares: [{ key: KEY, modRevision: 0 }],
      success: [{ type: "put", key: KEY, value: new TextEncoder().encode(id) }],
    });
    if (res.succeeded) return id;
  }
}
