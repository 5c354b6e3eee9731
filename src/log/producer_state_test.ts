import { assertEquals } from "../testing/assert.ts";
import { MAX_PRODUCERS_PER_PARTITION, ProducerTable } from "./producer_state.ts";
import { ProducerStateSchema } from "../metadata/records.ts";

const batch = (producerId: number, baseSequence: number) => ({
  producerId,
  producerEpoch: 0,
  baseSequence,
  lastSequence: baseSequence,
});

Deno.test("producer state: a retried batch is a duplicate; a gap is retriable; going back is out of order", () => {
  const t = new ProducerTable();
  t.record(batch(1, 0), 10, 10);
  t.record(batch(1, 1), 11, 11);
  assertEquals(t.check(batch(1, 0)), { kind: "duplicate", baseOffset: 10, lastOffset: 10 });
  assertEquals(t.check(batch(1, 2)), { kind: "append" });
  const gap = t.check(batch(1, 5));
  assertEquals(gap.kind === "error" && gap.error, "NOT_LEADER_OR_FOLLOWER", "sent again later");
  const back = t.check({ ...batch(1, 0), lastSequence: 1 }); // 0-1: not a batch it sent
  assertEquals(back.kind === "error" && back.error, "OUT_OF_ORDER_SEQUENCE_NUMBER");
});

Deno.test("producer state: at most MAX_PRODUCERS_PER_PARTITION, least recently used forgotten", () => {
  const t = new ProducerTable();
  for (let id = 0; id < MAX_PRODUCERS_PER_PARTITION; id++) t.record(batch(id, 0), id, id);
  t.record(batch(0, 1), 1000, 1000); // producer 0 is used again: producer 1 is now the oldest
  t.record(batch(9999, 0), 1001, 1001);
  assertEquals(t.size, MAX_PRODUCERS_PER_PARTITION);
  assertEquals(t.check(batch(1, 7)), { kind: "append" }, "forgotten: treated as new");
  assertEquals(t.check(batch(0, 1)).kind, "duplicate", "kept");
  assertEquals(Object.keys(t.toRecord()).length, MAX_PRODUCERS_PER_PARTITION);
});

Deno.test("producer state: open transactions hold the LSO, are never forgotten, end by marker", () => {
  const t = new ProducerTable();
  t.record(batch(1, 0), 5, 5);
  t.beginTxn(1, 5);
  t.beginTxn(1, 6); // already open: the first offset stays
  assertEquals(t.firstOpenOffset(), 5);
  for (let id = 2; id < MAX_PRODUCERS_PER_PARTITION + 10; id++) t.record(batch(id, 0), id, id);
  assertEquals(t.inTxn(1), true, "the oldest producer, kept for its open transaction");
  assertEquals(t.size, MAX_PRODUCERS_PER_PARTITION);
  assertEquals(ProducerTable.fromRecord(t.toRecord()).openTxns(), [{
    producerId: 1,
    firstOffset: 5,
  }]);
  assertEquals(t.endTxn(1, 0), 5);
  assertEquals([t.firstOpenOffset(), t.endTxn(1, 0)], [null, null]);
  // A marker of a newer epoch moves the producer there: its old epoch is refused.
  t.endTxn(3, 4);
  assertEquals(t.check(batch(3, 1)).kind, "error");
});

Deno.test("producer state: the stored form is a deep copy that keeps every field of the schema", () => {
  const full = {
    "7": {
      epoch: 3,
      batches: [{ first_seq: 0, last_seq: 4, base_offset: 10, last_offset: 14 }],
      txn_first: 10,
    },
  };
  // Every field the schema knows is set above, so a field added to the schema but not to the
  // copy fails here.
  assertEquals(Object.keys(full["7"]).sort(), Object.keys(ProducerStateSchema.shape).sort());
  const t = ProducerTable.fromRecord(full);
  const out = t.toRecord();
  assertEquals(out, full);
  out["7"]!.batches[0]!.last_seq = 99;
  out["7"]!.epoch = 9;
  assertEquals(t.toRecord(), full, "the table is not changed through a copy");
  assertEquals(t.clone().toRecord(), full);
  const noTxn = ProducerTable.fromRecord({ "1": { epoch: 0, batches: [] } }).toRecord();
  assertEquals("txn_first" in noTxn["1"]!, false, "an absent field stays absent");
});
