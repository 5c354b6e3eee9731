/**
 * The fenced swap of a partition's oldest segment references, shared by the two jobs that
 * rewrite committed segments: rolling the tail into the manifest (merging small segments,
 * manifest_roll.ts) and compaction (compactor.ts). A job reads the committed list as it is,
 * uploads what replaces its first references and a new manifest holding them, all outside the
 * writer's commit lock; then `PartitionLog.replaceSegments` commits the swap in one fenced
 * transaction (the partition record points at the new manifest, the replaced tail keys are
 * deleted), and only if those references are still the log's. A crash or a lost race before the
 * commit leaves the old references and unreferenced uploads (garbage); after it, the new ones:
 * never both, never neither. A roll and a compaction pass may run at once: rolls leave the
 * segments a pass reserved alone, and a pass whose segments are still the first ones at commit
 * rebases onto the manifest a roll wrote meanwhile.
 * @module
 */
import type {
  CompactionState,
  ManifestPointer,
  PartitionState,
  SegmentRef,
} from "../metadata/records.ts";
import type { Segment } from "./segment_format.ts";

/** What a segment rewrite says about the segment it uploads. */
export type UploadAbout =
  & Pick<
    SegmentRef,
    "base_offset" | "last_offset" | "batch_count" | "max_timestamp" | "epoch"
  >
  & { created_ms?: number };

/** A partition as a rewrite job sees it when it starts, and what it may do. */
export interface SwapView {
  topic: string;
  partition: number;
  /** The committed list: the manifest's first `inManifest`, then the tail keys'. */
  segments: readonly SegmentRef[];
  inManifest: number;
  state: Readonly<PartitionState>;
  /** The committed last stable offset: every transaction below it has ended. */
  lastStableOffset: number;
  /** Uploads a segment made from committed ones (`merge` or `compact` in the object index). */
  upload(
    bytes: Uint8Array,
    about: UploadAbout,
    kind: "merge" | "compact",
  ): Promise<{ ref: SegmentRef; startedMs: number }>;
  /** Loads a committed segment through the read cache. */
  load(ref: SegmentRef): Promise<Segment>;
  /** An upload older than this (ms) is never committed (the writer's commit deadline). */
  commitDeadlineMs: number;
  /** Keeps rolls from merging the first `count` segments until this job ends. */
  reserve(count: number): void;
}

/** What replaces the first `replacedEnd` committed references. */
export interface SegmentSwap {
  replacedEnd: number;
  /** The new manifest's references, in place of segments [0, replacedEnd). */
  manifestRefs: SegmentRef[];
  /** The tail references among the replaced ones: the commit deletes their keys. */
  moved: SegmentRef[];
  pointer: ManifestPointer;
  /** When the oldest upload of the swap started (the commit deadline counts from it). */
  startedMs: number;
  /** New segments to put in the read cache, with their bytes. */
  cache?: { ref: SegmentRef; bytes: Uint8Array }[];
  /** The partition's compaction state after the swap (kept as it is when absent). */
  compaction?: CompactionState;
  /**
   * The same swap over the list as it is at commit, when other jobs changed it meanwhile (run
   * under the commit lock); null when it no longer applies. Absent: the swap is dropped.
   */
  rebase?(segments: readonly SegmentRef[], inManifest: number): Promise<SegmentSwap | null>;
}
