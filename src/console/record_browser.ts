/**
 * The console's record browser: a few records of one partition, from an offset, from a
 * timestamp, or the last N. It reads committed segments straight from the object store, as the
 * metadata store lists them, so any broker can answer and nothing is opened or claimed (a
 * partition's owner is never disturbed; records still in its unflushed buffer are not
 * acknowledged yet and not shown). Capped in count and bytes, whatever is asked. Keys, values and
 * header values go out base64-encoded; the page shows them as text, JSON or hex. Batches of every
 * codec are opened; one whose records do not decompress or decode is listed as its batch.
 * @module
 */
import type { TopicRegistry } from "../cluster/topics.ts";
import type { MetadataStore } from "../metadata/types.ts";
import type { ObjectStore } from "../object_store/types.ts";
import { decodeRecord, keys, PartitionStateSchema } from "../metadata/records.ts";
import { committedSegments } from "../log/partition_claim.ts";
import { SegmentReader } from "../log/segment_reader.ts";
import type { SegmentCache } from "../log/segment_cache.ts";
import { splitBatches } from "../protocol/records/record_batch.ts";
import { decodeRecords } from "../protocol/records/builder.ts";
import { findOffsetForTimestamp } from "../log/timestamp_search.ts";
import { toBase64 } from "../util/base64.ts";

/** Most records one request returns. */
export const MAX_RECORDS = 500;
/** Most bytes of batches one request reads. */
export const MAX_READ_BYTES = 1024 * 1024;

/** Where to start reading. */
export type StartAt =
  | { kind: "offset"; offset: number }
  | { kind: "timestamp"; timestamp: number }
  | { kind: "last"; count: number };

/** One record as the browser shows it. */
export interface BrowsedRecord {
  offset: number;
  timestamp: number;
  /** Base64, or null for a null key/value. */
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

/** A batch whose records do not decompress or decode (a client's bug). */
export interface BrowsedBatch {
  baseOffset: number;
  lastOffset: number;
  compression: string;
  records: number;
}

/** What one browse answers. */
export interface BrowseResult {
  topic: string;
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  records: BrowsedRecord[];
  unreadableBatches: BrowsedBatch[];
}

const b64 = (b: Uint8Array | null) => b === null ? null : toBase64(b);

/** Thrown for an unknown topic or partition (the API answers 404). */
export class NotFoundError extends Error {}

/** What the browser reads. */
export interface BrowseSources {
  meta: MetadataStore;
  objects: ObjectStore;
  topics: TopicRegistry;
  /** The broker's segment cache (a browse warms it as a fetch would). */
  cache: SegmentCache;
}

/** Reads up to `limit` committed records of a partition. */
export async function browse(
  src: BrowseSources,
  topic: string,
  partition: number,
  start: StartAt,
  limit: number,
): Promise<BrowseResult> {
  const t = src.topics.get(topic);
  if (!t || !Number.isInteger(partition) || partition < 0 || partition >= t.partitions) {
    throw new NotFoundError(`No partition ${topic}-${partition}`);
  }
  const max = Math.min(Math.max(Math.trunc(limit) || 1, 1), MAX_RECORDS);
  const key = keys.partition(topic, partition);
  const entry = await src.meta.get(key);
  const state = entry ? decodeRecord(PartitionStateSchema, key, entry.value) : null;
  const low = state?.log_start_offset ?? 0;
  const high = state?.log_end_offset ?? 0;
  const segments = state ? (await committedSegments(src, topic, state)).segments : [];
  const reader = new SegmentReader(src.objects, src.cache);
  const log = {
    committedSegments: segments,
    logStartOffset: low,
    loadSegment: (ref: (typeof segments)[number]) => reader.load(ref),
  };
  let from: number;
  if (start.kind === "offset") from = start.offset;
  else if (start.kind === "last") from = high - Math.min(Math.max(start.count, 1), MAX_RECORDS);
  else from = (await findOffsetForTimestamp(log, start.timestamp))?.offset ?? high;
  from = Math.min(Math.max(from, low), high);
  const result: BrowseResult = {
    topic,
    partition,
    logStartOffset: low,
    highWatermark: high,
    records: [],
    unreadableBatches: [],
  };
  let bytesRead = 0;
  let next = from;
  while (next < high && result.records.length < max && bytesRead < MAX_READ_BYTES) {
    const read = await reader.read(segments, {
      offset: next,
      end: high,
      maxBytes: MAX_READ_BYTES - bytesRead,
    });
    if (!read || read.byteLength === 0) break;
    bytesRead += read.byteLength;
    const before = next;
    for (const batch of splitBatches(read)) {
      if (batch.lastOffset < next) continue;
      next = batch.lastOffset + 1;
      if (batch.isControl) continue;
      let records;
      try {
        records = decodeRecords(batch);
      } catch {
        result.unreadableBatches.push({
          baseOffset: batch.baseOffset,
          lastOffset: batch.lastOffset,
          compression: batch.compressionName,
          records: batch.recordCount,
        });
        continue;
      }
      for (const r of records) {
        if (r.offset < from || result.records.length >= max) continue;
        result.records.push({
          offset: r.offset,
          timestamp: r.timestamp,
          key: b64(r.key),
          value: b64(r.value),
          headers: r.headers.map((h) => ({ key: h.key, value: b64(h.value) })),
        });
      }
    }
    if (next === before) break; // nothing new (cannot happen with a sane log; never loop)
  }
  return result;
}
