/**
 * The transaction state machine on records alone: InitProducerId bumps and fences (KIP-360
 * retries, producer id rotation at the epoch's end), AddPartitions starts and extends a
 * transaction, EndTxn prepares and answers retries, timeouts abort with the epoch bumped.
 */
import { assertEquals } from "../testing/assert.ts";
import {
  completed,
  fresh,
  MAX_EPOCH,
  partitionList,
  planAdd,
  planEnd,
  planInit,
  planTimeout,
} from "./state.ts";
import type { TxnRecord } from "./records.ts";

const base = (over: Partial<TxnRecord> = {}): TxnRecord => ({
  ...fresh("t", 60_000, 0),
  producer_id: 7,
  ...over,
});
const me = (epoch = 0) => ({ producerId: 7, producerEpoch: epoch });

Deno.test("txn state: InitProducerId bumps, fences an open transaction, answers retries", () => {
  const r = base();
  const bump = planInit(r, { timeoutMs: 1000, expected: null }, 5);
  assertEquals("next" in bump && [bump.next.producer_epoch, bump.next.timeout_ms], [1, 1000]);
  // KIP-360: the producer bumps its own epoch; a retry of that bump gets the same answer.
  const own = planInit(r, { timeoutMs: 1000, expected: me(0) }, 5);
  if (!("next" in own)) throw new Error("expected a bump");
  assertEquals([own.next.producer_epoch, own.next.last_producer_epoch], [1, 0]);
  const retried = planInit(own.next, { timeoutMs: 1000, expected: me(0) }, 6);
  assertEquals("retry" in retried && retried.retry, true);
  assertEquals(planInit(own.next, { timeoutMs: 1000, expected: me(5) }, 6), {
    error: "PRODUCER_FENCED",
  });
  assertEquals(
    planInit(r, { timeoutMs: 1000, expected: { producerId: 99, producerEpoch: 0 } }, 5),
    { error: "INVALID_PRODUCER_ID_MAPPING" },
  );
  const ongoing = base({ state: "Ongoing", partitions: { a: [0] }, start_ms: 1 });
  const fence = planInit(ongoing, { timeoutMs: 1000, expected: null }, 5);
  if (!("fence" in fence)) throw new Error("expected a fence");
  assertEquals([fence.fence.state, fence.fence.producer_epoch], ["PrepareAbort", 1]);
  assertEquals(planInit(fence.fence, { timeoutMs: 1000, expected: null }, 6), {
    error: "CONCURRENT_TRANSACTIONS",
  });
});

Deno.test("txn state: an exhausted epoch rotates the producer id", () => {
  const r = base({ producer_epoch: MAX_EPOCH - 1 });
  const plan = planInit(r, { timeoutMs: 1000, expected: null }, 5);
  if (!("next" in plan)) throw new Error("expected a rotation");
  assertEquals([plan.allocate, plan.next.producer_epoch, plan.next.last_producer_id], [true, 0, 7]);
});

Deno.test("txn state: AddPartitions starts and extends; EndTxn prepares and answers retries", () => {
  const r = base();
  assertEquals(planAdd(r, { ...me(1), partitions: { a: [0] } }, 1), { error: "PRODUCER_FENCED" });
  assertEquals(planAdd(null, { ...me(0), partitions: { a: [0] } }, 1), {
    error: "INVALID_PRODUCER_ID_MAPPING",
  });
  const started = planAdd(r, { ...me(0), partitions: { a: [1, 0] } }, 10);
  if (!("next" in started)) throw new Error("expected a start");
  assertEquals([started.next.state, started.next.start_ms], ["Ongoing", 10]);
  const more = planAdd(
    started.next,
    { ...me(0), partitions: { a: [0, 2], b: [0] }, groups: ["g"] },
    20,
  );
  if (!("next" in more)) throw new Error("expected more");
  assertEquals(partitionList(more.next).map((p) => `${p.topic}-${p.partition}`), [
    "a-0",
    "a-1",
    "a-2",
    "b-0",
  ]);
  assertEquals([more.next.groups, more.next.start_ms], [["g"], 10]);
  assertEquals("unchanged" in planAdd(more.next, { ...me(0), partitions: { a: [1] } }, 30), true);
  const end = planEnd(more.next, { ...me(0), commit: true }, 40);
  if (!("next" in end)) throw new Error("expected prepare");
  assertEquals(end.next.state, "PrepareCommit");
  assertEquals(planEnd(end.next, { ...me(0), commit: true }, 41), {
    error: "CONCURRENT_TRANSACTIONS",
  });
  assertEquals(planEnd(end.next, { ...me(0), commit: false }, 41), { error: "INVALID_TXN_STATE" });
  assertEquals(planAdd(end.next, { ...me(0), partitions: { a: [0] } }, 41), {
    error: "CONCURRENT_TRANSACTIONS",
  });
  const done = completed(end.next, 50);
  assertEquals([done.state, partitionList(done), done.groups], ["CompleteCommit", [], []]);
  assertEquals("unchanged" in planEnd(done, { ...me(0), commit: true }, 51), true);
  assertEquals(planEnd(done, { ...me(0), commit: false }, 51), { error: "INVALID_TXN_STATE" });
  assertEquals(planEnd(r, { ...me(0), commit: true }, 51), { error: "INVALID_TXN_STATE" });
});

Deno.test("txn state: a transaction past its timeout aborts with the epoch bumped", () => {
  const ongoing = base({
    state: "Ongoing",
    partitions: { a: [0] },
    start_ms: 1000,
    timeout_ms: 500,
  });
  assertEquals(planTimeout(ongoing, 1500), null);
  const aborted = planTimeout(ongoing, 1501);
  assertEquals([aborted?.state, aborted?.producer_epoch], ["PrepareAbort", 1]);
  assertEquals(planTimeout(base(), 1e12), null, "only Ongoing transactions time out");
});
