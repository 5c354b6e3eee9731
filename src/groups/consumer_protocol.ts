/**
 * Reads the embedded "consumer" protocol (ConsumerProtocolSubscription and Assignment) that
 * Kafka consumers put in JoinGroup metadata and SyncGroup assignments. The broker never needs
 * it to coordinate (assignors run in clients); admin views and OffsetDelete read it.
 * Unreadable bytes give empty results: clients may use other protocol types.
 * @module
 */
import { Reader } from "../protocol/primitives.ts";

/** Topics named in a consumer subscription (version 0+ layout: version, topics, ...). */
export function subscribedTopics(metadata: Uint8Array): string[] {
  try {
    const r = new Reader(metadata);
    r.int16();
    const n = r.int32();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(r.nullableString() ?? "");
    return out;
  } catch {
    return [];
  }
}

/** Partitions in a consumer assignment (version 0+ layout: version, [topic, [partition]]). */
export function assignedPartitions(
  assignment: Uint8Array,
): { topic: string; partitions: number[] }[] {
  if (assignment.byteLength === 0) return [];
  try {
    const r = new Reader(assignment);
    r.int16();
    const n = r.int32();
    const out = [];
    for (let i = 0; i < n; i++) {
      const topic = r.nullableString() ?? "";
      const k = r.int32();
      const partitions: number[] = [];
      for (let j = 0; j < k; j++) partitions.push(r.int32());
      out.push({ topic, partitions });
    }
    return out;
  } catch {
    return [];
  }
}
