/**
 * Timestamp lookups (ListOffsets by timestamp and MAX_TIMESTAMP) over log-append-time batches,
 * whose records all carry the append time, and over a log whose start offset DeleteRecords left
 * inside a segment: records below the start never answer and never count.
 */
import { assertEquals } from "../testing/assert.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { buildRecordBatch } from "../protocol/records/builder.ts";
import { setLogAppendTime } from "../protocol/records/record_batch.ts";
import { deps, incomingBatch, manager } from "./_testing.ts";
import type { IncomingBatch, PartitionLog } from "./partition_log.ts";
import { findMaxTimestamp, findOffsetForTimestamp } from "./timestamp_search.ts";

/** A batch of `n` records stamped `ts`, `ts + 1`, ...; stamped `appendTime` when given. */
function stamped(ts: number, n = 1, appendTime?: number): IncomingBatch {
  const bytes = buildRecordBatch(
    Array.from({ length: n }, (_, i) => ({ value: new Uint8Array(1), timestampDelta: i })),
    { baseTimestamp: ts },
  );
  if (appendTime !== undefined) setLogAppendTime(bytes, appendTime);
  return incomingBatch(bytes);
}

/** One segment holding `batches`, committed. */
async function segment(log: PartitionLog, batches: IncomingBatch[]) {
  const acks = batches.map((b) => log.append([b]).durable);
  await log.flush();
  await Promise.all(acks);
}

Deno.test("timestamp search: records of a log-append-time batch carry the append time", async () => {
  const logs = manager(deps(new MemoryObjectStore(), new MemoryMetadataStore()));
  const log = await logs.get("t", "id", 0);
  // Created at 1000-1002 but appended at 5000: every record's timestamp is 5000.
  await segment(log, [stamped(100, 1), stamped(1000, 3, 5000)]);
  assertEquals(await findOffsetForTimestamp(log, 3000), { offset: 1, timestamp: 5000 });
  assertEquals(await findOffsetForTimestamp(log, 5001), null);
  assertEquals(await findMaxTimestamp(log), { offset: 1, timestamp: 5000 });
  await logs.close();
});

Deno.test("timestamp search: records below a log start inside a segment neither answer nor count", async () => {
  const logs = manager(deps(new MemoryObjectStore(), new MemoryMetadataStore()));
  const log = await logs.get("t", "id", 0);
  // Offsets 0 (ts 9000), 1-3 (ts 1000-1002, one batch), 4 (ts 2000): one segment.
  await segment(log, [stamped(9000), stamped(1000, 3), stamped(2000)]);
  assertEquals(await findMaxTimestamp(log), { offset: 0, timestamp: 9000 });
  await log.deleteRecords(2); // inside the second batch
  assertEquals(await findMaxTimestamp(log), { offset: 4, timestamp: 2000 });
  assertEquals(await findOffsetForTimestamp(log, 0), { offset: 2, timestamp: 1001 });
  await log.deleteRecords(4);
  assertEquals(await findMaxTimestamp(log), { offset: 4, timestamp: 2000 });
  await logs.close();
});
