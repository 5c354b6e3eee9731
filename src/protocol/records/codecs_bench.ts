/**
 * Costs of the snappy and lz4 codecs (ours, in TypeScript) on 1 MiB of records that compress
 * about 2:1 (JSON-like text with repeated field names): what a compaction pass or the produce key
 * check on a compacted topic pays per MiB of such batches. Run: ./scripts/deno bench
 * src/protocol/records/
 * @module
 */
import { lz4Compress, lz4Decompress } from "./lz4.ts";
import { snappyCompress, snappyDecompress } from "./snappy.ts";
import { seededRandom } from "./_prng.ts";

const rnd = seededRandom(5);
const text = Array.from(
  { length: 12_000 },
  (_, i) =>
    `{"id":${i},"user":"u${Math.floor(rnd() * 1e6)}","amount":${(rnd() * 1000).toFixed(2)}}`,
).join("\n");
const data = new TextEncoder().encode(text).subarray(0, 1 << 20);
const lz4 = lz4Compress(data);
const snappy = snappyCompress(data, true);

Deno.bench("lz4 compress 1 MiB", () => {
  lz4Compress(data);
});
Deno.bench("lz4 decompress 1 MiB", () => {
  lz4Decompress(lz4);
});
Deno.bench("snappy (xerial) compress 1 MiB", () => {
  snappyCompress(data, true);
});
Deno.bench("snappy (xerial) decompress 1 MiB", () => {
  snappyDecompress(snappy);
});
