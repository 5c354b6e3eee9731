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

/** Writes `bytes` to a new file and fsyncs it. */
export async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const f = await Deno.open(path, { create: true, write: true, truncate: true });
  try {
    for (let at = 0; at < bytes.byteLength;) at += await f.write(bytes.subarray(at));
    await f.syncData();
  } finally {
    f.close();
  }
}
