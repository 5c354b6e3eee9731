/**
 * The local-directory object store (the embedded default). Writes are atomic and durable:
 * the bytes go to a temp file that is fsynced, then renamed (or, for `ifNoneMatch`, hard-linked,
 * which fails if the name exists, so exactly one racing writer wins), then the directory is
 * fsynced (through a handle kept open). A hard-linked temp name is removed after the PUT
 * returns; listings skip temp names. A `fresh` PUT (a new, unique key nobody reads yet) is
 * written in place, its data and directory fsynced at once (see `putInPlace`). Keys map to
 * paths under the root; keys with `..`, empty segments or a leading `/` are refused. A listing
 * skips objects deleted while it runs. Directories are never removed by the store; one removed
 * behind its back is created again.
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

/** Directory handles kept open for fsyncs (objects live in a handful of directories). */
const MAX_DIR_HANDLES = 32;

/** Objects as files under a root directory. */
export class FilesystemObjectStore implements ObjectStore {
  private tmpCounter = 0;

  /** Directories this process created or found (see `put`). */
  private readonly madeDirs = new Set<string>();
  /** Handles (being opened) of directories fsynced after PUTs (see `syncDirectory`). */
  private readonly dirHandles = new Map<string, Promise<Deno.FsFile | null>>();
  /** Temp files being removed (see `put`). */
  private readonly removals = new Set<Promise<void>>();

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
    if (options.ifNoneMatch && options.fresh && this.madeDirs.has(dir)) {
      if (await this.putInPlace(key, path, dir, body)) return;
    }
    if (!this.madeDirs.has(dir)) await Deno.mkdir(dir, { recursive: true });
    try {
      await writeSynced(tmp, body);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      await this.forgetDir(dir);
      await Deno.mkdir(dir, { recursive: true });
      await writeSynced(tmp, body);
    }
    this.madeDirs.add(dir);
    if (options.ifNoneMatch) {
      try {
        await Deno.link(tmp, path);
      } catch (e) {
        this.removeTemp(tmp);
        if (e instanceof Deno.errors.AlreadyExists) throw new ObjectExistsError(key);
        throw e;
      }
      // The object is in place under its key: the temp name goes off the acknowledgement path.
      this.removeTemp(tmp);
    } else {
      try {
        await Deno.rename(tmp, path);
      } catch (e) {
        this.removeTemp(tmp);
        throw e;
      }
    }
    await this.syncDirectory(dir);
  }

  /**
   * A `fresh` PUT: writes the object under its own name and fsyncs its data and its directory
   * entry at once (the two fsyncs overlap instead of following each other, and no link or temp
   * name is needed: a third of the PUT's time under a saturating producer). False when the
   * directory is gone (the caller creates it and takes the general path).
   */
  private async putInPlace(
    key: string,
    path: string,
    dir: string,
    body: Uint8Array,
  ): Promise<boolean> {
    let f: Deno.FsFile;
    try {
      f = await Deno.open(path, { createNew: true, write: true });
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) throw new ObjectExistsError(key);
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      this.madeDirs.delete(dir);
      await this.forgetDir(dir);
      return false;
    }
    try {
      // Synchronous, as in writeSynced (util/fsync.ts).
      for (let at = 0; at < body.byteLength;) at += f.writeSync(body.subarray(at));
      await Promise.all([f.syncData(), this.syncDirectory(dir)]);
    } catch (e) {
      f.close();
      await Deno.remove(path).catch(() => {});
      throw e;
    }
    f.close();
    return true;
  }

  /** Removes a temp file in the background (`close` waits for it). */
  private removeTemp(tmp: string): void {
    const removal = Deno.remove(tmp).catch(() => {}).finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  /**
   * Fsyncs a directory through a handle kept open for it: opening and closing the directory on
   * every PUT were two of the operations each acknowledgement waited for. The map holds the
   * opening itself, so concurrent PUTs into a new directory share one handle.
   */
  private async syncDirectory(dir: string): Promise<void> {
    let opening = this.dirHandles.get(dir);
    if (!opening) {
      if (this.dirHandles.size >= MAX_DIR_HANDLES) {
        void this.forgetDir(this.dirHandles.keys().next().value!);
      }
      opening = Deno.open(dir, { read: true }).catch(() => null);
      this.dirHandles.set(dir, opening);
    }
    const handle = await opening;
    try {
      if (!handle) throw new Error("cannot open the directory");
      await handle.sync();
    } catch {
      await this.forgetDir(dir);
      await syncDir(dir); // best effort, as before handles were kept
    }
  }

  /** Closes the handle kept for `dir` (it was removed, or fsyncing through it failed). */
  private async forgetDir(dir: string): Promise<void> {
    const opening = this.dirHandles.get(dir);
    this.dirHandles.delete(dir);
    const handle = await opening;
    try {
      handle?.close();
    } catch { /* already closed */ }
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

  async close(): Promise<void> {
    await Promise.all([...this.removals]);
    await Promise.all([...this.dirHandles.keys()].map((dir) => this.forgetDir(dir)));
  }
}
