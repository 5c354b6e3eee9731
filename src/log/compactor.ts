/**
 * One compaction pass over one partition: Kafka's log cleaner, on object storage. Run by the
 * partition's writer through `PartitionLog.replaceSegments` (segment_swap.ts), so the pass
 * reads and uploads outside the commit lock and its result replaces the old segments in one
 * fenced transaction, or not at all.
 *
 * 1. **Plan** (compaction_policy.ts): the cleanable part ends before the active part and before
 *    the segment holding the last stable offset (every transaction in it has ended; which ones
 *    aborted, the segments' aborted index says); the dirty part starts at the partition's
 *    cleaned offset. Only segments in the manifest are
 *    compacted (the scheduler rolls the tail keys first when they are due), so a pass deletes
 *    no tail key, and rolls may go on meanwhile: the pass reserves its segments, which rolls
 *    do not merge, and rebases onto a manifest a roll wrote.
 * 2. **Map** the dirty part: key -> offset of its latest record, in a fixed-size map
 *    (key_map.ts). When a new key does not fit, the map ends there (`mapEnd`) and the next pass
 *    continues from it: memory stays bounded whatever the keys.
 * 3. **Rewrite** every segment from the log start to the one holding `mapEnd`, batch by batch
 *    (compaction_filter.ts): offsets never change (a batch keeps its base and last offset;
 *    removed records leave gaps). Consecutive outputs are grouped up to `segment.bytes`; a lone
 *    segment that nothing changed keeps its reference (no upload). A range whose records all
 *    went joins the output before it, or, when nothing at all is left, stays as one empty
 *    batch, so the references still cover the log without holes.
 * 4. **Swap**: a new manifest holds the outputs and the manifest references after them; the
 *    commit also records the new cleaned offset and when the next kept tombstone is due.
 *
 * Reads are ranged GETs that bypass the read cache; every byte read or written first passes
 * the broker's throttle. A pass whose first upload is older than half the commit deadline
 * stops at the next segment and commits what it rewrote (the cleaned offset then stops there
 * too), so a slow pass never loses its work to the deadline.
 * @module
 */
import type { ObjectStore } from "../object_store/types.ts";
import type { CompactionState, SegmentRef } from "../metadata/records.ts";
import { RecordBatchView } from "../protocol/records/record_batch.ts";
import { decodeSegment, encodeSegment, type Segment, type SegmentBatch } from "./segment_format.ts";
import { StorageReadError } from "./storage_errors.ts";
import type { KeyMap } from "./key_map.ts";
import { compactionOutlook, type CompactionSettings } from "./compaction_policy.ts";
import {
  filterBatch,
  type FilterContext,
  mappableRecords,
  placeholderBatch,
  type Removed,
} from "./compaction_filter.ts";
import { TxnOutcomes } from "./txn_index.ts";
import { writeManifest } from "./manifest_roll.ts";
import type { SegmentSwap, SwapView } from "./segment_swap.ts";
import { setImmediate } from "node:timers";

/** What a pass needs besides the partition. */
export interface PassOptions {
  settings: CompactionSettings;
  map: KeyMap;
  objects: ObjectStore;
  namespace: string;
  /** Waits until `bytes` more may be read or written (the broker's compaction throttle). */
  throttle(bytes: number): Promise<void>;
  now?: () => number;
  /** Run even when no pass is due (tests, tools): anything cleanable is compacted. */
  force?: boolean;
}

/** What a pass did. */
export interface PassStats {
  bytesRead: number;
  bytesWritten: number;
  segmentsRead: number;
  segmentsWritten: number;
  removed: Removed;
  /** Batches kept whole because their records cannot be read (they do not decompress or decode). */
  unreadableBatches: number;
  /** Offsets below it are compacted now. */
  cleanedOffset: number;
  /** The key map filled: dirty records are left for the next pass. */
  mapFull: boolean;
  /** Why the pass ran. */
  reason: string;
}

/** A pass ready to commit. */
export interface CompactionPlan extends SegmentSwap {
  stats: PassStats;
}

/** Loads a committed segment with one ranged GET, bypassing the read cache; verified. */
async function readSegment(objects: ObjectStore, ref: SegmentRef): Promise<Segment> {
  const bytes = await objects.get(ref.key, { start: ref.position, end: ref.position + ref.size });
  if (!bytes || bytes.byteLength !== ref.size) {
    throw new StorageReadError(`Cannot compact: segment ${ref.key} is missing from storage`);
  }
  return decodeSegment(ref.key, bytes);
}

function batchBytes(seg: Segment, i: number): Uint8Array {
  const b = seg.batches[i]!;
  return seg.data.subarray(b.position, b.position + b.size);
}

/** Gives the event loop a turn (a pass is long; requests keep being answered meanwhile). */
const turn = () => new Promise<void>((r) => setImmediate(r));

/** A pass under way: what every step reads and counts. */
interface Pass {
  view: SwapView;
  o: PassOptions;
  now: number;
  stats: PassStats;
  txns: TxnOutcomes;
  load(ref: SegmentRef): Promise<Segment>;
}

/**
 * Prepares a pass: maps the dirty part, rewrites and uploads, writes the new manifest.
 * Resolves null when no pass is due (or nothing is cleanable).
 */
export async function prepareCompaction(
  view: SwapView,
  o: PassOptions,
): Promise<CompactionPlan | null> {
  const now = (o.now ?? Date.now)();
  const { segments, inManifest } = view;
  const outlook = compactionOutlook(segments, view.state.compaction, {
    now,
    settings: o.settings,
    limit: Math.min(inManifest, segmentsBelow(segments, view.lastStableOffset)),
  });
  if (outlook.end === 0 || (!outlook.due && !o.force)) return null;
  view.reserve(outlook.end);
  const stats: PassStats = {
    bytesRead: 0,
    bytesWritten: 0,
    segmentsRead: 0,
    segmentsWritten: 0,
    removed: { superseded: 0, tombstones: 0, keyless: 0, aborted: 0 },
    unreadableBatches: 0,
    cleanedOffset: view.state.compaction?.cleaned_offset ?? 0,
    mapFull: false,
    reason: outlook.due ?? "forced",
  };
  const load = async (ref: SegmentRef) => {
    await o.throttle(ref.size);
    const seg = await readSegment(o.objects, ref);
    stats.bytesRead += ref.size;
    stats.segmentsRead++;
    return seg;
  };
  // Every entry: an abort marker may sit in a segment after the cleanable part.
  const txns = new TxnOutcomes(segments.flatMap((s) => s.aborted ?? []));
  const pass: Pass = { view, o, now, stats, txns, load };
  const cleaned = stats.cleanedOffset;
  o.map.clear();
  const mapEnd = await buildMap(segments.slice(outlook.firstDirty, outlook.end), cleaned, {
    map: o.map,
    txns,
    load,
    stats,
  });
  let k = 0;
  while (k < outlook.end && segments[k]!.base_offset < mapEnd) k++;
  if (k === 0) return null;
  const { out, processed, due } = await rewrite(pass, k, mapEnd);
  const whole = processed === k;
  const reached = whole ? mapEnd : Math.min(mapEnd, segments[processed - 1]!.last_offset + 1);
  const old = view.state.compaction;
  const compaction: CompactionState = {
    cleaned_offset: Math.max(cleaned, reached),
    tombstones_due_ms: whole ? due : minOf(due, old?.tombstones_due_ms ?? null),
  };
  stats.cleanedOffset = compaction.cleaned_offset;
  return await swapFor(pass, { out, processed, compaction });
}

/**
 * Rewrites the first `k` segments against the map (up to `mapEnd`), uploading outputs as they
 * fill; stops early when the commit deadline nears. Resolves the outputs, how many segments it
 * rewrote, and the earliest delete horizon of a tombstone it kept.
 */
async function rewrite(
  pass: Pass,
  k: number,
  mapEnd: number,
): Promise<{ out: Outputs; processed: number; due: number | null }> {
  const { view, o, stats } = pass;
  const out = new Outputs(view, o, stats);
  const ctx: FilterContext = {
    map: o.map,
    txns: pass.txns,
    mapEnd,
    now: pass.now,
    deleteRetentionMs: o.settings.deleteRetentionMs,
    removed: stats.removed,
  };
  let due: number | null = null;
  let processed = 0;
  while (processed < k) {
    const ref = view.segments[processed]!;
    const seg = await pass.load(ref);
    const kept: SegmentBatch[] = [];
    let changed = false;
    for (let i = 0; i < seg.batches.length; i++) {
      const original = batchBytes(seg, i);
      const f = filterBatch(original, ctx);
      if (f.unreadable) stats.unreadableBatches++;
      if (f.tombstoneDue !== null) due = Math.min(due ?? Infinity, f.tombstoneDue);
      changed ||= f.changed;
      out.lastBatch = original;
      if ((i & 63) === 63) await turn();
      if (f.bytes === null) continue;
      const v = new RecordBatchView(f.bytes);
      kept.push({
        baseOffset: v.baseOffset,
        lastOffset: v.lastOffset,
        maxTimestamp: v.maxTimestamp,
        // A copy: a group must not hold every input segment it took a few batches from.
        bytes: f.bytes === original ? original.slice() : f.bytes,
      });
    }
    await out.add(ref, kept, changed);
    processed++;
    await turn();
    if (out.overBudget()) break;
  }
  await out.finish();
  return { out, processed, due };
}

/**
 * The swap of a rewrite: its outputs, then the manifest's references after the rewritten ones,
 * in a new manifest; with the rebase onto a manifest a roll wrote meanwhile.
 */
async function swapFor(
  pass: Pass,
  r: { out: Outputs; processed: number; compaction: CompactionState },
): Promise<CompactionPlan> {
  const { view, o } = pass;
  const replaced = view.segments.slice(0, r.processed);
  const swapOnto = async (list: readonly SegmentRef[], manifestLength: number) => {
    const manifestRefs = [...r.out.refs, ...list.slice(r.processed, manifestLength)];
    const written = await writeManifest(
      { objects: o.objects, namespace: o.namespace, now: o.now },
      view,
      manifestRefs,
    );
    return {
      replacedEnd: manifestLength,
      manifestRefs,
      moved: [],
      pointer: written.pointer!,
      startedMs: Math.min(r.out.firstUploadMs ?? Infinity, written.startedMs),
      compaction: r.compaction,
    };
  };
  return {
    ...await swapOnto(view.segments, view.inManifest),
    stats: pass.stats,
    // A roll moved tail keys into a new manifest meanwhile (it left the reserved segments
    // alone): the same outputs, in a manifest with what the roll wrote after them.
    async rebase(list, manifestLength) {
      const intact = r.processed <= manifestLength && replaced.every((x, i) => list[i] === x);
      return intact ? await swapOnto(list, manifestLength) : null;
    },
  };
}

/** How many segments end below `offset` (from the first). */
function segmentsBelow(segments: readonly SegmentRef[], offset: number): number {
  let n = 0;
  while (n < segments.length && segments[n]!.last_offset < offset) n++;
  return n;
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * Maps the dirty records of `dirty` (from offset `from`): each key's latest offset. Resolves
 * the offset the map reaches: after the last segment, or the first record whose key did not
 * fit.
 */
async function buildMap(
  dirty: readonly SegmentRef[],
  from: number,
  o: {
    map: KeyMap;
    txns: TxnOutcomes;
    load(ref: SegmentRef): Promise<Segment>;
    stats: PassStats;
  },
): Promise<number> {
  let mapEnd = from;
  for (const ref of dirty) {
    const seg = await o.load(ref);
    for (let i = 0; i < seg.batches.length; i++) {
      if (seg.batches[i]!.lastOffset < from) continue;
      if ((i & 63) === 63) await turn();
      const records = mappableRecords(new RecordBatchView(batchBytes(seg, i)), o.txns) ?? [];
      for (const r of records) {
        if (r.offset < from || r.key === null) continue;
        if (!o.map.put(r.key, r.offset)) {
          o.stats.mapFull = true;
          return Math.max(r.offset, from);
        }
      }
    }
    mapEnd = Math.max(mapEnd, ref.last_offset + 1);
    await turn();
  }
  return mapEnd;
}

interface Group {
  refs: SegmentRef[];
  batches: SegmentBatch[];
  bytes: number;
  changed: boolean;
}

const emptyGroup = (): Group => ({ refs: [], batches: [], bytes: 0, changed: false });

/**
 * The outputs of a rewrite: consecutive inputs grouped up to `segment.bytes`. A group is held
 * until the next one has records, so a range whose records all went can still join it.
 */
class Outputs {
  readonly refs: SegmentRef[] = [];
  firstUploadMs: number | null = null;
  /** The last batch seen, for the empty batch of a wholly removed log. */
  lastBatch: Uint8Array | null = null;
  private ready: Group | null = null;
  private current = emptyGroup();

  constructor(
    private readonly view: SwapView,
    private readonly o: PassOptions,
    private readonly stats: PassStats,
  ) {}

  /** Whether the pass must stop: its first upload is half way to the commit deadline. */
  overBudget(): boolean {
    const now = (this.o.now ?? Date.now)();
    return this.firstUploadMs !== null &&
      now - this.firstUploadMs > this.view.commitDeadlineMs / 2;
  }

  async add(ref: SegmentRef, batches: SegmentBatch[], changed: boolean): Promise<void> {
    const size = batches.reduce((n, b) => n + b.bytes.byteLength, 0);
    const c = this.current;
    if (c.batches.length > 0 && size > 0 && c.bytes + size > this.o.settings.segmentBytes) {
      if (this.ready) await this.emit(this.ready);
      this.ready = c;
      this.current = emptyGroup();
    }
    const g = this.current;
    g.refs.push(ref);
    g.batches.push(...batches);
    g.bytes += size;
    g.changed ||= changed || (g.refs.length > 1);
  }

  async finish(): Promise<void> {
    const c = this.current;
    if (c.batches.length === 0 && c.refs.length > 0) {
      if (this.ready) {
        this.ready.refs.push(...c.refs);
        this.ready.changed = true;
      } else {
        const bytes = placeholderBatch(this.lastBatch!);
        const v = new RecordBatchView(bytes);
        c.batches.push({
          baseOffset: v.baseOffset,
          lastOffset: v.lastOffset,
          maxTimestamp: v.maxTimestamp,
          bytes,
        });
        c.changed = true;
        this.ready = c;
      }
      this.current = emptyGroup();
    }
    if (this.ready) await this.emit(this.ready);
    if (this.current.refs.length > 0) await this.emit(this.current);
  }

  private async emit(g: Group): Promise<void> {
    if (!g.changed && g.refs.length === 1) {
      this.refs.push(g.refs[0]!);
      return;
    }
    const bytes = encodeSegment(g.batches);
    await this.o.throttle(bytes.byteLength);
    const last = g.refs[g.refs.length - 1]!;
    const up = await this.view.upload(bytes, {
      base_offset: g.refs[0]!.base_offset,
      last_offset: last.last_offset,
      batch_count: g.batches.length,
      max_timestamp: g.batches.reduce((m, b) => Math.max(m, b.maxTimestamp), -1),
      epoch: last.epoch,
      // The newest write time of what it holds (retention of records without timestamps).
      created_ms: Math.max(...g.refs.map((r) => r.created_ms)),
    }, "compact");
    this.firstUploadMs = Math.min(this.firstUploadMs ?? Infinity, up.startedMs);
    this.stats.bytesWritten += bytes.byteLength;
    this.stats.segmentsWritten++;
    this.refs.push(up.ref);
  }
}
