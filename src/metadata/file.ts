/**
 * The embedded default metadata store: durable in a local directory, across restarts and
 * `kill -9`. Each change is appended to a write-ahead log (length, CRC32C, JSON) and fsynced
 * before the caller is answered; concurrent changes share one write and one fsync (group
 * commit). When the log grows past a threshold, the whole state is written atomically as a
 * snapshot (temp file, fsync, rename, fsync of the directory) and the log starts anew.
 * Reopening loads the snapshot and replays the log; a torn last record (a crash mid-write)
 * fails its checksum and is cut off. One process at a time: a lock file holds the owner's pid.
 * @module
 */
import { fromBase64, toBase64 } from "../util/base64.ts";
import { crc32c } from "../protocol/records/crc32c.ts";
import { syncDir, writeSynced } from "../util/fsync.ts";
import { type AppliedChange, KvEngine } from "./_kv_engine.ts";
import { readAllPages } from "./paging.ts";
import {
  type KvEntry,
  type KvEvent,
  type KvPage,
  type KvTxn,
  type KvTxnResult,
  type KvWatch,
  type MetadataStore,
  MetadataUnavailableError,
  type PageOptions,
  type ReadView,
} from "./types.ts";

const WAL = "wal.log";
const SNAPSHOT = "snapshot.json";
const LOCK = "LOCK";
const LOCK_WAIT_MS = 2000;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Options of the file store. */
export interface FileStoreOptions {
  /** Log size that triggers a snapshot (bytes). */
  compactBytes?: number;
}

function encodeChange(c: AppliedChange): Uint8Array {
  const json = enc.encode(JSON.stringify({
    r: c.revision,
    p: c.puts.map((p) => [p.key, toBase64(p.value), p.createRevision]),
    d: c.deletes,
  }));
  const out = new Uint8Array(8 + json.byteLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, json.byteLength);
  v.setUint32(4, crc32c(json));
  out.set(json, 8);
  return out;
}

function decodeChange(json: Uint8Array): AppliedChange {
  const o = JSON.parse(dec.decode(json)) as {
    r: number;
    p: [string, string, number][];
    d: string[];
  };
  return {
    revision: o.r,
    puts: o.p.map(([key, v, createRevision]) => ({ key, value: fromBase64(v), createRevision })),
    deletes: o.d,
  };
}

/** Metadata in a local directory. */
export class FileMetadataStore implements MetadataStore {
  private readonly engine = new KvEngine();
  private queue: { bytes: Uint8Array; done: () => void; fail: (e: unknown) => void }[] = [];
  private wake: (() => void) | null = null;
  private writer: Promise<void> | null = null;
  private wal!: Deno.FsFile;
  private walBytes = 0;
  private broken: unknown = null;
  private lockFile: Deno.FsFile | null = null;
  private closed = false;

  private constructor(private readonly dir: string, private readonly compactBytes: number) {}

  /** Opens (creating if needed) the store in `dir`. */
  static async open(dir: string, options: FileStoreOptions = {}): Promise<FileMetadataStore> {
    await Deno.mkdir(dir, { recursive: true });
    const s = new FileMetadataStore(dir, options.compactBytes ?? 32 * 1024 * 1024);
    await s.takeLock();
    await s.load();
    s.writer = s.writeLoop();
    return s;
  }

  /**
   * Takes an exclusive kernel lock (flock) on LOCK: released by the OS when the process dies,
   * even by kill -9, so a stale lock never blocks a restart.
   */
  private async takeLock(): Promise<void> {
    const f = await Deno.open(`${this.dir}/${LOCK}`, { create: true, read: true, write: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const acquired = f.lock(true).then(() => true);
    const timedOut = new Promise<boolean>((r) => timer = setTimeout(() => r(false), LOCK_WAIT_MS));
    if (!(await Promise.race([acquired, timedOut]))) {
      // Release the lock if the other holder goes away later; this process gives up now.
      acquired.then(() => f.unlock()).finally(() => f.close()).catch(() => {});
      throw new Error(
        `Cannot open metadata directory ${this.dir}: another broker process holds its lock`,
      );
    }
    clearTimeout(timer);
    await f.truncate(0);
    await f.write(enc.encode(String(Deno.pid)));
    this.lockFile = f;
  }

  private async load(): Promise<void> {
    let snapshotRevision = 0;
    try {
      const snap = JSON.parse(await Deno.readTextFile(`${this.dir}/${SNAPSHOT}`)) as {
        revision: number;
        entries: [string, string, number, number][];
      };
      snapshotRevision = snap.revision;
      this.engine.load(
        snap.entries.map(([key, v, createRevision, modRevision]) => ({
          key,
          value: fromBase64(v),
          createRevision,
          modRevision,
        })),
        snap.revision,
      );
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new Error(`Cannot read metadata snapshot: ${e}`);
      }
    }
    let bytes = new Uint8Array(0);
    try {
      bytes = await Deno.readFile(`${this.dir}/${WAL}`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    while (at + 8 <= bytes.byteLength) {
      const len = v.getUint32(at);
      const json = bytes.subarray(at + 8, at + 8 + len);
      if (json.byteLength !== len || crc32c(json) !== v.getUint32(at + 4)) break; // torn tail
      const change = decodeChange(json);
      if (change.revision > snapshotRevision) this.engine.replay(change);
      at += 8 + len;
    }
    this.wal = await Deno.open(`${this.dir}/${WAL}`, { create: true, write: true, read: true });
    await this.wal.truncate(at); // drop a torn tail so new records follow whole ones
    await this.wal.seek(at, Deno.SeekMode.Start);
    this.walBytes = at;
  }

  private async writeLoop(): Promise<void> {
    while (!this.closed || this.queue.length > 0) {
      if (this.queue.length === 0) {
        if (this.walBytes > this.compactBytes) await this.compact().catch((e) => this.broken = e);
        if (this.queue.length === 0 && !this.closed) await new Promise<void>((r) => this.wake = r);
        this.wake = null;
        continue;
      }
      const batch = this.queue;
      this.queue = [];
      try {
        if (this.broken) throw this.broken;
        const total = batch.reduce((n, x) => n + x.bytes.byteLength, 0);
        const buf = new Uint8Array(total);
        let at = 0;
        for (const x of batch) {
          buf.set(x.bytes, at);
          at += x.bytes.byteLength;
        }
        // Synchronous: it reaches the page cache only (see writeSynced); the fsync is awaited.
        for (let w = 0; w < buf.byteLength;) w += this.wal.writeSync(buf.subarray(w));
        await this.wal.syncData();
        this.walBytes += total;
        for (const x of batch) x.done();
      } catch (e) {
        this.broken ??= e;
        const err = new MetadataUnavailableError(`Cannot write metadata log in ${this.dir}: ${e}`);
        for (const x of batch) x.fail(err);
      }
    }
  }

  private async compact(): Promise<void> {
    const entries = this.engine.entries().map((
      e,
    ) => [e.key, toBase64(e.value), e.createRevision, e.modRevision]);
    const body = JSON.stringify({ revision: this.engine.revision, entries });
    const tmp = `${this.dir}/${SNAPSHOT}.tmp`;
    await writeSynced(tmp, enc.encode(body));
    await Deno.rename(tmp, `${this.dir}/${SNAPSHOT}`);
    await syncDir(this.dir);
    await this.wal.truncate(0);
    await this.wal.seek(0, Deno.SeekMode.Start);
    await this.wal.syncData();
    this.walBytes = 0;
  }

  private persist(change: AppliedChange | null): Promise<void> {
    if (!change) return Promise.resolve();
    return new Promise((done, fail) => {
      this.queue.push({ bytes: encodeChange(change), done, fail });
      this.wake?.();
    });
  }

  private check(): void {
    if (this.closed) throw new MetadataUnavailableError("Cannot use metadata store: closed");
    if (this.broken) {
      throw new MetadataUnavailableError(`Cannot use metadata store: ${this.broken}`);
    }
  }

  get(key: string): Promise<KvEntry | null> {
    this.check();
    return Promise.resolve(this.engine.get(key));
  }
  getPrefix(prefix: string): Promise<KvEntry[]> {
    return readAllPages(this, prefix);
  }
  async getPage(prefix: string, options: PageOptions): Promise<KvPage> {
    await Promise.resolve(); // errors reject, as with the other adapters
    this.check();
    return this.engine.getPage(prefix, options);
  }
  async put(key: string, value: Uint8Array): Promise<number> {
    this.check();
    const change = this.engine.apply([{ type: "put", key, value }]);
    await this.persist(change);
    return change?.revision ?? this.engine.revision;
  }
  async delete(key: string): Promise<void> {
    this.check();
    await this.persist(this.engine.apply([{ type: "delete", key }]));
  }
  async txn(txn: KvTxn): Promise<KvTxnResult> {
    this.check();
    const { succeeded, change } = this.engine.txn(txn);
    const revision = this.engine.revision;
    await this.persist(change);
    return { succeeded, revision };
  }
  /** A frozen copy of the keys (in-process: one step, so every page sees one revision). */
  async readView(): Promise<ReadView> {
    await Promise.resolve();
    this.check();
    const view = this.engine.view();
    return {
      revision: view.revision,
      getPage: (prefix, options) => {
        try {
          return Promise.resolve(view.getPage(prefix, options));
        } catch (e) {
          return Promise.reject(e);
        }
      },
      close: () => Promise.resolve(),
    };
  }
  watch(prefix: string, onEvent: (event: KvEvent) => void): Promise<KvWatch> {
    const stop = this.engine.watch(prefix, onEvent);
    return Promise.resolve({ close: () => Promise.resolve(void stop()) });
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    await this.writer;
    this.wal.close();
    if (this.lockFile) {
      await this.lockFile.unlock().catch(() => {});
      this.lockFile.close();
    }
  }
}
