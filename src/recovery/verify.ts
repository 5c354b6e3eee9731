/**
 * `kafscale metadata verify`: checks that the metadata and the object store agree. Every
 * segment reference (tail keys and manifests) must name an object that exists and is large
 * enough (with `deep`, its segment is read and its checksum verified); every segment object
 * and manifest must be referenced, or be one the garbage collector will delete (the same rule:
 * `judgeObject` in src/log/object_gc.ts), or be young (an upload waiting for its commit).
 *
 * The references are read at one revision (`readView`) and the objects listed after, so a
 * commit made meanwhile cannot look dangling; a reference that looks dangling is checked again
 * against the current metadata (retention may have released it while we read) before it is
 * reported. It is safe to run while brokers serve.
 * @module
 */
import type { MetadataStore } from "../metadata/types.ts";
import type { ObjectInfo, ObjectStore } from "../object_store/types.ts";
import { readAllPages } from "../metadata/paging.ts";
import {
  decodeRecord,
  keys,
  type PartitionState,
  PartitionStateSchema,
  type SegmentRef,
  SegmentRefSchema,
} from "../metadata/records.ts";
import { loadManifest } from "../log/segment_manifest.ts";
import { decodeSegment } from "../log/segment_format.ts";
import { isLogObject, judgeObject } from "../log/object_gc.ts";
import { committedSegments } from "../log/partition_claim.ts";
import { listSnapshots, loadSnapshot, snapshotIdTime } from "./snapshot_store.ts";

/** A reference that does not resolve. */
export interface DanglingRef {
  topic: string;
  partition: number;
  key: string;
  base_offset: number;
  last_offset: number;
  why: string;
}

/** What verify found. */
export interface VerifyReport {
  partitions: number;
  references: number;
  manifests: number;
  dangling: DanglingRef[];
  /** Segment objects and manifests, by the garbage collector's rule. */
  objects: { total: number; referenced: number; collectable: number; young: number };
  snapshots: {
    committed: number;
    newest: { id: string; ageSeconds: number } | null;
    uncommitted: number;
    broken: number;
    /** With `deep`: why the newest snapshot does not read back, or null when it does. */
    newestProblem: string | null;
  };
}

/** Settings of a verification. */
export interface VerifyOptions {
  namespace: string;
  graceMs: number;
  /** Read every referenced segment and check its checksum (one ranged GET each). */
  deep?: boolean;
  now?: number;
}

interface Located {
  topic: string;
  state: PartitionState;
  refs: SegmentRef[];
  manifestProblem?: string;
}

/** Reads every partition's references at one revision. */
async function readReferences(meta: MetadataStore, objects: ObjectStore): Promise<Located[]> {
  const view = await meta.readView();
  let tails, records;
  try {
    tails = await readAllPages(view, keys.allSegmentsPrefix());
    records = await readAllPages(view, keys.allPartitionsPrefix());
  } finally {
    await view.close();
  }
  const tailOf = new Map<string, SegmentRef[]>();
  for (const e of tails) {
    const [, topic, p] = e.key.split("/");
    const list = tailOf.get(`${topic}/${p}`) ?? [];
    list.push(decodeRecord(SegmentRefSchema, e.key, e.value));
    tailOf.set(`${topic}/${p}`, list);
  }
  const out: Located[] = [];
  for (const e of records) {
    const state = decodeRecord(PartitionStateSchema, e.key, e.value);
    const rest = e.key.slice(keys.allPartitionsPrefix().length);
    const topic = rest.slice(0, rest.lastIndexOf("/"));
    const inside = (r: SegmentRef) =>
      r.last_offset >= state.log_start_offset && r.base_offset < state.log_end_offset;
    let manifest: SegmentRef[] = [];
    let manifestProblem: string | undefined;
    if (state.manifest) {
      try {
        manifest = (await loadManifest(objects, state.manifest.key)).segments.filter(inside);
      } catch (err) {
        manifestProblem = (err as Error).message;
      }
    }
    const end = manifest.at(-1)?.last_offset ?? -1;
    const tail = (tailOf.get(`${topic}/${state.partition}`) ?? [])
      .filter((r) => inside(r) && r.base_offset > end);
    out.push({ topic, state, refs: [...manifest, ...tail], manifestProblem });
  }
  return out;
}

async function checkRef(
  objects: ObjectStore,
  listed: Map<string, ObjectInfo>,
  ref: SegmentRef,
  deep: boolean,
): Promise<string | null> {
  const o = listed.get(ref.key);
  if (!o) return "object missing";
  if (o.size < ref.position + ref.size) {
    return `object has ${o.size} bytes, the segment ends at ${ref.position + ref.size}`;
  }
  if (!deep) return null;
  const bytes = await objects.get(ref.key, { start: ref.position, end: ref.position + ref.size });
  if (bytes === null) return "object missing";
  try {
    const seg = decodeSegment(ref.key, bytes);
    if (seg.baseOffset !== ref.base_offset || seg.lastOffset !== ref.last_offset) {
      return `segment holds ${seg.baseOffset}-${seg.lastOffset}`;
    }
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

/** Checks the metadata against the object store; resolves what it found. */
export async function verifyStores(
  meta: MetadataStore,
  objects: ObjectStore,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const now = options.now ?? Date.now();
  const located = await readReferences(meta, objects);
  const all = await objects.list(`${options.namespace}/`);
  const listed = new Map(all.map((o) => [o.key, o]));
  const referenced = new Set<string>();
  const dangling: DanglingRef[] = [];
  let references = 0;
  let manifests = 0;
  for (const p of located) {
    const at = { topic: p.topic, partition: p.state.partition };
    if (p.state.manifest) {
      manifests++;
      referenced.add(p.state.manifest.key);
      if (p.manifestProblem) {
        dangling.push({
          ...at,
          key: p.state.manifest.key,
          base_offset: -1,
          last_offset: -1,
          why: p.manifestProblem,
        });
      }
    }
    for (const ref of p.refs) {
      references++;
      referenced.add(ref.key);
      const why = await checkRef(objects, listed, ref, options.deep ?? false);
      if (why) dangling.push({ ...at, key: ref.key, ...range(ref), why });
    }
  }
  const confirmed = await stillDangling(meta, objects, dangling);
  const counts = { total: 0, referenced: 0, collectable: 0, young: 0 };
  const cutoff = now - options.graceMs;
  for (const o of all) {
    if (!isLogObject(o.key)) continue;
    counts.total++;
    counts[judgeObject(o, referenced, cutoff)]++;
  }
  const snaps = await listSnapshots(objects, options.namespace);
  const newestId = snaps.committed[0];
  let newestProblem: string | null = null;
  if (newestId && options.deep) {
    newestProblem = await loadSnapshot(objects, options.namespace, newestId)
      .then(() => null, (e) => (e as Error).message);
  }
  return {
    partitions: located.length,
    references,
    manifests,
    dangling: confirmed,
    objects: counts,
    snapshots: {
      committed: snaps.committed.length,
      newest: newestId
        ? { id: newestId, ageSeconds: Math.round((now - snapshotIdTime(newestId)) / 1000) }
        : null,
      uncommitted: snaps.uncommitted.length,
      broken: snaps.broken.length,
      newestProblem,
    },
  };
}

const range = (r: SegmentRef) => ({ base_offset: r.base_offset, last_offset: r.last_offset });

/**
 * Of the references that looked dangling, those the current metadata still holds and whose
 * object is still missing (a broker may have released them while verify read).
 */
async function stillDangling(
  meta: MetadataStore,
  objects: ObjectStore,
  suspects: DanglingRef[],
): Promise<DanglingRef[]> {
  const out: DanglingRef[] = [];
  for (const d of suspects) {
    const key = keys.partition(d.topic, d.partition);
    const entry = await meta.get(key);
    if (!entry) continue;
    const state = decodeRecord(PartitionStateSchema, key, entry.value);
    if (d.base_offset < 0) {
      if (state.manifest?.key === d.key) out.push(d);
      continue;
    }
    const current = await committedSegments({ meta, objects }, d.topic, state).catch(() => null);
    if (current === null || current.segments.some((r) => r.key === d.key)) out.push(d);
  }
  return out;
}
