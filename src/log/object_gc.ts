/**
 * Garbage collection of segment objects (DESIGN.md invariant 2: objects a writer uploaded but
 * could not commit are garbage). Mark and sweep: list the objects under the namespace, keep
 * those younger than the grace period, read every committed segment reference, and delete the
 * old objects nothing references. That reclaims the uploads of failed or fenced commits, the
 * shared objects whose segments retention or DeleteTopics dropped, and deletes that failed.
 *
 * Why it is safe to run on every broker at once: an object is referenced only by a commit, and
 * a writer never commits an upload older than half the grace period (`commitDeadlineMs`), so
 * an object that is past the grace period and unreferenced now stays unreferenced. The listing
 * happens before the references are read, so a commit that lands in between is seen.
 * @module
 */
import type { ObjectStore } from "../object_store/types.ts";
import type { MetadataStore } from "../metadata/types.ts";
import { decodeRecord, keys, SegmentRefSchema } from "../metadata/records.ts";

/** What one collection did. */
export interface GcResult {
  /** Segment objects looked at. */
  scanned: number;
  /** Unreferenced objects past the grace period that were deleted. */
  deleted: number;
}

/** Settings of a collection. */
export interface GcOptions {
  /** The cluster's key prefix in the bucket. */
  namespace: string;
  /** Objects younger than this (ms, by the store's write time) are left alone. */
  graceMs: number;
  now?: number;
}

/** Runs one mark-and-sweep pass. */
export async function collectGarbage(
  objects: ObjectStore,
  meta: MetadataStore,
  options: GcOptions,
): Promise<GcResult> {
  const cutoff = (options.now ?? Date.now()) - options.graceMs;
  const listed = (await objects.list(`${options.namespace}/`)).filter((o) =>
    o.key.endsWith(".seg")
  );
  const old = listed.filter((o) => o.lastModified < cutoff);
  if (old.length === 0) return { scanned: listed.length, deleted: 0 };
  const referenced = new Set<string>();
  for (const entry of await meta.getPrefix(keys.allSegmentsPrefix())) {
    referenced.add(decodeRecord(SegmentRefSchema, entry.key, entry.value).key);
  }
  let deleted = 0;
  for (const o of old) {
    if (referenced.has(o.key)) continue;
    await objects.delete(o.key);
    deleted++;
  }
  return { scanned: listed.length, deleted };
}
