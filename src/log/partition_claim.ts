/**
 * Reading and claiming a partition's durable state (no state of its own): the epoch bump that
 * makes this broker the partition's writer (fencing the previous one), and the committed
 * segment list a writer loads when it starts or re-reads after an uncertain commit.
 * @module
 */
import { KafkaError } from "../protocol/errors.ts";
import type { MetadataStore } from "../metadata/types.ts";
import type { ObjectStore } from "../object_store/types.ts";
import { loadManifest } from "./segment_manifest.ts";
import {
  decodeRecord,
  encodeRecord,
  keys,
  type PartitionState,
  PartitionStateSchema,
  type SegmentRef,
  SegmentRefSchema,
} from "../metadata/records.ts";

/** A partition's committed segments: the manifest's, then the tail's. */
export interface SegmentList {
  /** Ascending, inside [log start, log end). */
  segments: SegmentRef[];
  /** How many of the first `segments` the manifest holds (the rest are tail keys). */
  inManifest: number;
}

/** A partition as this writer holds it after a claim. */
export interface Claimed extends SegmentList {
  state: PartitionState;
  /** Revision of the partition record: every later commit is conditional on it. */
  revision: number;
}

/** The stores a segment list is read from. */
export interface SegmentSources {
  meta: MetadataStore;
  objects: ObjectStore;
}

/**
 * The committed segments still inside [log start, log end): the manifest's (one GET) and the
 * tail keys (paged reads). A tail key of a segment the manifest already holds (left by a roll
 * whose answer was lost, then retried) is not counted twice.
 */
export async function committedSegments(
  from: SegmentSources,
  topic: string,
  state: PartitionState,
): Promise<SegmentList> {
  const inside = (r: SegmentRef) =>
    r.last_offset >= state.log_start_offset && r.base_offset < state.log_end_offset;
  const manifest = state.manifest
    ? (await loadManifest(from.objects, state.manifest.key)).segments.filter(inside)
    : [];
  const manifestEnd = manifest.length > 0 ? manifest[manifest.length - 1]!.last_offset : -1;
  const entries = await from.meta.getPrefix(keys.segmentsPrefix(topic, state.partition));
  const tail = entries.map((e) => decodeRecord(SegmentRefSchema, e.key, e.value))
    .filter((r) => inside(r) && r.base_offset > manifestEnd)
    .sort((a, b) => a.base_offset - b.base_offset);
  return { segments: [...manifest, ...tail], inManifest: manifest.length };
}

/**
 * Takes the next leader epoch of a partition in one conditional transaction (creating the
 * record when there is none), retrying while other writers race for it.
 */
export async function claimPartition(
  from: SegmentSources,
  at: { topic: string; topicId: string; partition: number; brokerId: number },
): Promise<Claimed> {
  const meta = from.meta;
  const key = keys.partition(at.topic, at.partition);
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await meta.get(key);
    const stored = entry ? decodeRecord(PartitionStateSchema, key, entry.value) : null;
    // A record left by an earlier topic of the same name starts over (its epoch still grows).
    const prev = stored?.topic_id === at.topicId ? stored : null;
    // The first writer takes epoch 1, as it did when topics wrote an epoch-0 record for every
    // partition at creation: epochs of old and new topics start alike.
    const epoch = stored ? stored.leader_epoch + 1 : 1;
    const end = prev?.log_end_offset ?? 0;
    // An epoch that wrote nothing is replaced by the next one (as Kafka's epoch cache does),
    // so the history maps every epoch to where its writes really start.
    const kept = (prev?.epoch_history ?? []).filter((e) => e.start_offset < end);
    const state: PartitionState = {
      topic_id: at.topicId,
      partition: at.partition,
      leader_id: at.brokerId,
      leader_epoch: epoch,
      epoch_history: [...kept, { epoch, start_offset: end }].slice(-64),
      log_start_offset: prev?.log_start_offset ?? 0,
      log_end_offset: end,
      producers: prev?.producers ?? {},
      manifest: prev?.manifest ?? null,
      compaction: prev?.compaction,
    };
    const res = await meta.txn({
      compares: [{ key, modRevision: entry?.modRevision ?? 0 }],
      success: [{ type: "put", key, value: encodeRecord(PartitionStateSchema, state) }],
    });
    if (!res.succeeded) continue;
    return { state, revision: res.revision, ...await committedSegments(from, at.topic, state) };
  }
  throw new KafkaError(
    "NOT_LEADER_OR_FOLLOWER",
    `Cannot open ${at.topic}-${at.partition}: contended`,
  );
}
