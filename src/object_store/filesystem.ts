/**
 * The local-directory object store (the embedded default). Writes are atomic and durable:
 * the bytes go to a temp file that is fsynced, then renamed (or, for `ifNoneMatch`, hard-linked,
 * which fails if the name exists, so exactly one racing writer wins), then the directory is
 * fsynced. Keys map to paths under the root; keys with `..`, empty segments or a leading `/`
 * are refused. A listing skips objects deleted while it runs.
 * @module
 */
import {
  type ByteRange,
  ObjectExistsError,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
} from "./types.ts";
import { syncDir, writeSynced } from "../util/fsync.ts";

/**
 * A file's details, or null when it is gone: an object deleted (by retention, DeleteRecords or
 * the garbage collector) between listing its directory and reading its size is simply not
 * listed, as an S3 listing taken a moment later would not list it.
 */
async function statIfPresent(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** Objects as files under a root directory. */
export class FilesystemObjectStore implements ObjectStore {
  private tmpCounter = 0;

  /** Directories this process created or found (see `put`). */
  private readonly madeDirs = new Set<string>();

  constructor(private readonly root: string) {}

  private path(key: string): string {
    const parts = key.split("/");
    if (
      key === "" || parts.some((p) => p === "" || p === "." || p === "..") || key.includes("\0")
    ) {
      throw new RangeError(`Cannot use object key "${key}": empty, relative or absolute segments`);
    }
    return `${this.root}/${key}`;
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    const path = this.path(key);
    const dir = path.slice(0, path.lastIndexOf("/"));
    const tmp = `${dir}/.tmp-${Deno.pid}-${++this.tmpCounter}-${crypto.randomUUID()}`;
    // Directories are created once per process (a PUT is on every acknowledgement's path);
    // one removed behind our back is created again.
    if (!this.madeDirs.has(dir)) await Deno.mkdir(dir, { recursive: true });
    try {
      await writeSynced(tmp, body);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      await Deno.mkdir(dir, { recursive: true });
      await writeSynced(tmp, body);
    }
    this.madeDirs.add(dir);
    let renamed = false;
    try {
      if (options.ifNoneMatch) {
        try {
          await Deno.link(tmp, path);
        } catch (e) {
          if (e instanceof Deno.errors.AlreadyExists) throw new ObjectExistsError(key);
          throw e;
        }
      } else {
        await Deno.rename(tmp, path);
        renamed = true;
      }
    } finally {
      if (!renamed) await Deno.remove(tmp).catch(() => {});
    }
    await syncDir(dir);
  }

  async get(key: string, range?: ByteRange): Promise<Uint8Array | null> {
    let f: Deno.FsFile;
    try {
      f = await Deno.open(this.path(key), { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
    try {
      const size = (await f.stat()).size;
      const start = Math.min(range?.start ?? 0, size);
      const end = Math.min(range?.end ?? size, size);
      const out = new Uint8Array(Math.max(0, end - start));
      await f.seek(start, Deno.SeekMode.Start);
      for (let at = 0; at < out.byteLength;) {
        const n = await f.read(out.subarray(at));
        if (n === null) break;
        at += n;
      }
      return out;
    } finally {
      f.close();
    }
  }

  async delete(key: string): Promise<void> {
    await Deno.remove(this.path(key)).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    const base = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const walk = async (rel: string): Promise<void> => {
      let entries: Deno.DirEntry[];
      try {
        entries = await Array.fromAsync(Deno.readDir(rel ? `${this.root}/${rel}` : this.root));
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return;
        throw e;
      }
      for (const e of entries) {
        if (e.name.startsWith(".tmp-")) continue;
        const key = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory) {
          if (
            prefix.startsWith(key + "/") || key.startsWith(prefix) || (key + "/").startsWith(prefix)
          ) await walk(key);
        } else if (key.startsWith(prefix)) {
          const info = await statIfPresent(`${this.root}/${key}`);
          if (info) out.push({ key, size: info.size, lastModified: info.mtime?.getTime() ?? 0 });
        }
      }
    };
    await walk(base);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
