/**
 * Durable-write helpers for the local-directory backends.
 * @module
 */

/** Fsyncs a directory so a rename or link inside it survives a crash (best effort). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const d = await Deno.open(dir, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  } catch { /* some platforms cannot fsync a directory */ }
}

/**
 * Writes `bytes` to a new file and fsyncs it. The write is synchronous: it only reaches the page
 * cache, and an awaited write costs a turn of a busy event loop on every acknowledgement's path
 * (measured: about a tenth of the throughput of a saturating producer). Opening stays
 * asynchronous, as creating a file can wait for a journal commit that another fsync started.
 */
export async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const f = await Deno.open(path, { create: true, write: true, truncate: true });
  try {
    for (let at = 0; at < bytes.byteLength;) at += f.writeSync(bytes.subarray(at));
    await f.syncData();
  } finally {
    f.close();
  }
}
