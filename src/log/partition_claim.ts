/**
 * Reading and claiming a partition's durable state (no state of its own): the epoch bump that
 * makes this broker the partition's writer (fencing the previous one), and the committed
 * segment list a writer loads when it starts or re-reads after an uncertain commit.
 * @module
 */
import { KafkaError } from "../protocol/errors.ts";
import type { MetadataStore } from "../metadata/types.ts";
import {
  decodeRecord,
  encodeRecord,
  keys,
  type PartitionState,
  PartitionStateSchema,
  type SegmentRef,
  SegmentRefSchema,
} from "../metadata/records.ts";

/** A partition as this writer holds it after a claim. */
export interface Claimed {
  state: PartitionState;
  /** Revision of the partition record: every later commit is conditional on it. */
  revision: number;
  segments: SegmentRef[];
}

/** The committed segments still inside [log start, log end), ascending. */
export async function committedSegments(
  meta: MetadataStore,
  topic: string,
  state: PartitionState,
): Promise<SegmentRef[]> {
  const entries = await meta.getPrefix(keys.segmentsPrefix(topic, state.partition));
  return entries.map((e) => decodeRecord(SegmentRefSchema, e.key, e.value))
    .filter((r) => r.last_offset >= state.log_start_offset && r.base_offset < state.log_end_offset)
    .sort((a, b) => a.base_offset - b.base_offset);
}

/**
 * Takes the next leader epoch of a partition in one conditional transaction (creating the
 * record when there is none), retrying while other writers race for it.
 */
export async function claimPartition(
  meta: MetadataStore,
  at: { topic: string; topicId: string; partition: number; brokerId: number },
): Promise<Claimed> {
  const key = keys.partition(at.topic, at.partition);
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await meta.get(key);
    const prev = entry ? decodeRecord(PartitionStateSchema, key, entry.value) : null;
    const epoch = prev ? prev.leader_epoch + 1 : 0;
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
    };
    const res = await meta.txn({
      compares: [{ key, modRevision: entry?.modRevision ?? 0 }],
      success: [{ type: "put", key, value: encodeRecord(PartitionStateSchema, state) }],
    });
    if (!res.succeeded) continue;
    return {
      state,
      revision: res.revision,
      segments: await committedSegments(meta, at.topic, state),
    };
  }
  throw new KafkaError(
    "NOT_LEADER_OR_FOLLOWER",
    `Cannot open ${at.topic}-${at.partition}: contended`,
  );
}
