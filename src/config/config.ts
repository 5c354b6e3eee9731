/**
 * The broker's configuration: the only module that reads `Deno.env` (via `loadConfig`).
 * Variables use the Go KafScale broker's names so an existing environment file works.
 * Values are validated with zod; a bad one stops start-up with one line naming the variable.
 * @module
 */
import { z } from "zod";
import { LONG_MAX_TEXT } from "../util/long.ts";
import { bool, hostPort, int, long } from "./_schemas.ts";
import { type ListenerConfig, parseListeners, SECURITY_SETTINGS } from "./security.ts";
import type { SaslMechanism } from "../auth/sasl.ts";

/** One documented setting: variable, default, help text. */
export interface SettingDoc {
  env: string;
  default: string;
  help: string;
}

/**
 * The default of a setting that depends on the backend: see BACKEND_DEFAULTS. (A marker, not a
 * value: `parseConfig` replaces it before validation.)
 */
const BY_BACKEND = "by backend";

/**
 * Defaults that depend on the backend: `embedded` when neither KAFSCALE_S3_BUCKET nor
 * KAFSCALE_ETCD_ENDPOINTS is set (a flush is a local fsync or two), `remote` when either is
 * (a flush costs an S3 PUT and an etcd round, and PUTs cost money).
 */
export const BACKEND_DEFAULTS: Record<string, { embedded: string; remote: string }> = {
  KAFSCALE_FLUSH_INTERVAL_MS: { embedded: "0", remote: "10" },
};

/** Whether the variables configure S3 or etcd (else the embedded default). */
function usesRemoteBackend(vars: Record<string, string | undefined>): boolean {
  return Boolean(vars.KAFSCALE_S3_BUCKET || vars.KAFSCALE_ETCD_ENDPOINTS);
}

/** The default of `env` for these variables (the backend's, for BACKEND_DEFAULTS). */
function defaultFor(env: string, def: string, vars: Record<string, string | undefined>): string {
  const byBackend = BACKEND_DEFAULTS[env];
  if (!byBackend) return def;
  return usesRemoteBackend(vars) ? byBackend.remote : byBackend.embedded;
}

/** Every setting, in the order `--help` prints them. */
export const SETTINGS = {
  brokerAddr: [
    "KAFSCALE_BROKER_ADDR",
    "0.0.0.0:9092",
    "Kafka listener address (host:port)",
    hostPort,
  ],
  brokerHost: [
    "KAFSCALE_BROKER_HOST",
    "",
    "Host advertised to clients (default: listener host, or localhost)",
    z.string(),
  ],
  brokerPort: [
    "KAFSCALE_BROKER_PORT",
    "",
    "Port advertised to clients (default: listener port)",
    z.union([z.literal(""), int(1, 65535)]),
  ],
  ...SECURITY_SETTINGS,
  brokerId: ["KAFSCALE_BROKER_ID", "0", "Broker node id", int(0, 2147483647)],
  metricsAddr: [
    "KAFSCALE_METRICS_ADDR",
    "0.0.0.0:9093",
    "HTTP address for /metrics, /healthz, /readyz",
    hostPort,
  ],
  metricsTls: [
    "KAFSCALE_METRICS_TLS",
    "0",
    "Serve the metrics listener (/metrics, /healthz, /readyz, console) over HTTPS with KAFSCALE_TLS_CERT_FILE and KAFSCALE_TLS_KEY_FILE",
    bool,
  ],
  console: [
    "KAFSCALE_CONSOLE",
    "1",
    "Serve the read-only web console (/ui/) and its JSON API (/api/v1/) on the metrics listener",
    bool,
  ],
  dataDir: [
    "KAFSCALE_DATA_DIR",
    "./data",
    "Local directory of the embedded default (objects and metadata)",
    z.string().min(1),
  ],
  useMemoryS3: ["KAFSCALE_USE_MEMORY_S3", "0", "Keep objects in memory (lost on exit)", bool],
  s3Bucket: [
    "KAFSCALE_S3_BUCKET",
    "",
    "S3 bucket; setting it selects the S3 object store",
    z.string(),
  ],
  s3Region: ["KAFSCALE_S3_REGION", "us-east-1", "S3 region", z.string().min(1)],
  s3Endpoint: [
    "KAFSCALE_S3_ENDPOINT",
    "",
    "S3 endpoint URL for S3-compatible servers",
    z.union([z.literal(""), z.url()]),
  ],
  s3PathStyle: ["KAFSCALE_S3_PATH_STYLE", "1", "Use path-style S3 URLs", bool],
  s3AccessKey: [
    "KAFSCALE_S3_ACCESS_KEY",
    "",
    "S3 access key (default: AWS_ACCESS_KEY_ID)",
    z.string(),
  ],
  s3SecretKey: [
    "KAFSCALE_S3_SECRET_KEY",
    "",
    "S3 secret key (default: AWS_SECRET_ACCESS_KEY)",
    z.string(),
  ],
  s3ConditionalPut: [
    "KAFSCALE_S3_CONDITIONAL_PUT",
    "native",
    "native (If-None-Match, AWS S3/MinIO) or check-then-put (servers that ignore it)",
    z.enum(["native", "check-then-put"]),
  ],
  s3Namespace: [
    "KAFSCALE_S3_NAMESPACE",
    "kafscale",
    "Key prefix for every object; one cluster (one etcd prefix) per namespace",
    z.string().regex(/^[A-Za-z0-9._-]*$/, "must be letters, digits, . _ -"),
  ],
  etcdEndpoints: [
    "KAFSCALE_ETCD_ENDPOINTS",
    "",
    "Comma-separated etcd endpoints; setting it selects etcd",
    z.string(),
  ],
  etcdUsername: ["KAFSCALE_ETCD_USERNAME", "", "etcd user", z.string()],
  etcdPassword: ["KAFSCALE_ETCD_PASSWORD", "", "etcd password", z.string()],
  etcdPrefix: ["KAFSCALE_ETCD_PREFIX", "/kafscale", "Key prefix in etcd", z.string()],
  brokerLeaseSeconds: [
    "KAFSCALE_BROKER_LEASE_SECONDS",
    "10",
    "With etcd: how long a broker that stopped renewing its lease keeps its partitions (s)",
    int(2, 300),
  ],
  etcdTlsCaFile: [
    "KAFSCALE_ETCD_TLS_CA_FILE",
    "",
    "PEM CA bundle that verifies etcd over TLS (https:// endpoints; default: system roots)",
    z.string(),
  ],
  etcdTlsCertFile: [
    "KAFSCALE_ETCD_TLS_CERT_FILE",
    "",
    "PEM client certificate for etcd mutual TLS (with KAFSCALE_ETCD_TLS_KEY_FILE)",
    z.string(),
  ],
  etcdTlsKeyFile: [
    "KAFSCALE_ETCD_TLS_KEY_FILE",
    "",
    "PEM private key of KAFSCALE_ETCD_TLS_CERT_FILE",
    z.string(),
  ],
  cacheBytes: [
    "KAFSCALE_CACHE_BYTES",
    String(256 * 1024 * 1024),
    "Segment read cache size in bytes",
    int(0),
  ],
  readaheadSegments: [
    "KAFSCALE_READAHEAD_SEGMENTS",
    "2",
    "Segments read ahead on sequential fetches",
    int(0, 64),
  ],
  segmentBytes: [
    "KAFSCALE_SEGMENT_BYTES",
    String(4 * 1024 * 1024),
    "Flush a partition once this many bytes are buffered",
    int(1024),
  ],
  flushIntervalMs: [
    "KAFSCALE_FLUSH_INTERVAL_MS",
    BY_BACKEND,
    "Least time between the starts of two flush cycles (ms); 0: as soon as the last one " +
    "ends. More means fewer object PUTs and slower acks=1/all answers",
    int(0, 60000),
  ],
  autoCreateTopics: [
    "KAFSCALE_AUTO_CREATE_TOPICS",
    "1",
    "Create unknown topics on produce/metadata",
    bool,
  ],
  autoCreatePartitions: [
    "KAFSCALE_AUTO_CREATE_PARTITIONS",
    "1",
    "Partitions of auto-created topics",
    int(1, 10000),
  ],
  maxPartitionsPerTopic: [
    "KAFSCALE_MAX_PARTITIONS_PER_TOPIC",
    "1000",
    "Most partitions one topic may have (CreateTopics/CreatePartitions: INVALID_PARTITIONS)",
    int(1, 100000),
  ],
  maxPartitionsPerRequest: [
    "KAFSCALE_MAX_PARTITIONS_PER_REQUEST",
    "2000",
    "Most partitions one CreateTopics or CreatePartitions request may add (POLICY_VIOLATION)",
    int(1, 100000),
  ],
  maxPartitions: [
    "KAFSCALE_MAX_PARTITIONS",
    "10000",
    "Most partitions in the whole cluster (POLICY_VIOLATION)",
    int(1, 1000000),
  ],
  retentionMs: [
    "KAFSCALE_RETENTION_MS",
    "604800000",
    "Default retention.ms of topics (-1 unlimited)",
    int(-1),
  ],
  retentionBytes: [
    "KAFSCALE_RETENTION_BYTES",
    "-1",
    "Default retention.bytes of topics (-1 unlimited)",
    int(-1),
  ],
  retentionCheckMs: [
    "KAFSCALE_RETENTION_CHECK_MS",
    "30000",
    "How often retention deletes expired segments (ms)",
    int(10, 3600000),
  ],
  gcIntervalMs: [
    "KAFSCALE_GC_INTERVAL_MS",
    "300000",
    "How often unreferenced segment objects are deleted (ms); 0 disables",
    int(0, 86400000),
  ],
  gcGraceMs: [
    "KAFSCALE_GC_GRACE_MS",
    "1800000",
    "Age before an unreferenced object is garbage (ms); uploads older than half are not committed",
    // At least 20 s: a commit checked against half of it may still take an etcd call (5 s).
    int(20000, 604800000),
  ],
  compactionEnabled: [
    "KAFSCALE_COMPACTION_ENABLED",
    "1",
    "Compact topics whose cleanup.policy includes compact (each partition on its writer)",
    bool,
  ],
  compactionCheckMs: [
    "KAFSCALE_COMPACTION_CHECK_MS",
    "15000",
    "How often a broker looks for partitions due for compaction (ms)",
    int(10, 3600000),
  ],
  compactionBytesPerSec: [
    "KAFSCALE_COMPACTION_BYTES_PER_SEC",
    String(32 * 1024 * 1024),
    "Bytes per second all compaction passes of a broker may read and write together; 0: no limit",
    int(0),
  ],
  compactionConcurrency: [
    "KAFSCALE_COMPACTION_CONCURRENCY",
    "1",
    "Partitions a broker compacts at once",
    int(1, 64),
  ],
  compactionMapBytes: [
    "KAFSCALE_COMPACTION_MAP_BYTES",
    String(16 * 1024 * 1024),
    "Memory of one pass's key map (24 bytes a key; more keys take more passes)",
    int(4096, 2147483647),
  ],
  metadataSnapshotIntervalMs: [
    "KAFSCALE_METADATA_SNAPSHOT_INTERVAL_MS",
    "3600000",
    "How often one broker snapshots the metadata into the object store (ms); 0 disables",
    int(0, 604800000),
  ],
  metadataSnapshotKeep: [
    "KAFSCALE_METADATA_SNAPSHOT_KEEP",
    "168",
    "Most metadata snapshots kept (the newest is never deleted)",
    int(1, 100000),
  ],
  metadataSnapshotRetentionMs: [
    "KAFSCALE_METADATA_SNAPSHOT_RETENTION_MS",
    "604800000",
    "Metadata snapshots older than this are deleted (ms; the newest is never deleted)",
    int(0),
  ],
  metadataSnapshotStaleSeconds: [
    "KAFSCALE_METADATA_SNAPSHOT_STALE_SECONDS",
    "3600",
    "kafscale_operator_etcd_snapshot_stale is 1 when the newest snapshot is older (s)",
    int(1),
  ],
  maxMessageBytes: [
    "KAFSCALE_MAX_MESSAGE_BYTES",
    "1048588",
    "Largest record batch accepted (max.message.bytes)",
    int(1),
  ],
  messageTimestampBeforeMaxMs: [
    "KAFSCALE_MESSAGE_TIMESTAMP_BEFORE_MAX_MS",
    LONG_MAX_TEXT,
    "Default message.timestamp.before.max.ms: how far in the past a CreateTime batch may be (ms)",
    long(0),
  ],
  messageTimestampAfterMaxMs: [
    "KAFSCALE_MESSAGE_TIMESTAMP_AFTER_MAX_MS",
    "3600000",
    "Default message.timestamp.after.max.ms: how far in the future a CreateTime batch may be (ms)",
    long(0),
  ],
  maxRequestBytes: [
    "KAFSCALE_MAX_REQUEST_BYTES",
    "104857600",
    "Largest request frame accepted; larger closes the connection",
    int(1024),
  ],
  sendTimeoutMs: [
    "KAFSCALE_SEND_TIMEOUT_MS",
    "30000",
    "Close a connection when writing one response takes longer (ms): the client is not reading",
    int(100, 3600000),
  ],
  groupOffsetsRetentionMs: [
    "KAFSCALE_OFFSETS_RETENTION_MS",
    "604800000",
    "How long an empty group keeps its offsets",
    int(1),
  ],
  groupInitialRebalanceDelayMs: [
    "KAFSCALE_GROUP_INITIAL_REBALANCE_DELAY_MS",
    "3000",
    "How long a new group waits for more members before its first assignment (ms)",
    int(0, 300000),
  ],
  groupMinSessionTimeoutMs: [
    "KAFSCALE_GROUP_MIN_SESSION_TIMEOUT_MS",
    "6000",
    "Smallest session timeout a consumer may ask for (ms)",
    int(1),
  ],
  groupMaxSessionTimeoutMs: [
    "KAFSCALE_GROUP_MAX_SESSION_TIMEOUT_MS",
    "1800000",
    "Largest session timeout a consumer may ask for (ms)",
    int(1),
  ],
  transactionMaxTimeoutMs: [
    "KAFSCALE_TRANSACTION_MAX_TIMEOUT_MS",
    "900000",
    "Largest transaction.timeout.ms a producer may ask for (ms; Kafka's transaction.max.timeout.ms)",
    int(1, 2147483647),
  ],
  transactionalIdExpirationMs: [
    "KAFSCALE_TRANSACTIONAL_ID_EXPIRATION_MS",
    "604800000",
    "How long an idle transactional id keeps its producer id and epoch (ms)",
    int(1),
  ],
  lagSampleMs: [
    "KAFSCALE_LAG_SAMPLE_MS",
    "10000",
    "How often consumer lag metrics are sampled (ms)",
    int(100, 3600000),
  ],
  logLevel: [
    "KAFSCALE_LOG_LEVEL",
    "info",
    "debug, info, warn or error",
    z.enum(["debug", "info", "warn", "error"]),
  ],
} as const;

type Settings = typeof SETTINGS;
type Raw = { [K in keyof Settings]: z.output<Settings[K][3]> };

/** The validated, frozen configuration. */
export interface Config
  extends Omit<Raw, "brokerHost" | "brokerPort" | "listeners" | "advertisedListeners"> {
  /** Every listener, in the order given (the first is the primary one). */
  listeners: readonly ListenerConfig[];
  saslMechanisms: SaslMechanism[];
  /** The first listener's bind address and advertised address. */
  listenHost: string;
  listenPort: number;
  advertisedHost: string;
  advertisedPort: number;
  metricsHost: string;
  metricsPort: number;
}

/** Raised for an invalid setting; its message is the one line printed at start-up. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The documented settings, for `--help` and the README. */
export function settingDocs(): SettingDoc[] {
  return Object.values(SETTINGS).map(([env, def, help]) => {
    const byBackend = BACKEND_DEFAULTS[env];
    const doc = byBackend
      ? `${byBackend.embedded} embedded, ${byBackend.remote} with S3 or etcd`
      : def;
    return { env, default: doc, help };
  });
}

/** Environment variable names, for `--flag` mapping: `--flush-interval-ms` = KAFSCALE_FLUSH_INTERVAL_MS. */
export function envForFlag(flag: string): string | undefined {
  const env = "KAFSCALE_" + flag.replace(/^--/, "").replaceAll("-", "_").toUpperCase();
  return Object.values(SETTINGS).some(([e]) => e === env) ? env : undefined;
}

function splitHostPort(v: string): [string, number] {
  const i = v.lastIndexOf(":");
  return [v.slice(0, i).replace(/^\[|\]$/g, ""), Number(v.slice(i + 1))];
}

/** Builds the configuration from variables (environment merged with flags by the caller). */
export function parseConfig(vars: Record<string, string | undefined>): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, [env, def, , schema]] of Object.entries(SETTINGS)) {
    const value = vars[env] ?? defaultFor(env, def, vars);
    const parsed = (schema as z.ZodType).safeParse(value);
    if (!parsed.success) {
      const why = parsed.error.issues[0]?.message ?? "invalid";
      throw new ConfigError(`Invalid ${env}=${JSON.stringify(value)}: ${why}`);
    }
    raw[key] = parsed.data;
  }
  const r = raw as Raw;
  const [metricsHost, metricsPort] = splitHostPort(r.metricsAddr);
  const pairs = [
    ["etcdTlsCertFile", "etcdTlsKeyFile", "a client certificate"],
    ["tlsCertFile", "tlsKeyFile", "a certificate"],
  ] as const;
  for (const [cert, key, what] of pairs) {
    if (!r[cert] !== !r[key]) {
      const [certEnv, keyEnv] = [SETTINGS[cert][0], SETTINGS[key][0]];
      const [set, missing] = r[cert] ? [certEnv, keyEnv] : [keyEnv, certEnv];
      const why = `needs ${missing} too (${what} goes with its key)`;
      throw new ConfigError(`Invalid ${set}=${JSON.stringify(vars[set])}: ${why}`);
    }
  }
  let listeners: ListenerConfig[];
  try {
    listeners = parseListeners({
      listeners: r.listeners,
      advertised: r.advertisedListeners,
      brokerAddr: r.brokerAddr,
      brokerAddrSet: vars.KAFSCALE_BROKER_ADDR !== undefined,
      brokerHost: r.brokerHost,
      brokerPort: r.brokerPort,
    });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  if (r.authorizer === "none") {
    const set = (["KAFSCALE_SUPER_USERS", "KAFSCALE_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] as const)
      .find((env) => vars[env]);
    if (set) {
      throw new ConfigError(
        `Invalid ${set}=${JSON.stringify(vars[set])}: it has no effect without ` +
          "KAFSCALE_AUTHORIZER=acl (set that too, or unset it)",
      );
    }
  }
  if (r.metricsTls && !r.tlsCertFile) {
    throw new ConfigError(
      "Invalid KAFSCALE_METRICS_TLS=1: HTTPS needs KAFSCALE_TLS_CERT_FILE and KAFSCALE_TLS_KEY_FILE",
    );
  }
  const tls = listeners.filter((l) => l.tls).map((l) => l.name);
  if (tls.length > 0 && !r.tlsCertFile) {
    throw new ConfigError(
      `Invalid KAFSCALE_LISTENERS=${JSON.stringify(r.listeners)}: ${tls.join(" and ")} ` +
        "need KAFSCALE_TLS_CERT_FILE and KAFSCALE_TLS_KEY_FILE",
    );
  }
  const { brokerHost: _h, brokerPort: _p, listeners: _l, advertisedListeners: _a, ...rest } = r;
  const first = listeners[0]!;
  return Object.freeze({
    ...rest,
    listeners: Object.freeze(listeners.map((l) => Object.freeze(l))),
    listenHost: first.host,
    listenPort: first.port,
    advertisedHost: first.advertisedHost,
    advertisedPort: first.advertisedPort,
    metricsHost: metricsHost === "" ? "0.0.0.0" : metricsHost,
    metricsPort,
  });
}

/** Reads `KAFSCALE_*` (and AWS credential) variables from the process environment. */
export function loadConfig(overrides: Record<string, string> = {}): Config {
  const vars: Record<string, string | undefined> = {};
  for (const [env] of Object.values(SETTINGS)) vars[env] = Deno.env.get(env);
  vars.KAFSCALE_S3_ACCESS_KEY ||= Deno.env.get("AWS_ACCESS_KEY_ID");
  vars.KAFSCALE_S3_SECRET_KEY ||= Deno.env.get("AWS_SECRET_ACCESS_KEY");
  return parseConfig({ ...vars, ...overrides });
}

/** The configuration with secrets masked, for the start-up banner and DescribeConfigs. */
export function describeConfig(c: Config): Record<string, unknown> {
  const mask = (v: string) => (v ? "****" : "");
  return {
    ...c,
    s3SecretKey: mask(c.s3SecretKey),
    s3AccessKey: mask(c.s3AccessKey),
    etcdPassword: mask(c.etcdPassword),
  };
}
