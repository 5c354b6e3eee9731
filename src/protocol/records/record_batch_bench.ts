/**
 * Costs of the produce path's header work on a 1 MiB produce blob of 1 KiB records, shaped two
 * ways: one batch of 1,000 records (what clients send), and 1,000 one-record batches (the
 * worst case for header walking). Plus the builder and decoder used by tests and the admin CLI.
 * Run: ./scripts/deno bench src/protocol/records/
 * @module
 */
import { concatBytes } from "../primitives.ts";
import { buildRecordBatch, decodeRecords, type RecordInput } from "./builder.ts";
import { splitBatches, validateForAppend } from "./record_batch.ts";
import { randomBytes, seededRandom } from "./_prng.ts";

const rnd = seededRandom(3);
const RECORDS = 1000;
const records: RecordInput[] = Array.from({ length: RECORDS }, () => ({
  key: randomBytes(rnd, 16),
  value: randomBytes(rnd, 1024),
}));
const oneBatch = buildRecordBatch(records, { baseTimestamp: 0 });
const manyBatches = concatBytes(records.map((r) => buildRecordBatch([r], { baseTimestamp: 0 })));
console.log(
  `blob sizes: one batch ${oneBatch.byteLength} B, ${RECORDS} batches ${manyBatches.byteLength} B`,
);

Deno.bench("splitBatches: 1 batch x 1000 records (~1 MiB)", { group: "split" }, () => {
  splitBatches(oneBatch);
});
Deno.bench("splitBatches: 1000 batches x 1 record (~1 MiB)", { group: "split" }, () => {
  splitBatches(manyBatches);
});
Deno.bench("split + validateForAppend (CRC): 1 batch x 1000 records", { group: "validate" }, () => {
  for (const v of splitBatches(oneBatch)) validateForAppend(v);
});
Deno.bench(
  "split + validateForAppend (CRC): 1000 batches x 1 record",
  { group: "validate" },
  () => {
    for (const v of splitBatches(manyBatches)) validateForAppend(v);
  },
);
Deno.bench("buildRecordBatch: 1000 x 1 KiB records (tests, admin CLI)", () => {
  buildRecordBatch(records, { baseTimestamp: 0 });
});
const view = splitBatches(oneBatch)[0]!;
Deno.bench("decodeRecords: 1000 x 1 KiB records (tests, admin CLI)", () => {
  decodeRecords(view);
});
