/**
 * Rolling a partition's segment tail into its manifest (DESIGN.md invariant 8), the I/O half:
 * the writer calls `prepareRoll` outside its commit lock (flushes keep committing meanwhile),
 * then commits the plan in one fenced transaction that points the partition at the new
 * manifest and deletes the moved tail keys (at most `MAX_MOVED_PER_ROLL`, so the transaction
 * stays under etcd's 128 operations). A crash or a lost race leaves only unreferenced objects,
 * which the garbage collector removes.
 *
 * While rolling, runs of small segments (the moved ones and the manifest's last few) are merged
 * into larger ones (segment_merge.ts), so the manifest, and cold reads, stay short.
 *
 * The budget this keeps, per partition, whatever the traffic and uptime: one partition record
 * plus fewer than ROLL_AT_TAIL_KEYS + MAX_MOVED_PER_ROLL tail keys while rolls succeed.
 * @module
 */
import type { ObjectStore } from "../object_store/types.ts";
import type { ManifestPointer, SegmentRef } from "../metadata/records.ts";
import { encodeManifest, manifestKey } from "./segment_manifest.ts";
import { isSmallSegment, mergeSegments, planMerges } from "./segment_merge.ts";
import type { Segment } from "./segment_format.ts";
import type { SegmentSwap, UploadAbout } from "./segment_swap.ts";

/** Tail keys at which a partition rolls after a flush. */
export const ROLL_AT_TAIL_KEYS = 64;
/** Tail keys the periodic maintenance pass rolls from (tidies partitions that went quiet). */
export const ROLL_WHEN_IDLE_TAIL_KEYS = 8;
/** Most tail keys one roll moves (each is a delete in the roll's transaction). */
export const MAX_MOVED_PER_ROLL = 100;
/** Most trailing manifest segments a roll reconsiders for merging with the moved ones. */
const MAX_REMERGED = 32;

/** What a roll starts from: the writer's list as it was when the roll began. */
export interface RollInput {
  topic: string;
  partition: number;
  segments: readonly SegmentRef[];
  inManifest: number;
  targetBytes: number;
  /** The first segments a compaction pass is rewriting: never merged. */
  reserved?: number;
}

/** What a roll needs from its partition log. */
export interface RollDeps {
  objects: ObjectStore;
  namespace: string;
  load(ref: SegmentRef): Promise<Segment>;
  /** Uploads a merged segment covering `about`; resolves its reference and upload start. */
  upload(bytes: Uint8Array, about: UploadAbout): Promise<{ ref: SegmentRef; startedMs: number }>;
  now?: () => number;
}

/** A roll ready to commit. */
export interface RollPlan extends SegmentSwap {
  /** Merged segments and the references they replace. */
  merged: { ref: SegmentRef; bytes: Uint8Array; replaces: SegmentRef[] }[];
}

/** Writes a manifest of `segments` (none: no manifest); returns its pointer and start time. */
export async function writeManifest(
  deps: Pick<RollDeps, "objects" | "namespace" | "now">,
  at: { topic: string; partition: number },
  segments: SegmentRef[],
): Promise<{ pointer: ManifestPointer | null; startedMs: number }> {
  const startedMs = (deps.now ?? Date.now)();
  if (segments.length === 0) return { pointer: null, startedMs };
  const bytes = await encodeManifest({ topic: at.topic, partition: at.partition, segments });
  const key = manifestKey(deps.namespace, at.topic, at.partition);
  await deps.objects.put(key, bytes, { ifNoneMatch: true });
  return { pointer: { key, segments: segments.length, size: bytes.byteLength }, startedMs };
}

/**
 * Merges and uploads what a roll of the oldest tail keys needs, and writes the new manifest.
 * Resolves null when the tail has fewer than `minTail` keys.
 */
export async function prepareRoll(
  input: RollInput,
  deps: RollDeps,
  minTail = ROLL_AT_TAIL_KEYS,
): Promise<RollPlan | null> {
  const { segments, inManifest, targetBytes } = input;
  const tail = segments.length - inManifest;
  if (tail < minTail || tail === 0) return null;
  const replacedEnd = inManifest + Math.min(tail, MAX_MOVED_PER_ROLL);
  let windowStart = inManifest;
  const floor = Math.min(input.reserved ?? 0, inManifest);
  while (
    windowStart > floor && inManifest - windowStart < MAX_REMERGED &&
    isSmallSegment(segments[windowStart - 1]!, targetBytes)
  ) windowStart--;
  const window = segments.slice(windowStart, replacedEnd);
  const runs = planMerges(window, { targetBytes, budgetBytes: 2 * targetBytes });
  const now = deps.now ?? Date.now;
  let startedMs = now();
  const merged: RollPlan["merged"] = [];
  const rebuilt: SegmentRef[] = [];
  let at = 0;
  for (const run of runs) {
    rebuilt.push(...window.slice(at, run.from));
    const olds = window.slice(run.from, run.to + 1);
    const bytes = mergeSegments(await Promise.all(olds.map((r) => deps.load(r))));
    const last = olds[olds.length - 1]!;
    const up = await deps.upload(bytes, {
      base_offset: olds[0]!.base_offset,
      last_offset: last.last_offset,
      batch_count: olds.reduce((n, r) => n + r.batch_count, 0),
      max_timestamp: Math.max(...olds.map((r) => r.max_timestamp)),
      epoch: last.epoch,
      // The newest write time of what it holds: retention of records without timestamps
      // ages the merged segment as its newest part, never as the merge.
      created_ms: Math.max(...olds.map((r) => r.created_ms)),
    });
    startedMs = Math.min(startedMs, up.startedMs);
    merged.push({ ref: up.ref, bytes, replaces: olds });
    rebuilt.push(up.ref);
    at = run.to + 1;
  }
  rebuilt.push(...window.slice(at));
  const manifestRefs = [...segments.slice(0, windowStart), ...rebuilt];
  const written = await writeManifest(deps, input, manifestRefs);
  return {
    replacedEnd,
    manifestRefs,
    moved: segments.slice(inManifest, replacedEnd),
    pointer: written.pointer!,
    startedMs: Math.min(startedMs, written.startedMs),
    merged,
    cache: merged,
  };
}
