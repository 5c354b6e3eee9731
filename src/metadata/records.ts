/**
 * Typed metadata records and their key layout, validated with zod on read and write.
 * Stored as JSON with snake_case fields (`TopicConfig` follows the spec's field names).
 *
 * Keys (relative to the store's prefix):
 * - `topics/<name>`: TopicConfig
 * - `partitions/<topic>/<partition>`: PartitionState (leader epoch, offsets, producer state)
 * - `segments/<topic>/<partition>/<base offset, 20 digits>`: SegmentRef of one recent segment
 *   (the tail; older references live in the partition's manifest object, so the tail stays
 *   short whatever the uptime)
 * - `groups/<group>`: GroupRecord; `offsets/<group>/<topic>/<partition>`: CommittedOffset
 * - `users/<name, URI-encoded>/<mechanism>`: ScramCredentialRecord (salt, iterations, StoredKey,
 *   ServerKey; never a password)
 * - `acls/<resource type>/<pattern type>/<name>/<principal>/<host>/<operation>/<permission>`
 *   (name, principal and host URI-encoded): AclRecord, one per ACL, so creating an ACL twice
 *   writes one key
 * @module
 */
import { z } from "zod";

const int = z.number().int();
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A topic's configuration; null overrides mean "broker default". Fields added after the first
 * release default to null, so records written before they existed still parse.
 */
export const TopicConfigSchema = z.object({
  name: z.string(),
  topic_id: z.string().regex(/^[0-9a-f]{32}$/),
  partitions: int.positive(),
  retention_ms: int.min(-1).nullable(),
  retention_bytes: int.min(-1).nullable(),
  segment_bytes: int.positive().nullable(),
  /** max.message.bytes: largest record batch accepted (never above the broker's). */
  max_message_bytes: int.min(0).nullable().default(null),
  /** message.timestamp.type: the broker stamps LogAppendTime batches on append. */
  message_timestamp_type: z.enum(["CreateTime", "LogAppendTime"]).nullable().default(null),
  /** message.timestamp.before.max.ms (Number.MAX_SAFE_INTEGER stands for Long.MAX). */
  message_timestamp_before_max_ms: int.min(0).nullable().default(null),
  /** message.timestamp.after.max.ms (Number.MAX_SAFE_INTEGER stands for Long.MAX). */
  message_timestamp_after_max_ms: int.min(0).nullable().default(null),
  /** compression.type: only `producer` (batches are stored as produced). */
  compression_type: z.enum(["producer"]).nullable().default(null),
  /** cleanup.policy: `delete`, `compact`, or both (a list, in the order given). */
  cleanup_policy: z.string().regex(/^(delete|compact)(,(delete|compact))?$/).nullable()
    .default(null),
  /** min.cleanable.dirty.ratio: the dirty share of the cleanable log that starts compaction. */
  min_cleanable_dirty_ratio: z.number().min(0).max(1).nullable().default(null),
  /** min.compaction.lag.ms: records younger than this are never compacted. */
  min_compaction_lag_ms: int.min(0).nullable().default(null),
  /** max.compaction.lag.ms: dirty records older than this are compacted whatever the ratio. */
  max_compaction_lag_ms: int.min(1).nullable().default(null),
  /** delete.retention.ms: how long a compacted topic keeps a tombstone once compacted. */
  delete_retention_ms: int.min(0).nullable().default(null),
  /** segment.ms: records written longer ago than this leave the active (uncompacted) part. */
  segment_ms: int.min(1).nullable().default(null),
  created_ms: int,
});
export type TopicConfig = z.infer<typeof TopicConfigSchema>;

/** Idempotent producer state kept with a partition (last five batches per producer). */
export const ProducerStateSchema = z.object({
  epoch: int,
  batches: z.array(z.object({
    first_seq: int,
    last_seq: int,
    base_offset: int,
    last_offset: int,
  })),
  /** First offset of the producer's open transaction on this partition (absent: none open). */
  txn_first: int.optional(),
});
export type ProducerState = z.infer<typeof ProducerStateSchema>;

/**
 * Where the older part of a partition's segment list lives (src/log/segment_manifest.ts): an
 * immutable object holding `segments` references that precede every key of the tail.
 */
export const ManifestPointerSchema = z.object({
  key: z.string(),
  segments: int.min(0),
  size: int.min(0),
});
export type ManifestPointer = z.infer<typeof ManifestPointerSchema>;

/**
 * A partition's compaction progress: offsets below `cleaned_offset` have been compacted (each
 * key at most once there; Kafka's cleaner checkpoint), and the earliest time a tombstone kept
 * there may go (null: none kept), so a clean log still gets a pass when one is due.
 */
export const CompactionStateSchema = z.object({
  cleaned_offset: int.min(0),
  tombstones_due_ms: int.nullable(),
});
export type CompactionState = z.infer<typeof CompactionStateSchema>;

/** A partition's durable state; every write is fenced by `leader_epoch` via its revision. */
export const PartitionStateSchema = z.object({
  topic_id: z.string(),
  partition: int.min(0),
  leader_id: int,
  leader_epoch: int.min(0),
  /** (epoch, first offset written in that epoch), ascending. */
  epoch_history: z.array(z.object({ epoch: int, start_offset: int })),
  log_start_offset: int.min(0),
  log_end_offset: int.min(0),
  producers: z.record(z.string(), ProducerStateSchema),
  /** The manifest of the older segments (records written before manifests existed: none). */
  manifest: ManifestPointerSchema.nullable().default(null),
  /** Where compaction stands (src/log/compactor.ts); absent: never compacted. */
  compaction: CompactionStateSchema.optional(),
});
export type PartitionState = z.infer<typeof PartitionStateSchema>;

/**
 * An aborted transaction, kept with the segment holding its abort marker (src/log/txn_index.ts):
 * the producer, the transaction's first offset, the marker's offset, and the partition's last
 * stable offset just after the marker (a read can stop looking once it passed that).
 */
export const AbortedTxnSchema = z.object({
  producer_id: int.min(0),
  first_offset: int.min(0),
  last_offset: int.min(0),
  lso: int.min(0),
});
export type AbortedTxn = z.infer<typeof AbortedTxnSchema>;

/** One committed segment object. */
export const SegmentRefSchema = z.object({
  /** The object holding the segment; one object can hold segments of many partitions. */
  key: z.string(),
  base_offset: int.min(0),
  last_offset: int.min(0),
  /** Where the segment starts in its object, and its size: one ranged GET reads it. */
  position: int.min(0).default(0),
  size: int.min(0),
  /** How many segments the object holds (1: the object can go with this segment). */
  object_chunks: int.min(1).default(1),
  batch_count: int.min(0),
  max_timestamp: int,
  epoch: int,
  created_ms: int,
  /** Transactions aborted by markers in this segment (absent: none). */
  aborted: z.array(AbortedTxnSchema).optional(),
});
export type SegmentRef = z.infer<typeof SegmentRefSchema>;

/** A group's coordinator epoch: bumped by each broker that starts coordinating the group. */
export const GroupEpochSchema = z.object({ epoch: int.min(0), broker_id: int });

/** A listener as clients reach it. */
export const EndpointSchema = z.object({ host: z.string(), port: int.min(0) });

/**
 * A live broker's registration (leased: it disappears when the broker stops renewing it).
 * `host`/`port` are its first advertised listener; `listeners` holds every advertised listener
 * by name (records written before listeners existed have none: their one listener was
 * PLAINTEXT at `host`/`port`).
 */
export const BrokerRecordSchema = z.object({
  node_id: int.min(0),
  host: z.string(),
  port: int.min(0),
  rack: z.string().nullable(),
  listeners: z.record(z.string(), EndpointSchema).default({}),
  /** Where its HTTP endpoint (metrics, console) is reached; null when unknown. */
  http: EndpointSchema.nullable().default(null),
  /** Its release version and start time (for the console). */
  version: z.string().default(""),
  started_ms: int.default(0),
});
export type BrokerRecord = z.infer<typeof BrokerRecordSchema>;

/** Key builders. */
export const keys = {
  broker: (id: number) => `brokers/${id}`,
  groupEpoch: (group: string) => `group_epochs/${group}`,
  brokersPrefix: () => "brokers/",
  topic: (name: string) => `topics/${name}`,
  topicsPrefix: () => "topics/",
  partition: (topic: string, p: number) => `partitions/${topic}/${p}`,
  partitionsPrefix: (topic: string) => `partitions/${topic}/`,
  /** Every partition record (the garbage collector reads their manifest pointers). */
  allPartitionsPrefix: () => "partitions/",
  segment: (topic: string, p: number, base: number) =>
    `segments/${topic}/${p}/${String(base).padStart(20, "0")}`,
  /** Every partition's segment references (the garbage collector's mark phase). */
  allSegmentsPrefix: () => "segments/",
  segmentsPrefix: (topic: string, p?: number) =>
    p === undefined ? `segments/${topic}/` : `segments/${topic}/${p}/`,
  group: (group: string) => `groups/${group}`,
  groupsPrefix: () => "groups/",
  offset: (group: string, topic: string, p: number) => `offsets/${group}/${topic}/${p}`,
  offsetsPrefix: (group: string) => `offsets/${group}/`,
  /** One user's credential for one SCRAM mechanism (any name is safe in a key). */
  userCredential: (user: string, mechanism: string) =>
    `users/${encodeURIComponent(user)}/${mechanism}`,
  userPrefix: (user: string) => `users/${encodeURIComponent(user)}/`,
  usersPrefix: () => "users/",
  /** One ACL: every part of the binding is in the key (see the module doc). */
  acl: (b: {
    resourceType: string;
    patternType: string;
    resourceName: string;
    principal: string;
    host: string;
    operation: string;
    permission: string;
  }) =>
    `acls/${b.resourceType}/${b.patternType}/${encodeURIComponent(b.resourceName)}/` +
    `${encodeURIComponent(b.principal)}/${encodeURIComponent(b.host)}/${b.operation}/` +
    b.permission,
  aclsPrefix: () => "acls/",
} as const;

/** Serializes a record after validating it. */
export function encodeRecord<T>(schema: z.ZodType<T>, value: T): Uint8Array {
  return encoder.encode(JSON.stringify(schema.parse(value)));
}

/** Parses and validates a stored record; throws with the key named when it is corrupt. */
export function decodeRecord<T>(schema: z.ZodType<T>, key: string, bytes: Uint8Array): T {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new Error(`Cannot read metadata record ${key}: not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`Cannot read metadata record ${key}: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/** A committed consumer offset. */
export const CommittedOffsetSchema = z.object({
  offset: int,
  leader_epoch: int,
  metadata: z.string().nullable(),
  commit_ms: int,
});
export type CommittedOffset = z.infer<typeof CommittedOffsetSchema>;

/** A group's persisted membership (written when it becomes Stable or Empty). */
export const GroupRecordSchema = z.object({
  group_id: z.string(),
  state: z.enum(["Empty", "Stable"]),
  protocol_type: z.string().nullable(),
  protocol: z.string().nullable(),
  generation: int,
  leader: z.string().nullable(),
  /** When the group last became Empty (for offset expiry), or null. */
  empty_since_ms: int.nullable(),
  members: z.array(z.object({
    member_id: z.string(),
    group_instance_id: z.string().nullable(),
    client_id: z.string(),
    client_host: z.string(),
    session_timeout_ms: int,
    rebalance_timeout_ms: int,
    protocols: z.array(z.object({ name: z.string(), metadata: z.string() })),
    assignment: z.string(),
  })),
});
export type GroupRecord = z.infer<typeof GroupRecordSchema>;

/** One user's SCRAM credential for one mechanism (binary fields in base64). */
export const ScramCredentialRecordSchema = z.object({
  user: z.string().min(1),
  mechanism: z.enum(["SCRAM-SHA-256", "SCRAM-SHA-512"]),
  salt: z.string().min(1),
  iterations: int.min(1),
  stored_key: z.string().min(1),
  server_key: z.string().min(1),
  updated_ms: int,
});
export type ScramCredentialRecord = z.infer<typeof ScramCredentialRecordSchema>;

/** One ACL (src/auth/acl.ts); names are bounded (255 characters), so the record is small. */
export const AclRecordSchema = z.object({
  resource_type: z.enum(["TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID"]),
  resource_name: z.string().min(1).max(255),
  pattern_type: z.enum(["LITERAL", "PREFIXED"]),
  principal: z.string().min(3).max(255),
  host: z.string().min(1).max(255),
  operation: z.enum([
    "ALL",
    "READ",
    "WRITE",
    "CREATE",
    "DELETE",
    "ALTER",
    "DESCRIBE",
    "CLUSTER_ACTION",
    "DESCRIBE_CONFIGS",
    "ALTER_CONFIGS",
    "IDEMPOTENT_WRITE",
    "CREATE_TOKENS",
    "DESCRIBE_TOKENS",
  ]),
  permission: z.enum(["ALLOW", "DENY"]),
  created_ms: int,
});
export type AclRecord = z.infer<typeof AclRecordSchema>;
