/**
 * The S3 object store (`KAFSCALE_S3_BUCKET`), over `@aws-sdk/client-s3`: path-style URLs for
 * S3-compatible servers, ranged GETs, conditional writes with `If-None-Match: *` (412 means
 * the key exists), bounded retries with backoff and per-request timeouts. Network failures
 * and 5xx answers surface as ObjectStoreUnavailableError so callers answer retriable errors.
 * @module
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  type ByteRange,
  ObjectExistsError,
  type ObjectInfo,
  type ObjectStore,
  ObjectStoreUnavailableError,
  type PutOptions,
} from "./types.ts";

/** Connection settings. */
export interface S3Options {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Per-request timeout (ms). */
  requestTimeoutMs?: number;
  /** Attempts per call, including the first. */
  maxAttempts?: number;
  /**
   * How `ifNoneMatch` writes are made: "native" sends `If-None-Match: *` (AWS S3, MinIO);
   * "check-then-put" reads first, for servers that ignore the header (s3rver). The latter is
   * not atomic; fencing still holds because segment keys carry the writer's leader epoch and
   * commits are conditional transactions in the metadata store.
   */
  conditionalPut?: "native" | "check-then-put";
}

interface AwsError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function status(e: unknown): number | undefined {
  return (e as AwsError)?.$metadata?.httpStatusCode;
}

/** Objects in an S3 bucket. */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly conditionalPut: "native" | "check-then-put";

  constructor(o: S3Options) {
    this.bucket = o.bucket;
    this.conditionalPut = o.conditionalPut ?? "native";
    this.client = new S3Client({
      region: o.region,
      endpoint: o.endpoint,
      forcePathStyle: o.forcePathStyle ?? true,
      maxAttempts: o.maxAttempts ?? 3,
      credentials: o.accessKeyId && o.secretAccessKey
        ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey }
        : undefined,
      requestHandler: {
        requestTimeout: o.requestTimeoutMs ?? 10_000,
        connectionTimeout: Math.min(o.requestTimeoutMs ?? 10_000, 5_000),
      },
      // Checksums beyond Content-MD5 are not understood by every S3-compatible server.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  private unavailable(what: string, e: unknown): ObjectStoreUnavailableError {
    const code = status(e);
    return new ObjectStoreUnavailableError(
      `Cannot ${what} in bucket ${this.bucket}: ${(e as Error)?.name ?? "error"}${
        code ? ` (HTTP ${code})` : ""
      }: ${(e as Error)?.message}`,
      { cause: e },
    );
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    if (
      options.ifNoneMatch && this.conditionalPut === "check-then-put" &&
      (await this.get(key, { start: 0, end: 1 })) !== null
    ) {
      throw new ObjectExistsError(key);
    }
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
          IfNoneMatch: options.ifNoneMatch && this.conditionalPut === "native" ? "*" : undefined,
        }),
      );
    } catch (e) {
      if (status(e) === 412 || (e as AwsError).name === "PreconditionFailed") {
        throw new ObjectExistsError(key);
      }
      throw this.unavailable(`write ${key}`, e);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Uint8Array | null> {
    if (range && range.end <= range.start) return new Uint8Array(0);
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end - 1}` : undefined,
        }),
      );
      return new Uint8Array(await res.Body!.transformToByteArray());
    } catch (e) {
      const code = status(e);
      if (code === 404 || (e as AwsError).name === "NoSuchKey") return null;
      if (code === 416) return new Uint8Array(0); // range starts past the end
      throw this.unavailable(`read ${key}`, e);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      if (status(e) === 404) return;
      throw this.unavailable(`delete ${key}`, e);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    try {
      do {
        const res = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ContinuationToken: token,
          }),
        );
        for (const o of res.Contents ?? []) {
          out.push({
            key: o.Key!,
            size: o.Size ?? 0,
            lastModified: o.LastModified?.getTime() ?? 0,
          });
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      throw this.unavailable(`list ${prefix}`, e);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}
