/**
 * The object store port: the narrow interface every object storage backend implements
 * (memory, local directory, S3). Objects are immutable once written (DESIGN.md invariant 4).
 * @module
 */

/** A byte range [start, end) inside an object; `end` is exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/** One listed object. */
export interface ObjectInfo {
  key: string;
  size: number;
  /** When the object was written, ms since the epoch (the garbage collector's age test). */
  lastModified: number;
}

/** Options for a write. */
export interface PutOptions {
  /**
   * Fail with `ObjectExistsError` when the key already exists (S3 `If-None-Match: *`).
   * Used to fence writers: two brokers can never overwrite each other's segment.
   */
  ifNoneMatch?: boolean;
  /**
   * With `ifNoneMatch`: the key is new, unique to this write, and nothing reads it before the
   * write resolves (a segment object's key). A store may then write in place instead of through
   * a temporary name; a crash during the write can leave a partial object under the key, which
   * is garbage like any unreferenced object (readers of unreferenced objects check the object's
   * own index, src/log/object_index.ts). A failed write removes what it wrote.
   */
  fresh?: boolean;
}

/** Raised by `put` with `ifNoneMatch` when the key is already taken. */
export class ObjectExistsError extends Error {
  constructor(key: string) {
    super(`Cannot write object ${key}: it already exists`);
    this.name = "ObjectExistsError";
  }
}

/** Raised when the backend is unreachable or failed; callers map it to a retriable Kafka error. */
export class ObjectStoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ObjectStoreUnavailableError";
  }
}

/**
 * Object storage. Keys are `/`-separated paths without a leading slash.
 * Implementations must be safe for concurrent calls.
 */
export interface ObjectStore {
  /** Writes a whole object. Resolves only once the bytes are durable in the backend. */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  /**
   * Reads an object, or the range of it. Resolves `null` when the key does not exist.
   * A range past the end is clamped to the object's size.
   */
  get(key: string, range?: ByteRange): Promise<Uint8Array | null>;
  /** Deletes an object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Lists objects whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
