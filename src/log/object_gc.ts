/**
 * Garbage collection of segment and manifest objects (DESIGN.md invariant 2: objects a writer
 * uploaded but could not commit are garbage). Mark and sweep: list the objects under the
 * namespace, keep those younger than the grace period, read every committed reference, and
 * delete the old objects nothing references. That reclaims the uploads of failed or fenced
 * commits, manifests a roll replaced, segments merged away, the shared objects whose segments
 * retention or DeleteTopics dropped, and deletes that failed.
 *
 * References: every partition's tail keys, its manifest object, and the segment objects the
 * manifest names. The tail keys are read BEFORE the partition records: a roll that moves tail
 * references into a new manifest in between is then seen on one side or the other (reading the
 * records first could miss the moved references on both).
 *
 * Why it is safe to run on every broker at once: an object is referenced only by a commit, and
 * a writer never commits an upload older than half the grace period (`commitDeadlineMs`), so
 * an object that is past the grace period and unreferenced now stays unreferenced. The listing
 * happens before the references are read, so a commit that lands in between is seen. A
 * manifest that cannot be read stops the pass before anything is deleted.
 * @module
 */
import type { ObjectInfo, ObjectStore } from "../object_store/types.ts";
import type { MetadataStore } from "../metadata/types.ts";
import { decodeRecord, keys, PartitionStateSchema, SegmentRefSchema } from "../metadata/records.ts";
import { isManifestKey, loadManifest } from "./segment_manifest.ts";

/** What one collection did. */
export interface GcResult {
  /** Segment and manifest objects looked at. */
  scanned: number;
  /** Unreferenced objects past the grace period that were deleted. */
  deleted: number;
}

/**
 * The object keys each manifest references. Manifests are immutable, so an entry stays true;
 * each pass keeps only the manifests still referenced, which bounds it.
 */
export class ManifestIndex {
  private byKey = new Map<string, string[]>();

  /** The segment objects `manifestKey` names (read once, then remembered). */
  async objectsOf(objects: ObjectStore, manifestKey: string): Promise<string[]> {
    const known = this.byKey.get(manifestKey);
    if (known) return known;
    const m = await loadManifest(objects, manifestKey);
    const keysOf = [...new Set(m.segments.map((r) => r.key))];
    this.byKey.set(manifestKey, keysOf);
    return keysOf;
  }

  /** Forgets manifests no longer referenced. */
  retain(live: Set<string>): void {
    for (const k of this.byKey.keys()) if (!live.has(k)) this.byKey.delete(k);
  }
}

/** Settings of a collection. */
export interface GcOptions {
  /** The cluster's key prefix in the bucket. */
  namespace: string;
  /** Objects younger than this (ms, by the store's write time) are left alone. */
  graceMs: number;
  now?: number;
  /** Manifests read by earlier passes. */
  manifests?: ManifestIndex;
  /**
   * The cluster id the metadata store must hold: a store that lost its keys (or is another
   * cluster's) references nothing, and sweeping by it would delete every object.
   */
  expectClusterId?: string;
}

/** Refuses to sweep by a metadata store that is not the cluster's. */
async function checkCluster(meta: MetadataStore, expected: string): Promise<void> {
  const entry = await meta.get("cluster/id");
  const id = entry ? new TextDecoder().decode(entry.value) : null;
  if (id !== expected) {
    throw new Error(
      `Cannot collect garbage: the metadata store holds cluster id ${id ?? "(none)"}, not ` +
        `${expected}; it was emptied or replaced (restore it: kafscale metadata restore)`,
    );
  }
}

/** Every object key the metadata references (tail keys first; see the module doc). */
export async function referencedObjects(
  objects: ObjectStore,
  meta: MetadataStore,
  manifests = new ManifestIndex(),
): Promise<Set<string>> {
  const referenced = new Set<string>();
  for (const entry of await meta.getPrefix(keys.allSegmentsPrefix())) {
    referenced.add(decodeRecord(SegmentRefSchema, entry.key, entry.value).key);
  }
  const live = new Set<string>();
  for (const entry of await meta.getPrefix(keys.allPartitionsPrefix())) {
    const state = decodeRecord(PartitionStateSchema, entry.key, entry.value);
    if (!state.manifest) continue;
    live.add(state.manifest.key);
    referenced.add(state.manifest.key);
    for (const k of await manifests.objectsOf(objects, state.manifest.key)) referenced.add(k);
  }
  manifests.retain(live);
  return referenced;
}

/** Whether an object key is one the collector looks after (a segment object or a manifest). */
export function isLogObject(key: string): boolean {
  return key.endsWith(".seg") || isManifestKey(key);
}

/**
 * The collector's rule for one object, shared with `kafscale metadata verify`: referenced
 * objects stay, unreferenced ones written before `cutoff` (now minus the grace period) are
 * garbage, younger unreferenced ones may still be committed (an upload waiting for its commit).
 */
export function judgeObject(
  o: ObjectInfo,
  referenced: ReadonlySet<string>,
  cutoff: number,
): "referenced" | "collectable" | "young" {
  if (referenced.has(o.key)) return "referenced";
  return o.lastModified < cutoff ? "collectable" : "young";
}

/** Runs one mark-and-sweep pass. */
export async function collectGarbage(
  objects: ObjectStore,
  meta: MetadataStore,
  options: GcOptions,
): Promise<GcResult> {
  const cutoff = (options.now ?? Date.now()) - options.graceMs;
  const listed = (await objects.list(`${options.namespace}/`)).filter((o) => isLogObject(o.key));
  const old = listed.filter((o) => o.lastModified < cutoff);
  if (old.length === 0) return { scanned: listed.length, deleted: 0 };
  if (options.expectClusterId !== undefined) await checkCluster(meta, options.expectClusterId);
  const referenced = await referencedObjects(objects, meta, options.manifests);
  let deleted = 0;
  for (const o of old) {
    if (judgeObject(o, referenced, cutoff) !== "collectable") continue;
    await objects.delete(o.key);
    deleted++;
  }
  return { scanned: listed.length, deleted };
}
