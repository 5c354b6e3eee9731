/**
 * Restoring a metadata snapshot into an empty metadata store, then rolling the partitions
 * forward from the object store (roll_forward.ts): segments committed after the snapshot are
 * found through the indexes of the objects written since (src/log/object_index.ts), so records
 * acknowledged after it are not lost. Everything else (topics and their configs, groups,
 * committed offsets, users, producer ids) is as of the snapshot.
 *
 * Writes: one new manifest object per partition holding its whole chain (so no tail keys),
 * then the keys, in transactions within etcd's limits; the cluster id goes last, so a restore
 * cut short leaves a store brokers refuse to start on (and a second restore needs --force).
 * All brokers must be stopped: a running one would write into the store as it fills.
 * @module
 */
import type { KvOp, MetadataStore } from "../metadata/types.ts";
import type { ObjectStore } from "../object_store/types.ts";
import {
  decodeRecord,
  encodeRecord,
  keys,
  type PartitionState,
  PartitionStateSchema,
  type SegmentRef,
  SegmentRefSchema,
  type TopicConfig,
  TopicConfigSchema,
} from "../metadata/records.ts";
import { encodeManifest, manifestKey } from "../log/segment_manifest.ts";
import { CorruptSnapshotError, type SnapshotContent } from "./snapshot_format.ts";
import { listSnapshots, loadSnapshot, type SnapshotMarker } from "./snapshot_store.ts";
import { type FoundSegment, type PartitionReport, recoverPartition } from "./roll_forward.ts";
import { scanObjects, type ScanSummary } from "./object_scan.ts";
import { CLUSTER_ID_KEY } from "./snapshot.ts";

/** The producer id counter's key (src/cluster/producer_ids.ts). */
const PRODUCER_IDS_KEY = "producer_ids/next_block";
/**
 * Producer ids handed out after the snapshot that no object shows are unknown: the counter
 * restarts this far past the highest id seen, so none is handed out twice.
 */
export const PRODUCER_ID_MARGIN = 1_000_000;
const TXN_OPS = 100;
const TXN_BYTES = 1024 * 1024;

/** Raised when a restore would overwrite a store that is in use. */
export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreRefusedError";
  }
}

/** Settings of a restore. */
export interface RestoreOptions {
  namespace: string;
  /** `latest`, or a snapshot id (see `kafscale metadata list`). */
  snapshot: string;
  /** Delete everything in a store that is not empty first. */
  force?: boolean;
  /**
   * The garbage collector's grace period: objects written from twice this long before the
   * snapshot on are read for the roll-forward (an upload may commit up to half of it later).
   */
  graceMs: number;
  /** Read the index of every object, however old. */
  scanAll?: boolean;
  /** Progress lines. */
  progress?: (line: string) => void;
}

/** Segments found for topics or partitions the snapshot does not have. */
export interface UnknownSegments {
  topic: string;
  topicId: string;
  partitions: number[];
  segments: number;
  why: string;
}

/** What a restore did. */
export interface RestoreReport {
  snapshot: SnapshotMarker;
  partitions: PartitionReport[];
  scan: ScanSummary;
  unknown: UnknownSegments[];
  counts: { topics: number; groups: number; offsets: number; users: number; keys: number };
  producerIdsFrom: number;
  manifests: number;
}

/** Picks the snapshot (`latest`: the newest committed one). */
async function chooseSnapshot(objects: ObjectStore, o: RestoreOptions) {
  const listing = await listSnapshots(objects, o.namespace);
  if (listing.committed.length === 0) {
    throw new Error(
      `Cannot restore: no committed metadata snapshot under ${o.namespace}/_snapshots/ ` +
        "(check KAFSCALE_S3_NAMESPACE and the object store settings)",
    );
  }
  const id = o.snapshot === "latest" ? listing.committed[0]! : o.snapshot;
  if (!listing.committed.includes(id)) {
    throw new Error(
      `Cannot restore snapshot ${id}: no such committed snapshot (newest: ` +
        `${listing.committed.slice(0, 5).join(", ")}; see kafscale metadata list)`,
    );
  }
  try {
    return await loadSnapshot(objects, o.namespace, id);
  } catch (e) {
    if (!(e instanceof CorruptSnapshotError)) throw e;
    const older = listing.committed[listing.committed.indexOf(id) + 1];
    throw new CorruptSnapshotError(
      id,
      e.message.replace(/^Cannot read metadata snapshot \S+: /, "") +
        "; nothing was written" + (older ? ` (an older snapshot: --snapshot ${older})` : ""),
    );
  }
}

async function checkEmpty(meta: MetadataStore, force: boolean): Promise<void> {
  const page = await meta.getPage("", { limit: 1 });
  const first = page.entries[0];
  if (!first) return;
  if (!force) {
    throw new RestoreRefusedError(
      `Cannot restore: the metadata store is not empty (it holds ${first.key}` +
        `${page.more ? " and more" : ""}). Stop every broker, then restore into an empty ` +
        "store, or pass --force to delete everything in it first",
    );
  }
}

/** A partition's committed references in the snapshot (its manifest's, then its tail keys). */
function snapshotRefs(
  content: SnapshotContent,
  state: PartitionState,
  tail: SegmentRef[],
): SegmentRef[] {
  const inside = (r: SegmentRef) =>
    r.last_offset >= state.log_start_offset && r.base_offset < state.log_end_offset;
  const manifest = state.manifest
    ? (content.manifests.get(state.manifest.key)?.segments ?? []).filter(inside)
    : [];
  if (state.manifest && !content.manifests.has(state.manifest.key)) {
    throw new CorruptSnapshotError(
      content.info.id,
      `it lacks the manifest ${state.manifest.key} of partition ${state.partition}`,
    );
  }
  const manifestEnd = manifest.at(-1)?.last_offset ?? -1;
  const rest = tail.filter((r) => inside(r) && r.base_offset > manifestEnd)
    .sort((a, b) => a.base_offset - b.base_offset);
  return [...manifest, ...rest];
}

/** Puts keys in transactions within etcd's limits. */
async function putAll(meta: MetadataStore, puts: { key: string; value: Uint8Array }[]) {
  let ops: KvOp[] = [];
  let bytes = 0;
  const flush = async () => {
    if (ops.length > 0) await meta.txn({ compares: [], success: ops });
    ops = [];
    bytes = 0;
  };
  for (const p of puts) {
    const size = p.key.length + p.value.byteLength + 16;
    if (ops.length >= TXN_OPS || bytes + size > TXN_BYTES) await flush();
    ops.push({ type: "put", key: p.key, value: p.value });
    bytes += size;
  }
  await flush();
}

/** The topic and partition of a `partitions/<topic>/<p>` or `segments/<topic>/<p>/..` key. */
function partitionOf(key: string): string {
  const parts = key.split("/");
  return `${parts[1]}/${parts[2]}`;
}

/** The snapshot's keys, sorted by what restore does with them. */
interface SnapshotKeys {
  /** Topics by topic id. */
  topics: Map<string, TopicConfig>;
  /** Partition records and tail references by `<topic>/<partition>`. */
  states: Map<string, PartitionState>;
  tails: Map<string, SegmentRef[]>;
  counts: RestoreReport["counts"];
}

function sortKeys(content: SnapshotContent): SnapshotKeys {
  const out: SnapshotKeys = {
    topics: new Map(),
    states: new Map(),
    tails: new Map(),
    counts: { topics: 0, groups: 0, offsets: 0, users: 0, keys: content.entries.length },
  };
  for (const e of content.entries) {
    if (e.key.startsWith(keys.topicsPrefix())) {
      const t = decodeRecord(TopicConfigSchema, e.key, e.value);
      out.topics.set(t.topic_id, t);
      out.counts.topics++;
    } else if (e.key.startsWith(keys.allPartitionsPrefix())) {
      out.states.set(partitionOf(e.key), decodeRecord(PartitionStateSchema, e.key, e.value));
    } else if (e.key.startsWith(keys.allSegmentsPrefix())) {
      const list = out.tails.get(partitionOf(e.key)) ?? [];
      list.push(decodeRecord(SegmentRefSchema, e.key, e.value));
      out.tails.set(partitionOf(e.key), list);
    } else if (e.key.startsWith(keys.groupsPrefix())) out.counts.groups++;
    else if (e.key.startsWith("offsets/")) out.counts.offsets++;
    else if (e.key.startsWith(keys.usersPrefix())) out.counts.users++;
  }
  return out;
}

type Recovered = Map<string, ReturnType<typeof recoverPartition>>;

/**
 * Applies the roll-forward rule to every partition of every topic of the snapshot that has a
 * record or segments; what is found for no such partition is left in `found`.
 */
function recoverAll(
  content: SnapshotContent,
  k: SnapshotKeys,
  found: Map<string, FoundSegment[]>,
  sizes: Map<string, number>,
): Recovered {
  const recovered: Recovered = new Map();
  for (const t of k.topics.values()) {
    for (let p = 0; p < t.partitions; p++) {
      const at = `${t.name}/${p}`;
      const stored = k.states.get(at);
      const state = stored?.topic_id === t.topic_id ? stored : null;
      const mine = found.get(`${t.topic_id}/${p}`) ?? [];
      found.delete(`${t.topic_id}/${p}`);
      if (!state && mine.length === 0) continue;
      recovered.set(
        at,
        recoverPartition({
          topic: t.name,
          topicId: t.topic_id,
          partition: p,
          snapshot: state,
          refs: state ? snapshotRefs(content, state, k.tails.get(at) ?? []) : [],
          exists: (r) => (sizes.get(r.key) ?? -1) >= r.position + r.size,
          found: mine,
        }),
      );
    }
  }
  return recovered;
}

/** Writes one manifest object per recovered partition with segments; resolves how many. */
async function writeManifests(
  objects: ObjectStore,
  namespace: string,
  recovered: Recovered,
): Promise<number> {
  let written = 0;
  const pending = [...recovered.values()].filter((r) => r.segments.length > 0);
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let r = pending.shift(); r; r = pending.shift()) {
      const { topic, partition } = r.report;
      const bytes = await encodeManifest({ topic, partition, segments: r.segments });
      const key = manifestKey(namespace, topic, partition);
      await objects.put(key, bytes, { ifNoneMatch: true });
      r.state.manifest = { key, segments: r.segments.length, size: bytes.byteLength };
      written++;
    }
  }));
  return written;
}

/**
 * The keys to write: the snapshot's, with the recovered partitions' records in place of theirs
 * (and without their tail keys: the manifests hold every segment), and the producer-id counter
 * moved past `maxProducerId`. The cluster id is left out: it goes last. Resolves the counter.
 */
function keysToWrite(
  content: SnapshotContent,
  recovered: Recovered,
  maxProducerId: number,
): { puts: { key: string; value: Uint8Array }[]; producerIdsFrom: number } {
  const puts: { key: string; value: Uint8Array }[] = [];
  let next = 0;
  for (const e of content.entries) {
    const replaced = (e.key.startsWith(keys.allPartitionsPrefix()) ||
      e.key.startsWith(keys.allSegmentsPrefix())) && recovered.has(partitionOf(e.key));
    if (e.key === PRODUCER_IDS_KEY) next = Number(new TextDecoder().decode(e.value)) || 0;
    else if (e.key !== CLUSTER_ID_KEY && !replaced) puts.push(e);
  }
  for (const [at, r] of recovered) {
    puts.push({
      key: `${keys.allPartitionsPrefix()}${at}`,
      value: encodeRecord(PartitionStateSchema, r.state),
    });
  }
  const producerIdsFrom = maxProducerId < 0
    ? next
    : Math.max(next, maxProducerId + 1 + PRODUCER_ID_MARGIN);
  puts.push({ key: PRODUCER_IDS_KEY, value: new TextEncoder().encode(String(producerIdsFrom)) });
  return { puts, producerIdsFrom };
}

/** Restores a snapshot and rolls the partitions forward; resolves what it did. */
export async function restoreSnapshot(
  meta: MetadataStore,
  objects: ObjectStore,
  o: RestoreOptions,
): Promise<RestoreReport> {
  await checkEmpty(meta, o.force ?? false);
  const { marker, content } = await chooseSnapshot(objects, o);
  o.progress?.(`snapshot ${marker.id}: ${marker.keys} keys at revision ${marker.revision}`);
  const k = sortKeys(content);
  const listed = await objects.list(`${o.namespace}/`);
  const sizes = new Map(listed.map((x) => [x.key, x.size]));
  const cutoff = marker.created_ms - 2 * o.graceMs;
  const { found, summary } = await scanObjects(objects, listed, { ...o, cutoff });
  o.progress?.(`read the indexes of ${summary.read} of ${summary.objects} segment objects`);
  let maxProducerId = -1;
  for (const list of found.values()) {
    for (const f of list) {
      for (const p of f.producers) maxProducerId = Math.max(maxProducerId, p.id);
    }
  }
  const recovered = recoverAll(content, k, found, sizes);
  const unknown = unknownSegments(found, k.topics);

  if (o.force) await meta.txn({ compares: [], success: [{ type: "deletePrefix", prefix: "" }] });
  const manifests = await writeManifests(objects, o.namespace, recovered);
  const { puts, producerIdsFrom } = keysToWrite(content, recovered, maxProducerId);
  await putAll(meta, puts);
  const idEntry = content.entries.find((e) => e.key === CLUSTER_ID_KEY);
  if (idEntry) await meta.put(CLUSTER_ID_KEY, idEntry.value);
  return {
    snapshot: marker,
    partitions: [...recovered.values()].map((r) => r.report),
    scan: summary,
    unknown,
    counts: k.counts,
    producerIdsFrom,
    manifests,
  };
}

/** Segments of topics the snapshot lacks, or of partitions beyond a topic's count. */
function unknownSegments(
  found: Map<string, FoundSegment[]>,
  topics: Map<string, TopicConfig>,
): UnknownSegments[] {
  const byTopic = new Map<string, UnknownSegments>();
  for (const list of found.values()) {
    for (const f of list) {
      const t = topics.get(f.topic_id);
      let u = byTopic.get(f.topic_id);
      if (!u) {
        u = {
          topic: f.topic,
          topicId: f.topic_id,
          partitions: [],
          segments: 0,
          why: t
            ? `partitions beyond the ${t.partitions} of the snapshot's topic (added after it)`
            : "the snapshot has no such topic (created after it, or deleted before it)",
        };
        byTopic.set(f.topic_id, u);
      }
      if (!u.partitions.includes(f.partition)) u.partitions.push(f.partition);
      u.segments++;
    }
  }
  for (const u of byTopic.values()) u.partitions.sort((a, b) => a - b);
  return [...byTopic.values()];
}

/**
 * Refuses to start a broker on a metadata store without a cluster id while the object store
 * holds snapshots of the namespace: the metadata was lost (or is the wrong store), and a
 * broker started on it would see no topics and let its garbage collector delete every object.
 */
export async function refuseLostMetadata(
  meta: MetadataStore,
  objects: ObjectStore,
  namespace: string,
): Promise<void> {
  if (await meta.get(CLUSTER_ID_KEY)) return;
  const listing = await listSnapshots(objects, namespace);
  const newest = listing.committed[0];
  if (newest === undefined) return;
  throw new Error(
    `Cannot start on an empty metadata store: the object store holds ` +
      `${listing.committed.length} metadata snapshot(s) of namespace ${namespace} ` +
      `(newest ${newest}). Restore it with \`kafscale metadata restore --latest\` (same ` +
      "settings as serve), or give a new cluster its own KAFSCALE_S3_NAMESPACE",
  );
}
