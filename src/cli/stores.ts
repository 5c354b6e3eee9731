/**
 * Chooses and opens the object store and metadata store from the configuration:
 * S3 when KAFSCALE_S3_BUCKET is set, memory when KAFSCALE_USE_MEMORY_S3=1, else the local data
 * directory; etcd when KAFSCALE_ETCD_ENDPOINTS is set (over TLS for https:// endpoints or
 * KAFSCALE_ETCD_TLS_* files, which are read here at start-up), else a file store in the data
 * directory. Wraps both with metrics (errors, latency, health) without touching the adapters.
 * @module
 */
import type { Config } from "../config/config.ts";
import type { ObjectStore } from "../object_store/types.ts";
import type { LeasedPuts, MetadataStore } from "../metadata/types.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { FilesystemObjectStore } from "../object_store/filesystem.ts";
import { S3ObjectStore } from "../object_store/s3.ts";
import { FileMetadataStore } from "../metadata/file.ts";
import { EtcdMetadataStore, readEtcdTls } from "../metadata/etcd.ts";
import type { BrokerMetrics } from "../metrics/metrics.ts";
import type { Logger } from "../metrics/logger.ts";
import { mayWrite } from "./permissions.ts";
import { InstrumentedObjectStore } from "../object_store/instrumented.ts";
import { InstrumentedMetadataStore } from "../metadata/instrumented.ts";

/** The opened stores, and a short description for the start-up log. */
export interface Stores {
  objects: ObjectStore;
  meta: MetadataStore;
  describe: { objects: string; metadata: string };
  /** Leased keys for cluster membership, when the metadata store is shared (etcd). */
  leases?: LeasedPuts;
}

/** Opens both stores. */
export async function openStores(
  config: Config,
  metrics: BrokerMetrics,
  log: Logger,
): Promise<Stores> {
  const { objects, name: objectsName } = await openObjectStore(config);
  const { meta, name: metaName, leases } = await openMetadataStore(config);
  return {
    objects: new InstrumentedObjectStore(objects, metrics, log),
    meta: new InstrumentedMetadataStore(meta, metrics, log),
    describe: { objects: objectsName, metadata: metaName },
    leases,
  };
}

/** The object store alone, as `serve` opens it (`kafscale metadata` reads and writes it). */
export async function openObjectStore(
  config: Config,
): Promise<{ objects: ObjectStore; name: string }> {
  if (config.s3Bucket) {
    const objects = new S3ObjectStore({
      bucket: config.s3Bucket,
      region: config.s3Region,
      endpoint: config.s3Endpoint || undefined,
      forcePathStyle: config.s3PathStyle,
      accessKeyId: config.s3AccessKey || undefined,
      secretAccessKey: config.s3SecretKey || undefined,
      conditionalPut: config.s3ConditionalPut,
    });
    const at = config.s3Endpoint ? ` at ${config.s3Endpoint}` : "";
    return { objects, name: `s3://${config.s3Bucket}${at}` };
  }
  if (config.useMemoryS3) return { objects: new MemoryObjectStore(), name: "memory" };
  checkDataDir(config.dataDir);
  await Deno.mkdir(`${config.dataDir}/objects`, { recursive: true });
  return {
    objects: new FilesystemObjectStore(`${config.dataDir}/objects`),
    name: `directory ${config.dataDir}/objects`,
  };
}

/** The metadata store alone, as `serve` opens it (`kafscale users` writes to it directly). */
export async function openMetadataStore(
  config: Config,
): Promise<{ meta: MetadataStore; name: string; leases?: LeasedPuts }> {
  if (config.etcdEndpoints) {
    const meta = await EtcdMetadataStore.open({
      endpoints: config.etcdEndpoints.split(",").map((e) => e.trim()).filter(Boolean),
      prefix: config.etcdPrefix,
      username: config.etcdUsername || undefined,
      password: config.etcdPassword || undefined,
      tls: await readEtcdTls({
        caFile: config.etcdTlsCaFile || undefined,
        certFile: config.etcdTlsCertFile || undefined,
        keyFile: config.etcdTlsKeyFile || undefined,
      }),
    });
    return { meta, name: `etcd ${config.etcdEndpoints}`, leases: meta };
  }
  checkDataDir(config.dataDir);
  await Deno.mkdir(`${config.dataDir}/metadata`, { recursive: true });
  const meta = await FileMetadataStore.open(`${config.dataDir}/metadata`);
  return { meta, name: `directory ${config.dataDir}/metadata` };
}

/**
 * A binary built by scripts/compile.sh may write only the data directory it was built for:
 * say so at start-up rather than fail on the first write.
 */
function checkDataDir(dir: string): void {
  if (!mayWrite(dir)) {
    throw new Error(
      `Cannot use KAFSCALE_DATA_DIR=${dir}: this broker's permissions do not allow writing ` +
        "there (a release binary writes only the directory it was built for, by default " +
        "/var/lib/kafscale; see scripts/compile.sh --data-dir)",
    );
  }
}
