/**
 * Where metadata snapshots live in the object store, and how writers never clobber or tear
 * each other's (docs/DESIGN.md, "Metadata snapshots"):
 *
 *   <namespace>/_snapshots/<id>.snap        the snapshot (snapshot_format.ts)
 *   <namespace>/_snapshots/<id>.committed   its marker: small JSON, written after the snapshot
 *
 * An id is the snapshot's time (15 digits, so ids sort by time) and a random part: two
 * brokers snapshotting at once write different objects, both with `If-None-Match`. A snapshot
 * counts only once its marker exists, and the marker is written only after the snapshot is
 * durable, so a reader never sees half of one; the marker also records the snapshot's SHA-256.
 * Nothing is ever overwritten, so no "latest" pointer can be lost to a race: the latest
 * snapshot is the newest marker. Pruning deletes a marker before its snapshot, so a marker
 * never names a deleted snapshot; a snapshot left without a marker (a crash between the two
 * writes) is deleted once it is an hour old.
 * @module
 */
import { z } from "zod";
import type { ObjectInfo, ObjectStore } from "../object_store/types.ts";
import {
  CorruptSnapshotError,
  decodeSnapshot,
  encodeSnapshot,
  type SnapshotContent,
} from "./snapshot_format.ts";

const DIR = "_snapshots";
const DATA = ".snap";
const MARKER = ".committed";
/** A snapshot without a marker this old is an abandoned write. */
export const ABANDONED_AFTER_MS = 60 * 60_000;

/** A committed snapshot's marker. */
export const SnapshotMarkerSchema = z.object({
  id: z.string(),
  key: z.string(),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  created_ms: z.number().int(),
  /** When the marker was written: the snapshot's upload had finished. */
  committed_ms: z.number().int(),
  revision: z.number().int().min(0),
  cluster_id: z.string().nullable(),
  broker_id: z.number().int(),
  keys: z.number().int().min(0),
  manifests: z.number().int().min(0),
});
export type SnapshotMarker = z.infer<typeof SnapshotMarkerSchema>;

/** The folder of a namespace's snapshots (with its trailing slash). */
export function snapshotsPrefix(namespace: string): string {
  return `${namespace}/${DIR}/`;
}

/** A new snapshot id for a snapshot read at `createdMs`. */
export function newSnapshotId(createdMs: number): string {
  return `${String(createdMs).padStart(15, "0")}-${crypto.randomUUID().slice(0, 8)}`;
}

/** The time in a snapshot id (ms), or NaN. */
export function snapshotIdTime(id: string): number {
  return /^\d{15}-/.test(id) ? Number(id.slice(0, 15)) : NaN;
}

/** What the snapshot folder holds. */
export interface SnapshotListing {
  /** Ids of committed snapshots (a marker exists), newest first. */
  committed: string[];
  /** Snapshot objects without a marker (being written, or abandoned). */
  uncommitted: ObjectInfo[];
  /** Markers whose snapshot object is missing (deleted by hand): not restorable. */
  broken: string[];
  /** Every object of the folder, by key. */
  objects: Map<string, ObjectInfo>;
}

/** Lists the snapshot folder (one LIST). */
export async function listSnapshots(
  objects: ObjectStore,
  namespace: string,
): Promise<SnapshotListing> {
  const prefix = snapshotsPrefix(namespace);
  const all = await objects.list(prefix);
  const byKey = new Map(all.map((o) => [o.key, o]));
  const committed: string[] = [];
  const broken: string[] = [];
  for (const o of all) {
    if (!o.key.endsWith(MARKER)) continue;
    const id = o.key.slice(prefix.length, -MARKER.length);
    (byKey.has(prefix + id + DATA) ? committed : broken).push(id);
  }
  const uncommitted = all.filter((o) =>
    o.key.endsWith(DATA) && !byKey.has(o.key.slice(0, -DATA.length) + MARKER)
  );
  committed.sort().reverse();
  return { committed, uncommitted, broken, objects: byKey };
}

/** Reads a snapshot's marker. */
export async function readMarker(
  objects: ObjectStore,
  namespace: string,
  id: string,
): Promise<SnapshotMarker> {
  const key = snapshotsPrefix(namespace) + id + MARKER;
  const bytes = await objects.get(key);
  if (bytes === null) {
    throw new Error(`Cannot find metadata snapshot ${id}: no ${key} (see kafscale metadata list)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new CorruptSnapshotError(id, "its marker is not JSON");
  }
  const parsed = SnapshotMarkerSchema.safeParse(json);
  if (!parsed.success) {
    throw new CorruptSnapshotError(
      id,
      `its marker is invalid (${parsed.error.issues[0]?.message})`,
    );
  }
  return parsed.data;
}

/**
 * Writes a snapshot, then its marker (both create-only): once this resolves, the snapshot is
 * committed and complete.
 */
export async function writeSnapshot(
  objects: ObjectStore,
  content: SnapshotContent,
  now: () => number = Date.now,
): Promise<SnapshotMarker> {
  const { info } = content;
  const { bytes, sha256 } = await encodeSnapshot(content);
  const base = snapshotsPrefix(info.namespace) + info.id;
  await objects.put(base + DATA, bytes, { ifNoneMatch: true });
  const marker: SnapshotMarker = {
    id: info.id,
    key: base + DATA,
    bytes: bytes.byteLength,
    sha256,
    created_ms: info.created_ms,
    committed_ms: now(),
    revision: info.revision,
    cluster_id: info.cluster_id,
    broker_id: info.broker_id,
    keys: content.entries.length,
    manifests: content.manifests.size,
  };
  const body = new TextEncoder().encode(JSON.stringify(marker));
  await objects.put(base + MARKER, body, { ifNoneMatch: true });
  return marker;
}

/** Reads, verifies and decodes a committed snapshot. */
export async function loadSnapshot(
  objects: ObjectStore,
  namespace: string,
  id: string,
): Promise<{ marker: SnapshotMarker; content: SnapshotContent }> {
  const marker = await readMarker(objects, namespace, id);
  const bytes = await objects.get(marker.key);
  if (bytes === null) {
    throw new CorruptSnapshotError(id, `its object ${marker.key} is missing`);
  }
  const content = await decodeSnapshot(id, bytes, marker.sha256);
  if (content.info.id !== id) {
    throw new CorruptSnapshotError(id, `the object holds snapshot ${content.info.id}`);
  }
  return { marker, content };
}

/** How many snapshots to keep, and for how long. */
export interface PruneOptions {
  /** Most committed snapshots kept. */
  keep: number;
  /** Committed snapshots older than this (ms, by their time) are deleted. */
  maxAgeMs: number;
  now?: number;
}

/** What a prune deleted. */
export interface PruneResult {
  deleted: string[];
  abandoned: number;
}

/**
 * Deletes committed snapshots beyond `keep` or older than `maxAgeMs` (never the newest one),
 * markers left without a snapshot, and abandoned uncommitted snapshot objects. Markers go
 * before their snapshots.
 */
export async function pruneSnapshots(
  objects: ObjectStore,
  namespace: string,
  options: PruneOptions,
): Promise<PruneResult> {
  const now = options.now ?? Date.now();
  const listing = await listSnapshots(objects, namespace);
  const prefix = snapshotsPrefix(namespace);
  const deleted: string[] = [];
  for (const [i, id] of listing.committed.entries()) {
    if (i === 0) continue; // the newest always stays
    const old = now - snapshotIdTime(id) > options.maxAgeMs;
    if (i < options.keep && !old) continue;
    await objects.delete(prefix + id + MARKER);
    await objects.delete(prefix + id + DATA);
    deleted.push(id);
  }
  for (const id of listing.broken) await objects.delete(prefix + id + MARKER);
  let abandoned = 0;
  for (const o of listing.uncommitted) {
    if (o.lastModified >= now - ABANDONED_AFTER_MS) continue;
    await objects.delete(o.key);
    abandoned++;
  }
  return { deleted, abandoned };
}
