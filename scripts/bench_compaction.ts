/**
 * Compaction throughput and memory per pass: writes `--records` keyed records over `--keys`
 * keys (5% tombstones, `--value-bytes` values, batches of 500 records, gzip with
 * `--codec gzip`) into one partition on the embedded filesystem store (or `--store memory`),
 * in segments of `--segment-bytes`, then compacts it in passes with a key map of `--map-bytes`
 * (a smaller map takes more passes) and an unthrottled pass (the broker's throttle would only
 * slow it down). Prints, per pass and in all: MB read and written, seconds, MB/s, records
 * removed, the key map's bytes and the heap and RSS growth sampled during the pass.
 * Usage: deno run -A scripts/bench_compaction.ts [--records 1000000] [--keys 10000]
 *        [--value-bytes 100] [--codec none|gzip] [--map-bytes 16777216] [--store fs|memory]
 */
import { parseArgs } from "node:util";
import { MemoryObjectStore } from "../src/object_store/memory.ts";
import { FilesystemObjectStore } from "../src/object_store/filesystem.ts";
import { MemoryMetadataStore } from "../src/metadata/memory.ts";
import { SegmentCache } from "../src/log/segment_cache.ts";
import { SegmentUploader } from "../src/log/segment_uploader.ts";
import { CommitBatcher } from "../src/log/commit_batcher.ts";
import { PartitionLog } from "../src/log/partition_log.ts";
import { prepareCompaction } from "../src/log/compactor.ts";
import { KeyMap } from "../src/log/key_map.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { compress } from "../src/protocol/records/compression.ts";
import { RecordBatchView, updateCrc } from "../src/protocol/records/record_batch.ts";

const { values: args } = parseArgs({
  options: {
    records: { type: "string", default: "1000000" },
    keys: { type: "string", default: "10000" },
    "value-bytes": { type: "string", default: "100" },
    codec: { type: "string", default: "none" },
    "map-bytes": { type: "string", default: String(16 * 1024 * 1024) },
    "segment-bytes": { type: "string", default: String(4 * 1024 * 1024) },
    store: { type: "string", default: "fs" },
  },
});
const RECORDS = Number(args.records);
const KEYS = Number(args.keys);
const VALUE = Number(args["value-bytes"]);
const SEGMENT = Number(args["segment-bytes"]);
const PER_BATCH = 500;
const MB = 1024 * 1024;

const dir = args.store === "fs" ? await Deno.makeTempDir({ prefix: "kafscale-bench-" }) : null;
const objects = dir ? new FilesystemObjectStore(dir) : new MemoryObjectStore();
const meta = new MemoryMetadataStore();
let clock = Date.now();
const now = () => clock;
const log = await PartitionLog.open("bench", "id", 0, {
  objects,
  meta,
  cache: new SegmentCache(64 * MB),
  uploader: new SegmentUploader(objects, {
    namespace: "kafscale",
    brokerId: 0,
    maxObjectBytes: SEGMENT,
    now,
  }),
  committer: new CommitBatcher(meta),
  brokerId: 0,
  namespace: "kafscale",
  now,
});

/** One produced batch of `PER_BATCH` records starting at record `from`. */
function batch(from: number): Uint8Array {
  const enc = new TextEncoder();
  const value = new Uint8Array(VALUE).fill(97);
  const bytes = buildRecordBatch(
    Array.from({ length: PER_BATCH }, (_, i) => {
      const n = from + i;
      return { key: enc.encode(`key-${(n * 7919) % KEYS}`), value: n % 20 === 19 ? null : value };
    }),
    { baseTimestamp: clock },
  );
  if (args.codec !== "gzip") return bytes;
  const body = compress(1, bytes.subarray(61));
  const out = new Uint8Array(61 + body.byteLength);
  out.set(bytes.subarray(0, 61));
  out.set(body, 61);
  new DataView(out.buffer).setInt32(8, out.byteLength - 12);
  new DataView(out.buffer).setInt16(21, 1);
  updateCrc(out);
  return out;
}

const started = performance.now();
let buffered = 0;
for (let n = 0; n < RECORDS; n += PER_BATCH) {
  const bytes = batch(n);
  const v = new RecordBatchView(bytes);
  void log.append([{
    bytes,
    lastOffsetDelta: v.lastOffsetDelta,
    maxTimestamp: v.maxTimestamp,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
  }]).durable;
  buffered += bytes.byteLength;
  if (buffered >= SEGMENT) {
    await log.flush();
    buffered = 0;
    await log.roll(SEGMENT, 1);
  }
}
await log.flush();
await log.roll(SEGMENT, 1);
const stored = log.committedSegments.reduce((n, s) => n + s.size, 0);
console.log(
  `wrote ${RECORDS} records over ${KEYS} keys (${args.codec}, ${VALUE}-byte values): ` +
    `${(stored / MB).toFixed(1)} MB in ${log.committedSegments.length} segments, ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
);

clock += 10_000; // every segment is older than segment.ms: all cleanable
const map = new KeyMap(Number(args["map-bytes"]));
const settings = {
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  deleteRetentionMs: 86_400_000,
  segmentMs: 1000,
  segmentBytes: SEGMENT,
};
console.log(
  "| pass | read MB | written MB | seconds | read MB/s | written MB/s | removed | map MB | heap growth MB | RSS growth MB |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|");
const total = { read: 0, written: 0, seconds: 0, removed: 0 };
for (let pass = 1; pass <= 100; pass++) {
  (globalThis as { gc?: () => void }).gc?.();
  const base = Deno.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const sampler = setInterval(() => {
    const m = Deno.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 10);
  const t0 = performance.now();
  const plan = await log.replaceSegments("compact", (view) =>
    prepareCompaction(view, {
      settings,
      map,
      objects,
      namespace: "kafscale",
      throttle: () => Promise.resolve(),
      now,
    }));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  if (!plan) break;
  const s = plan.stats;
  const removed = s.removed.superseded + s.removed.tombstones + s.removed.keyless;
  total.read += s.bytesRead;
  total.written += s.bytesWritten;
  total.seconds += seconds;
  total.removed += removed;
  console.log(
    `| ${pass} | ${(s.bytesRead / MB).toFixed(1)} | ${(s.bytesWritten / MB).toFixed(2)} | ` +
      `${seconds.toFixed(2)} | ${(s.bytesRead / MB / seconds).toFixed(1)} | ` +
      `${(s.bytesWritten / MB / seconds).toFixed(2)} | ${removed} | ${
        (map.bytes / MB).toFixed(1)
      } | ` +
      `${((peakHeap - base.heapUsed) / MB).toFixed(1)} | ${
        ((peakRss - base.rss) / MB).toFixed(1)
      } |`,
  );
  clock += 1000;
}
console.log(
  `| all | ${(total.read / MB).toFixed(1)} | ${(total.written / MB).toFixed(2)} | ` +
    `${total.seconds.toFixed(2)} | ${(total.read / MB / total.seconds).toFixed(1)} | ` +
    `${(total.written / MB / total.seconds).toFixed(2)} | ${total.removed} | | | |`,
);
const left = log.committedSegments.reduce((n, s) => n + s.size, 0);
console.log(`segments: ${(stored / MB).toFixed(1)} MB -> ${(left / MB).toFixed(2)} MB`);
await log.close();
if (dir) await Deno.remove(dir, { recursive: true });
