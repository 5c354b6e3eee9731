/**
 * The memory object store (`KAFSCALE_USE_MEMORY_S3=1`): objects in a Map, lost on exit.
 * A real, supported backend; it passes the same conformance suite as the others.
 * @module
 */
import {
  type ByteRange,
  ObjectExistsError,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
} from "./types.ts";

/** Objects kept in memory. */
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, { bytes: Uint8Array; at: number }>();

  put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    if (options.ifNoneMatch && this.objects.has(key)) {
      return Promise.reject(new ObjectExistsError(key));
    }
    this.objects.set(key, { bytes: body.slice(), at: Date.now() });
    return Promise.resolve();
  }
  get(key: string, range?: ByteRange): Promise<Uint8Array | null> {
    const o = this.objects.get(key)?.bytes;
    if (!o) return Promise.resolve(null);
    return Promise.resolve(
      range ? o.slice(range.start, Math.min(range.end, o.byteLength)) : o.slice(),
    );
  }
  delete(key: string): Promise<void> {
    this.objects.delete(key);
    return Promise.resolve();
  }
  list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    for (const [key, o] of this.objects) {
      if (key.startsWith(prefix)) out.push({ key, size: o.bytes.byteLength, lastModified: o.at });
    }
    return Promise.resolve(out.sort((a, b) => (a.key < b.key ? -1 : 1)));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
