/**
 * Self-describing segment objects: an index appended after the segments of an object says
 * what each one is (topic, topic id, partition, offsets, the leader epoch and upload sequence
 * of the writer that uploaded it, its producers' batches), so that after the metadata store is
 * lost, segments committed after the last metadata snapshot can be found and made visible
 * again (src/recovery/roll_forward.ts). Readers of a committed segment never need it: a
 * reference names its object, position and size.
 *
 * Layout of an object, big-endian:
 *
 *   segment 0 .. segment n-1   each a whole segment (segment_format.ts: "KSEG" ... "KEND")
 *   index                      UTF-8 JSON `{ "chunks": ChunkDescription[] }`
 *   footer (16 B)              index length u32, CRC32C of the index u32, version u16,
 *                              reserved u16, magic "KIDX"
 *
 * Objects written before the index existed end with a segment's "KEND": they read as
 * undescribed (`null`), and stay readable through their references.
 * @module
 */
import { z } from "zod";
import { crc32c } from "../protocol/records/crc32c.ts";
import { RecordBatchView } from "../protocol/records/record_batch.ts";
import type { ObjectStore } from "../object_store/types.ts";
import { REMEMBERED_BATCHES } from "./producer_state.ts";
import { AbortedTxnSchema } from "../metadata/records.ts";
import { markerType } from "../protocol/records/control_batch.ts";

const MAGIC = 0x4b49_4458; // "KIDX"
const VERSION = 1;
const FOOTER = 16;
/** Bytes read from an object's end at first: the footer and, nearly always, the whole index. */
const TAIL_READ = 64 * 1024;
const int = z.number().int();

/** One producer's batches in a segment (at most the last REMEMBERED_BATCHES). */
export const ChunkProducerSchema = z.object({
  id: int.min(0),
  epoch: int,
  batches: z.array(z.object({
    first_seq: int,
    last_seq: int,
    base_offset: int.min(0),
    last_offset: int.min(0),
  })),
});
export type ChunkProducer = z.infer<typeof ChunkProducerSchema>;

/**
 * Where a transaction of a producer began (its first transactional batch in the segment, when
 * no transaction of that producer was open earlier in it) or ended (its marker), so recovery
 * can replay which transactions are open (src/recovery/roll_forward.ts).
 */
export const ChunkTxnSchema = z.object({
  producer_id: int.min(0),
  /** The producer epoch of the batch or marker. */
  epoch: int,
  offset: int.min(0),
  kind: z.enum(["begin", "commit", "abort"]),
});
export type ChunkTxn = z.infer<typeof ChunkTxnSchema>;

/** What one segment of an object is. */
export const ChunkDescriptionSchema = z.object({
  topic: z.string(),
  topic_id: z.string(),
  partition: int.min(0),
  /** Where the segment starts in the object, and its size. */
  position: int.min(0),
  size: int.min(0),
  base_offset: int.min(0),
  last_offset: int.min(0),
  batch_count: int.min(0),
  max_timestamp: int,
  created_ms: int,
  /** The reference's epoch (a merged segment keeps the epoch of what it merged). */
  epoch: int,
  /** The leader epoch of the writer that uploaded it. */
  writer_epoch: int.min(0),
  /** Uploads of one writer (one epoch), numbered from 1 in the order they were made. */
  writer_seq: int.min(0),
  /**
   * `flush`: new records; `merge`: a copy of committed segments, merged; `compact`: committed
   * segments compacted (records other committed ones supersede left out, offsets unchanged).
   */
  kind: z.enum(["flush", "merge", "compact"]),
  producers: z.array(ChunkProducerSchema),
  /** Leader epochs of its batches: [epoch, first offset], ascending, one per change. */
  epochs: z.array(z.tuple([int.min(0), int.min(0)])),
  /** Transactions aborted by markers in it (txn_index.ts; absent: none). */
  aborted: z.array(AbortedTxnSchema).optional(),
  /** Transactions begun and ended in it, in offset order (absent: none, or an older object). */
  txns: z.array(ChunkTxnSchema).optional(),
});
export type ChunkDescription = z.infer<typeof ChunkDescriptionSchema>;

/** What the uploader is told about a segment (it knows the position and size itself). */
export type ChunkAbout = Omit<ChunkDescription, "position" | "size">;

const IndexSchema = z.object({ chunks: z.array(ChunkDescriptionSchema) });

/** Encodes the index and footer that follow an object's segments. */
export function encodeObjectIndex(chunks: readonly ChunkDescription[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ chunks }));
  const out = new Uint8Array(json.byteLength + FOOTER);
  out.set(json, 0);
  const v = new DataView(out.buffer, json.byteLength);
  v.setUint32(0, json.byteLength);
  v.setUint32(4, crc32c(json));
  v.setUint16(8, VERSION);
  v.setUint32(12, MAGIC);
  return out;
}

/** Raised when an object's index is present but damaged. */
export class CorruptObjectIndexError extends Error {
  constructor(key: string, why: string) {
    super(`Cannot read the index of object ${key}: ${why}`);
    this.name = "CorruptObjectIndexError";
  }
}

/**
 * Parses the index from the end of an object (`tail` is its last bytes, `size` its whole
 * size). Resolves null for an object without an index (written before it existed), and the
 * index length still to read when `tail` does not hold all of it.
 */
export function parseObjectIndex(
  key: string,
  tail: Uint8Array,
  size: number,
): ChunkDescription[] | null | { need: number } {
  if (tail.byteLength < FOOTER) return null;
  const v = new DataView(tail.buffer, tail.byteOffset + tail.byteLength - FOOTER, FOOTER);
  if (v.getUint32(12) !== MAGIC) return null;
  if (v.getUint16(8) !== VERSION) {
    throw new CorruptObjectIndexError(key, `unknown version ${v.getUint16(8)}`);
  }
  const length = v.getUint32(0);
  if (length + FOOTER > size) throw new CorruptObjectIndexError(key, "length past the object");
  if (length + FOOTER > tail.byteLength) return { need: length + FOOTER };
  const json = tail.subarray(tail.byteLength - FOOTER - length, tail.byteLength - FOOTER);
  if (crc32c(json) !== v.getUint32(4)) throw new CorruptObjectIndexError(key, "checksum mismatch");
  let parsed;
  try {
    parsed = IndexSchema.safeParse(JSON.parse(new TextDecoder().decode(json)));
  } catch {
    throw new CorruptObjectIndexError(key, "not JSON");
  }
  if (!parsed.success) {
    throw new CorruptObjectIndexError(key, parsed.error.issues[0]?.message ?? "invalid");
  }
  return parsed.data.chunks;
}

/**
 * Reads an object's index with one ranged GET of its end (two when the index is larger):
 * null when the object has none or is gone.
 */
export async function readObjectIndex(
  objects: ObjectStore,
  key: string,
  size: number,
): Promise<ChunkDescription[] | null> {
  const start = Math.max(0, size - TAIL_READ);
  let tail = await objects.get(key, { start, end: size });
  if (tail === null) return null;
  let parsed = parseObjectIndex(key, tail, size);
  if (parsed !== null && "need" in parsed) {
    tail = await objects.get(key, { start: size - parsed.need, end: size });
    if (tail === null) return null;
    parsed = parseObjectIndex(key, tail, size);
    if (parsed !== null && "need" in parsed) throw new CorruptObjectIndexError(key, "short read");
  }
  return parsed;
}

/** What a segment's batches say about producers and leader epochs, for its description. */
export interface BatchSummary {
  producers: ChunkProducer[];
  epochs: [number, number][];
  txns?: ChunkTxn[];
}

/**
 * Summarizes a segment's batches: per producer id its newest epoch and last
 * REMEMBERED_BATCHES batches (what a partition's producer state keeps), where each leader
 * epoch starts (the epoch every batch header carries), and where transactions begin and end.
 */
export function summarizeBatches(
  batches: Iterable<{ baseOffset: number; lastOffset: number; bytes: Uint8Array }>,
): BatchSummary {
  const byId = new Map<number, ChunkProducer>();
  const epochs: [number, number][] = [];
  const txns: ChunkTxn[] = [];
  const open = new Set<number>();
  for (const b of batches) {
    const view = new RecordBatchView(b.bytes);
    const epoch = view.partitionLeaderEpoch;
    if (epoch >= 0 && (epochs.length === 0 || epochs[epochs.length - 1]![0] < epoch)) {
      epochs.push([epoch, b.baseOffset]);
    }
    const id = view.producerId;
    if (id >= 0 && view.isControl) {
      const kind = markerKind(view);
      if (kind) {
        txns.push({ producer_id: id, epoch: view.producerEpoch, offset: b.baseOffset, kind });
      }
      open.delete(id);
    } else if (id >= 0 && view.isTransactional && !open.has(id)) {
      txns.push({
        producer_id: id,
        epoch: view.producerEpoch,
        offset: b.baseOffset,
        kind: "begin",
      });
      open.add(id);
    }
    if (id < 0 || view.baseSequence < 0) continue;
    let p = byId.get(id);
    if (!p || view.producerEpoch > p.epoch) {
      p = { id, epoch: view.producerEpoch, batches: [] };
      byId.set(id, p);
    }
    p.batches.push({
      first_seq: view.baseSequence,
      last_seq: (view.baseSequence + (b.lastOffset - b.baseOffset)) % 2147483648,
      base_offset: b.baseOffset,
      last_offset: b.lastOffset,
    });
    if (p.batches.length > REMEMBERED_BATCHES) p.batches.shift();
  }
  return { producers: [...byId.values()], epochs, ...(txns.length > 0 && { txns }) };
}

/** A marker's kind; null for a control batch that does not decode as one. */
function markerKind(view: RecordBatchView): "commit" | "abort" | null {
  try {
    return markerType(view);
  } catch {
    return null;
  }
}
