/**
 * Test helpers of the log layer: memory stores wired like the broker's, record batches of one
 * text value, one segment per value, and decoding what a read returns.
 * @module
 */
import { MemoryObjectStore } from "../object_store/memory.ts";
import type { ByteRange, ObjectStore, PutOptions } from "../object_store/types.ts";
import type { MemoryMetadataStore } from "../metadata/memory.ts";
import { buildRecordBatch, decodeRecords, type RecordInput } from "../protocol/records/builder.ts";
import { buildControlBatch } from "../protocol/records/control_batch.ts";
import { RecordBatchView, splitBatches } from "../protocol/records/record_batch.ts";
import { LogManager } from "./log_manager.ts";
import type { IncomingBatch, PartitionDeps } from "./partition_log.ts";
import { SegmentCache } from "./segment_cache.ts";
import { SegmentUploader } from "./segment_uploader.ts";
import { CommitBatcher } from "./commit_batcher.ts";

/** An object store that counts calls and can run a hook before each PUT. */
export class CountingStore extends MemoryObjectStore {
  puts = 0;
  gets: Array<ByteRange | undefined> = [];
  beforePut: (() => void) | undefined;
  override put(key: string, body: Uint8Array, options?: PutOptions): Promise<void> {
    this.puts++;
    this.beforePut?.();
    return super.put(key, body, options);
  }
  override get(key: string, range?: ByteRange): Promise<Uint8Array | null> {
    this.gets.push(range);
    return super.get(key, range);
  }
}

/** An object store whose PUTs wait until the test lets each one finish (or fail). */
export class GatedStore extends MemoryObjectStore {
  gates: Array<{ open: () => void; fail: (e: Error) => void }> = [];
  override put(key: string, body: Uint8Array, options?: PutOptions): Promise<void> {
    return new Promise<void>((open, fail) => this.gates.push({ open, fail }))
      .then(() => super.put(key, body, options));
  }
}

export function deps(
  objects: ObjectStore,
  meta: MemoryMetadataStore,
  extra: Partial<PartitionDeps> = {},
) {
  return {
    objects,
    meta,
    cache: new SegmentCache(64 * 1024 * 1024),
    uploader: new SegmentUploader(objects, {
      namespace: "ns",
      brokerId: 0,
      maxObjectBytes: 1024 * 1024,
      now: extra.now,
    }),
    committer: new CommitBatcher(meta),
    brokerId: 0,
    namespace: "ns",
    ...extra,
  };
}

export function batch(text: string): IncomingBatch {
  return incomingBatch(buildRecordBatch([{ value: new TextEncoder().encode(text) }]));
}

/** A plain producer's batch as the produce handler hands it to a log (header fields read). */
export function incomingBatch(bytes: Uint8Array): IncomingBatch {
  const v = new RecordBatchView(bytes);
  return {
    bytes,
    lastOffsetDelta: v.lastOffsetDelta,
    maxTimestamp: v.maxTimestamp,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
  };
}

/** A transactional batch of producer `pid` (epoch 0) holding `records`, from sequence `seq`. */
export function txnBatch(pid: number, seq: number, records: RecordInput[]): IncomingBatch {
  const bytes = buildRecordBatch(records, {
    producerId: pid,
    producerEpoch: 0,
    baseSequence: seq,
    transactional: true,
  });
  return {
    ...incomingBatch(bytes),
    producerId: pid,
    producerEpoch: 0,
    baseSequence: seq,
    transactional: true,
  };
}

/** The commit or abort marker of producer `pid`'s transaction (epoch 0), as the broker writes it. */
export function txnMarker(pid: number, commit: boolean): IncomingBatch {
  const bytes = buildControlBatch({
    commit,
    producerId: pid,
    producerEpoch: 0,
    coordinatorEpoch: 0,
    timestamp: 1,
  });
  return { ...incomingBatch(bytes), producerId: pid, producerEpoch: 0, marker: { commit } };
}

/** Appends each value to partition t-0 and flushes it alone: one segment per value. */
export async function segmentPerValue(logs: LogManager, values: string[]) {
  const log = await logs.get("t", "id", 0);
  for (const v of values) {
    const ack = log.append([batch(v)]).durable;
    await logs.flushAll();
    await ack;
  }
  return log;
}

export const manager = (d: PartitionDeps) =>
  new LogManager(d, { flushIntervalMs: 1000, segmentBytes: 1 << 20 });
export const segmentObjects = async (s: ObjectStore) =>
  (await s.list("ns/")).filter((o) => o.key.endsWith(".seg"));

export function decodeRecordsAll(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (const view of splitBatches(bytes)) {
    for (const r of decodeRecords(view)) out.push(new TextDecoder().decode(r.value!));
  }
  return out;
}
