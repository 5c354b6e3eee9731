/**
 * Timestamp lookups for ListOffsets: the first offset whose record timestamp is at or after a
 * target, and the offset of the largest timestamp. Segments and batches are skipped by their
 * max timestamps; inside a batch, uncompressed records are walked to find the exact record.
 * Compressed batches are not decompressed on the broker: the batch's first offset (for a
 * target) or last offset (for the maximum) is answered, which never skips a matching record.
 * In a log-append-time batch every record carries the batch's max timestamp (the append time).
 * Records below the log start offset (DeleteRecords may leave it inside a segment, even inside
 * a batch) are never answered and their timestamps never count.
 * @module
 */
import type { SegmentRef } from "../metadata/records.ts";
import type { Segment } from "./segment_format.ts";
import { Reader } from "../protocol/primitives.ts";

/** What a timestamp search reads: a partition log, or its committed segments read directly. */
export interface CommittedSegmentSource {
  readonly committedSegments: readonly SegmentRef[];
  readonly logStartOffset: number;
  loadSegment(ref: SegmentRef): Promise<Segment>;
}

/** An offset and the timestamp found there. */
export interface TimestampHit {
  offset: number;
  timestamp: number;
}

const TWO_32 = 4294967296;

interface BatchHead {
  baseOffset: number;
  lastOffset: number;
  baseTimestamp: number;
  maxTimestamp: number;
  compressed: boolean;
  logAppendTime: boolean;
  count: number;
  records: Uint8Array;
}

function head(seg: Segment, i: number): BatchHead {
  const b = seg.batches[i]!;
  const bytes = seg.data.subarray(b.position, b.position + b.size);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const i64 = (at: number) => v.getInt32(at) * TWO_32 + v.getUint32(at + 4);
  return {
    baseOffset: b.baseOffset,
    lastOffset: b.lastOffset,
    baseTimestamp: i64(27),
    maxTimestamp: i64(35),
    compressed: (v.getInt16(21) & 0x07) !== 0,
    logAppendTime: (v.getInt16(21) & 0x08) !== 0,
    count: v.getInt32(57),
    records: bytes.subarray(61),
  };
}

/** Walks uncompressed records, calling `visit(offset, timestamp)` until it returns true. */
function walkRecords(h: BatchHead, visit: (offset: number, ts: number) => boolean): boolean {
  const r = new Reader(h.records);
  for (let n = 0; n < h.count; n++) {
    const length = r.varint();
    const end = r.offset + length;
    r.int8(); // attributes
    const tsDelta = r.varlong();
    const offDelta = r.varint();
    const ts = h.logAppendTime ? h.maxTimestamp : h.baseTimestamp + tsDelta;
    if (visit(h.baseOffset + offDelta, ts)) return true;
    r.offset = end;
  }
  return false;
}

/** The first offset with a timestamp >= `target`, or null when none. */
export async function findOffsetForTimestamp(
  log: CommittedSegmentSource,
  target: number,
): Promise<TimestampHit | null> {
  for (const ref of log.committedSegments) {
    if (ref.max_timestamp < target || ref.last_offset < log.logStartOffset) continue;
    const seg = await log.loadSegment(ref);
    for (let i = 0; i < seg.batches.length; i++) {
      const h = head(seg, i);
      if (h.maxTimestamp < target || h.lastOffset < log.logStartOffset) continue;
      if (h.compressed) {
        return { offset: Math.max(h.baseOffset, log.logStartOffset), timestamp: h.maxTimestamp };
      }
      let hit: TimestampHit | null = null;
      walkRecords(h, (offset, ts) => {
        if (ts >= target && offset >= log.logStartOffset) hit = { offset, timestamp: ts };
        return hit !== null;
      });
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * The largest timestamp of a segment's records at or above `start`: its stored max when the
 * whole segment is readable, else read from the batches (and records) still readable.
 */
async function maxTimestampFrom(
  log: CommittedSegmentSource,
  ref: SegmentRef,
  start: number,
): Promise<number> {
  if (ref.base_offset >= start) return ref.max_timestamp;
  const seg = await log.loadSegment(ref);
  let max = -1;
  for (let i = 0; i < seg.batches.length; i++) {
    const h = head(seg, i);
    if (h.lastOffset < start) continue;
    if (h.baseOffset >= start || h.compressed || h.logAppendTime) {
      max = Math.max(max, h.maxTimestamp);
    } else {
      walkRecords(h, (offset, ts) => {
        if (offset >= start) max = Math.max(max, ts);
        return false;
      });
    }
  }
  return max;
}

/** The offset holding the largest timestamp (the first such record), or null when empty. */
export async function findMaxTimestamp(log: CommittedSegmentSource): Promise<TimestampHit | null> {
  const start = log.logStartOffset;
  let best: { refIndex: number; ts: number } | null = null;
  const refs = log.committedSegments;
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!;
    if (ref.last_offset < start) continue;
    const ts = await maxTimestampFrom(log, ref, start);
    if (!best || ts > best.ts) best = { refIndex: i, ts };
  }
  if (!best) return null;
  const seg = await log.loadSegment(refs[best.refIndex]!);
  for (let i = 0; i < seg.batches.length; i++) {
    const h = head(seg, i);
    if (h.lastOffset < start || h.maxTimestamp < best.ts) continue;
    if (h.compressed) return { offset: h.lastOffset, timestamp: h.maxTimestamp };
    let hit: TimestampHit | null = null;
    walkRecords(h, (offset, ts) => {
      if (ts === best!.ts && offset >= start) hit = { offset, timestamp: ts };
      return hit !== null;
    });
    if (hit) return hit;
  }
  return null;
}
