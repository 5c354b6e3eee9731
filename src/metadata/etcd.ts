/**
 * The etcd metadata store (`KAFSCALE_ETCD_ENDPOINTS`), over the `etcd3` client. Keys live
 * under a prefix; transactions map to etcd's compare/then/else; watches start at the current
 * revision. Every call has a deadline: an unreachable etcd surfaces as
 * MetadataUnavailableError, never as a hang. TLS: `https://` endpoints, or a CA and/or client
 * certificate given in `tls` (then every endpoint is dialled over TLS, as etcd3 does).
 * @module
 */
import { Etcd3, type Lease, type Namespace, Range } from "etcd3";
import { Buffer as NodeBuffer } from "node:buffer";
import { isIP } from "node:net";
import {
  type KvEntry,
  type KvEvent,
  type KvOp,
  type KvPage,
  type KvTxn,
  type KvTxnResult,
  type KvWatch,
  type LeasedKey,
  type LeasedPuts,
  MetadataLimitError,
  type MetadataStore,
  MetadataUnavailableError,
  type PageOptions,
  type ReadView,
} from "./types.ts";
import { readAllPages } from "./paging.ts";
import { checkTxnLimits } from "./_kv_engine.ts";

/** Connection settings. */
export interface EtcdOptions {
  endpoints: string[];
  prefix: string;
  username?: string;
  password?: string;
  /** Deadline of each call (ms). */
  timeoutMs?: number;
  /** PEM bytes: a CA to verify etcd (default: the system roots), a client certificate and key. */
  tls?: EtcdTls;
}

/** PEM-encoded TLS material for etcd; `cert` and `key` go together (mutual TLS). */
export interface EtcdTls {
  ca?: Uint8Array;
  cert?: Uint8Array;
  key?: Uint8Array;
}

/** Paths of the PEM files behind `EtcdTls`, named after their settings in error messages. */
export interface EtcdTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/**
 * Reads the TLS files at start-up, so a missing or unreadable one stops the broker with its
 * path and setting named. Returns undefined when no file is given.
 */
export async function readEtcdTls(files: EtcdTlsFiles): Promise<EtcdTls | undefined> {
  const read = async (path: string | undefined, setting: string) => {
    if (!path) return undefined;
    try {
      return await Deno.readFile(path);
    } catch (e) {
      throw new Error(
        `Cannot read ${setting} ${JSON.stringify(path)}: ${(e as Error).message}`,
        { cause: e },
      );
    }
  };
  const tls: EtcdTls = {
    ca: await read(files.caFile, "KAFSCALE_ETCD_TLS_CA_FILE"),
    cert: await read(files.certFile, "KAFSCALE_ETCD_TLS_CERT_FILE"),
    key: await read(files.keyFile, "KAFSCALE_ETCD_TLS_KEY_FILE"),
  };
  return tls.ca || tls.cert || tls.key ? tls : undefined;
}

/** A fault-handling policy of etcd3's that just runs the call once. */
const NO_POLICY = {
  execute: <T>(fn: (context: { signal: AbortSignal }) => T | Promise<T>) =>
    Promise.resolve().then(() => fn({ signal: new AbortController().signal })),
} as never;

/** etcd's answers to a request over its limits (not worth retrying as it is). */
const LIMIT_ERRORS =
  /too many operations in txn request|request is too large|larger than max|RESOURCE_EXHAUSTED/;

interface RawKv {
  key: Uint8Array | string;
  value: Uint8Array | string;
  create_revision: string;
  mod_revision: string;
}

const dec = new TextDecoder();
const toBytes = (
  x: Uint8Array | string,
) => (typeof x === "string" ? new TextEncoder().encode(x) : new Uint8Array(x));

/** Metadata in etcd. */
export class EtcdMetadataStore implements MetadataStore, LeasedPuts {
  private readonly ns: Namespace;
  private readonly prefix: string;

  private constructor(
    private readonly client: Etcd3,
    options: EtcdOptions,
    private readonly timeoutMs: number,
  ) {
    this.prefix = options.prefix.endsWith("/") ? options.prefix : options.prefix + "/";
    this.ns = client.namespace(this.prefix);
  }

  /** Connects and checks that etcd answers. */
  static async open(options: EtcdOptions): Promise<EtcdMetadataStore> {
    checkTlsEndpoints(options);
    const client = new Etcd3({
      hosts: options.endpoints,
      auth: options.username
        ? { username: options.username, password: options.password ?? "" }
        : undefined,
      credentials: credentials(options.tls),
      // No circuit breaker and no retries inside the client: every call has its own deadline
      // here, and callers turn failures into retriable Kafka errors (an uncertain commit is
      // read back, never blindly resent). etcd3's default breaker turned one refused request
      // into seconds of every call failing ("circuit breaker is open").
      faultHandling: { host: () => NO_POLICY, global: NO_POLICY },
    });
    const store = new EtcdMetadataStore(client, options, options.timeoutMs ?? 5000);
    try {
      await store.get("cluster/id");
    } catch (e) {
      client.close();
      throw e;
    }
    return store;
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (e) {
      if (LIMIT_ERRORS.test(String((e as Error)?.message))) {
        throw new MetadataLimitError(`Cannot ${what} in etcd: ${(e as Error).message}`, {
          cause: e,
        });
      }
      throw new MetadataUnavailableError(`Cannot ${what} in etcd: ${(e as Error).message}`, {
        cause: e,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private entry(kv: RawKv): KvEntry {
    let key = typeof kv.key === "string" ? kv.key : dec.decode(kv.key);
    if (key.startsWith(this.prefix)) key = key.slice(this.prefix.length);
    return {
      key,
      value: toBytes(kv.value),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  async get(key: string): Promise<KvEntry | null> {
    const res = await this.call("read " + key, () => this.ns.get(key).exec());
    const kv = res.kvs[0] as RawKv | undefined;
    return kv ? this.entry(kv) : null;
  }

  getPrefix(prefix: string): Promise<KvEntry[]> {
    return readAllPages(this, prefix);
  }

  getPage(prefix: string, options: PageOptions): Promise<KvPage> {
    return this.pageAt(prefix, options);
  }

  /** One page of a prefix, at `revision` when given (a consistent view), else the newest. */
  private async pageAt(prefix: string, options: PageOptions, revision?: number): Promise<KvPage> {
    // Keys after `after` up to the prefix's end; "\0" makes the start exclusive. (The empty
    // prefix's end is etcd's "\0", which the namespace turns into the namespace's own end.)
    const end = Range.prefix(prefix).end;
    const start = options.after === undefined ? prefix : options.after + "\u0000";
    const res = await this.call(
      "list " + prefix,
      () => {
        const b = this.ns.getAll().inRange(new Range(start, end)).sort("Key", "Ascend")
          .limit(Math.max(1, options.limit));
        return (revision === undefined ? b : b.revision(revision)).exec();
      },
    );
    return { entries: (res.kvs as RawKv[]).map((kv) => this.entry(kv)), more: res.more };
  }

  /**
   * Ranges at the store's current revision (read from a response header): etcd keeps every
   * revision until it compacts its history, so the pages agree with each other.
   */
  async readView(): Promise<ReadView> {
    const res = await this.call("read cluster/id", () => this.ns.get("cluster/id").exec());
    const revision = Number(res.header.revision);
    return {
      revision,
      getPage: (prefix, options) => this.pageAt(prefix, options, revision),
      close: () => Promise.resolve(),
    };
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    const res = await this.call(
      "write " + key,
      () => this.ns.put(key).value(toBuffer(value)).exec(),
    );
    return Number(res.header.revision);
  }

  async delete(key: string): Promise<void> {
    await this.call("delete " + key, () => this.ns.delete().key(key).exec());
  }

  private op(o: KvOp) {
    if (o.type === "put") return this.ns.put(o.key).value(toBuffer(o.value));
    if (o.type === "delete") return this.ns.delete().key(o.key);
    return this.ns.delete().prefix(o.prefix);
  }

  async txn(txn: KvTxn): Promise<KvTxnResult> {
    // The same check etcd makes, before sending, so the error is the same on every adapter
    // (etcd's answer to an oversized request can also be a dropped connection).
    checkTxnLimits(txn);
    const res = await this.call("commit a transaction", () => {
      // The builder starts from a compare: one that always holds when the caller has none
      // (only then, so a caller's 128 compares stay within etcd's limit).
      const [first, ...rest] = txn.compares;
      let b = first === undefined
        ? this.ns.if("__always__", "Mod", ">", -1)
        : "modRevision" in first
        ? this.ns.if(first.key, "Mod", "==", first.modRevision)
        : this.ns.if(first.key, "Value", "==", toBuffer(first.value));
      for (const c of rest) {
        b = "modRevision" in c
          ? b.and(c.key, "Mod", "==", c.modRevision)
          : b.and(c.key, "Value", "==", toBuffer(c.value));
      }
      return b.then(...txn.success.map((o) => this.op(o)))
        .else(...(txn.failure ?? []).map((o) => this.op(o)))
        .commit();
    });
    return { succeeded: res.succeeded, revision: Number(res.header.revision) };
  }

  async watch(prefix: string, onEvent: (event: KvEvent) => void): Promise<KvWatch> {
    const watcher = await this.call(
      "watch " + prefix,
      () => this.ns.watch().prefix(prefix).create(),
    );
    watcher.on("put", (kv) => {
      const e = this.entry(kv as unknown as RawKv);
      onEvent({ type: "put", key: e.key, value: e.value, modRevision: e.modRevision });
    });
    watcher.on("delete", (kv) => {
      const e = this.entry(kv as unknown as RawKv);
      onEvent({ type: "delete", key: e.key, value: new Uint8Array(0), modRevision: e.modRevision });
    });
    return { close: () => watcher.cancel().catch(() => {}) };
  }

  /**
   * Writes `key` under a lease of `ttlSeconds` that the client keeps alive. When etcd reports
   * the lease lost (it expired while etcd was unreachable), a new lease is granted and the key
   * written again, retrying every second until etcd answers; `revoke` stops that and deletes
   * the key at once.
   */
  async putLeased(key: string, value: Uint8Array, ttlSeconds: number): Promise<LeasedKey> {
    let closed = false;
    let current: Lease | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      if (closed || retry !== undefined) return;
      retry = setTimeout(() => {
        retry = undefined;
        attach().catch(schedule);
      }, 1000);
    };
    const attach = async () => {
      const lease = this.ns.lease(ttlSeconds);
      current = lease;
      lease.on("lost", () => {
        if (current === lease) schedule();
      });
      await this.call("write " + key, () => lease.put(key).value(toBuffer(value)).exec());
    };
    await attach();
    return {
      revoke: async () => {
        closed = true;
        clearTimeout(retry);
        await this.call("revoke the lease of " + key, () => current!.revoke()).catch(() => {});
      },
    };
  }

  close(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }
}

/**
 * etcd3 dials every endpoint alike: over TLS as soon as one is https:// or TLS material is
 * given. Its gRPC client sends the endpoint's host as the TLS server name, which this runtime
 * refuses for an IP address; both mistakes would otherwise surface as opaque connect errors.
 */
function checkTlsEndpoints(options: EtcdOptions): void {
  const tls = options.tls !== undefined || options.endpoints.some((e) => /^https:\/\//i.test(e));
  if (!tls) return;
  for (const endpoint of options.endpoints) {
    if (/^http:\/\//i.test(endpoint)) {
      throw new TypeError(
        `Cannot use etcd endpoint ${endpoint} without TLS while TLS is in use: ` +
          "every endpoint is dialled the same way; give them all as https://",
      );
    }
    const hostPort = endpoint.replace(/^https:\/\//i, "");
    const host = hostPort.startsWith("[")
      ? hostPort.slice(1, hostPort.indexOf("]"))
      : hostPort.split(":")[0] ?? "";
    if (isIP(host)) {
      throw new TypeError(
        `Cannot use etcd endpoint ${endpoint} over TLS: give a host name that the server ` +
          "certificate lists instead of an IP address (the TLS server name cannot be an IP)",
      );
    }
  }
}

function credentials(tls: EtcdTls | undefined) {
  if (!tls) return undefined;
  if (!tls.cert !== !tls.key) {
    throw new TypeError("Cannot use an etcd client certificate without its key (or a key alone)");
  }
  // etcd3 passes these to grpc's createSsl, which takes the system roots for a missing CA.
  return {
    rootCertificate: (tls.ca ? toBuffer(tls.ca) : undefined) as NodeBuffer,
    privateKey: tls.key && toBuffer(tls.key),
    certChain: tls.cert && toBuffer(tls.cert),
  };
}

function toBuffer(b: Uint8Array): NodeBuffer {
  // etcd3 expects Node Buffers; Deno provides Buffer through node:buffer.
  return NodeBuffer.from(b.buffer, b.byteOffset, b.byteLength);
}
