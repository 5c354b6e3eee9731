/**
 * Taking a metadata snapshot: the whole metadata keyspace read at one revision (the store's
 * `readView`), without the leased broker registrations (they belong to running processes),
 * plus a copy of the segment list of every manifest a partition record points at, written to
 * the object store (snapshot_store.ts). Manifests are immutable, so reading them after the
 * view is still consistent with it; one collected meanwhile (a roll replaced it and the
 * garbage collector's grace passed) makes the attempt start over at a newer revision.
 * @module
 */
import type { MetadataStore } from "../metadata/types.ts";
import type { ObjectStore } from "../object_store/types.ts";
import { readAllPages } from "../metadata/paging.ts";
import { decodeRecord, keys, PartitionStateSchema } from "../metadata/records.ts";
import { loadManifest } from "../log/segment_manifest.ts";
import type { SnapshotContent, SnapshotManifest } from "./snapshot_format.ts";
import { newSnapshotId, type SnapshotMarker, writeSnapshot } from "./snapshot_store.ts";

/** The metadata key holding the cluster id (src/cluster/cluster_id.ts). */
export const CLUSTER_ID_KEY = "cluster/id";
/** Keys a snapshot leaves out: broker registrations live only as long as their lease. */
const EPHEMERAL = [keys.brokersPrefix()];
const ATTEMPTS = 3;
const MANIFEST_READS = 8;

/** Settings of a snapshot. */
export interface SnapshotOptions {
  namespace: string;
  /** The broker taking it, or -1 for the command line. */
  brokerId: number;
  /** The kafscale version, recorded in the snapshot. */
  version: string;
  /**
   * The cluster id the store must hold (a broker's own): a store that lost its keys, or
   * belongs to another cluster, is not snapshotted over the good snapshots.
   */
  expectClusterId?: string;
  now?: () => number;
}

/** Reads the store at one revision into snapshot content. */
export async function readSnapshotContent(
  meta: MetadataStore,
  objects: ObjectStore,
  options: SnapshotOptions,
): Promise<SnapshotContent> {
  const now = options.now ?? Date.now;
  const view = await meta.readView();
  const createdMs = now();
  let all;
  try {
    all = await readAllPages(view, "");
  } finally {
    await view.close();
  }
  const entries = all.filter((e) => !EPHEMERAL.some((p) => e.key.startsWith(p)))
    .map((e) => ({ key: e.key, value: e.value }));
  const idEntry = entries.find((e) => e.key === CLUSTER_ID_KEY);
  const clusterId = idEntry ? new TextDecoder().decode(idEntry.value) : null;
  if (options.expectClusterId !== undefined && clusterId !== options.expectClusterId) {
    throw new Error(
      `Cannot snapshot the metadata store: it holds cluster id ${clusterId ?? "(none)"}, ` +
        `not ${options.expectClusterId} (the store was emptied or replaced; restore it)`,
    );
  }
  const wanted = new Map<string, { topic: string; partition: number }>();
  const prefix = keys.allPartitionsPrefix();
  for (const e of entries) {
    if (!e.key.startsWith(prefix)) continue;
    const state = decodeRecord(PartitionStateSchema, e.key, e.value);
    const rest = e.key.slice(prefix.length);
    const topic = rest.slice(0, rest.lastIndexOf("/"));
    if (state.manifest) wanted.set(state.manifest.key, { topic, partition: state.partition });
  }
  const manifests = new Map<string, SnapshotManifest>();
  const queue = [...wanted];
  await Promise.all(Array.from({ length: MANIFEST_READS }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [key, at] = next;
      const m = await loadManifest(objects, key);
      manifests.set(key, { topic: at.topic, partition: at.partition, segments: m.segments });
    }
  }));
  return {
    info: {
      id: newSnapshotId(createdMs),
      cluster_id: clusterId,
      namespace: options.namespace,
      revision: view.revision,
      created_ms: createdMs,
      broker_id: options.brokerId,
      kafscale: options.version,
    },
    entries,
    manifests,
  };
}

/**
 * Takes a snapshot and commits it to the object store; resolves its marker. Retries at a newer
 * revision when a manifest disappeared between the read and its copy.
 */
export async function takeSnapshot(
  meta: MetadataStore,
  objects: ObjectStore,
  options: SnapshotOptions,
): Promise<SnapshotMarker> {
  for (let attempt = 1;; attempt++) {
    let content: SnapshotContent;
    try {
      content = await readSnapshotContent(meta, objects, options);
    } catch (e) {
      // A manifest collected meanwhile, or a revision etcd compacted away: read again.
      const retry = attempt < ATTEMPTS && /manifest .* missing|compacted/.test(String(e));
      if (retry) continue;
      throw e;
    }
    return await writeSnapshot(objects, content, options.now);
  }
}
