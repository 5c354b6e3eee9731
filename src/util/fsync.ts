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
 * Writes `bytes` to a new file and fsyncs it. Opening and writing are synchronous: they only
 * reach the page cache (Deno runs them on the calling thread either way), and each awaited step
 * costs a turn of a busy event loop on every acknowledgement's path. The fsync, which waits
 * for the disk, is awaited.
 */
export async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const f = Deno.openSync(path, { create: true, write: true, truncate: true });
  try {
    for (let at = 0; at < bytes.byteLength;) at += f.writeSync(bytes.subarray(at));
    await f.syncData();
  } finally {
    f.close();
  }
}
