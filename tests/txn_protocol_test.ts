/**
 * Transactions over a real socket with our own client, step by step as a transactional producer
 * drives them: InitProducerId, AddPartitionsToTxn, transactional Produce, EndTxn; read_committed
 * Fetch stops at the last stable offset and reports aborted transactions, ListOffsets answers
 * the LSO; a second InitProducerId fences the first producer (PRODUCER_FENCED, its Ongoing
 * transaction aborted with CONCURRENT_TRANSACTIONS first); a batch for a partition never added
 * is refused; a transaction past its timeout is aborted and its producer fenced; offsets
 * committed in a transaction are unstable until it commits, then visible; ListTransactions and
 * DescribeTransactions show the states.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import type { KafkaConnection } from "../src/client/connection.ts";
import { inProcessBroker, type TestBroker } from "./_inprocess.ts";
import { createTopic, fetchBody, listOffsetsBody } from "./_setup.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import { ListOffsets, type ListOffsetsResponse } from "../src/protocol/messages/02_list_offsets.ts";
import {
  InitProducerId,
  type InitProducerIdResponse,
} from "../src/protocol/messages/22_init_producer_id.ts";
import {
  AddPartitionsToTxn,
  type AddPartitionsToTxnResponse,
} from "../src/protocol/messages/24_add_partitions_to_txn.ts";
import {
  AddOffsetsToTxn,
  type AddOffsetsToTxnResponse,
} from "../src/protocol/messages/25_add_offsets_to_txn.ts";
import { EndTxn, type EndTxnResponse } from "../src/protocol/messages/26_end_txn.ts";
import {
  TxnOffsetCommit,
  type TxnOffsetCommitResponse,
} from "../src/protocol/messages/28_txn_offset_commit.ts";
import { OffsetFetch, type OffsetFetchResponse } from "../src/protocol/messages/09_offset_fetch.ts";
import {
  DescribeTransactions,
  type DescribeTransactionsResponse,
} from "../src/protocol/messages/65_describe_transactions.ts";
import {
  ListTransactions,
  type ListTransactionsResponse,
} from "../src/protocol/messages/66_list_transactions.ts";
import { buildRecordBatch, decodeRecords } from "../src/protocol/records/builder.ts";
import { splitBatches } from "../src/protocol/records/record_batch.ts";
import { markerType } from "../src/protocol/records/control_batch.ts";
import { ErrorCode } from "../src/protocol/errors.ts";

interface Producer {
  tid: string;
  producerId: number;
  producerEpoch: number;
  seq: Map<number, number>;
}

async function init(c: KafkaConnection, tid: string, timeoutMs = 60_000): Promise<Producer> {
  for (let i = 0; i < 100; i++) {
    const r = await c.request<InitProducerIdResponse>(InitProducerId, 4, {
      transactionalId: tid,
      transactionTimeoutMs: timeoutMs,
      producerId: -1,
      producerEpoch: -1,
    });
    if (r.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS) {
      await new Promise((res) => setTimeout(res, 50));
      continue;
    }
    assertEquals(r.errorCode, 0, "InitProducerId");
    return { tid, producerId: r.producerId, producerEpoch: r.producerEpoch, seq: new Map() };
  }
  throw new Error("InitProducerId kept answering CONCURRENT_TRANSACTIONS");
}

async function addPartitions(c: KafkaConnection, p: Producer, topic: string, parts: number[]) {
  const r = await c.request<AddPartitionsToTxnResponse>(AddPartitionsToTxn, 3, {
    v3AndBelowTransactionalId: p.tid,
    v3AndBelowProducerId: p.producerId,
    v3AndBelowProducerEpoch: p.producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions: parts }],
  });
  return r.resultsByTopicV3AndBelow![0]!.resultsByPartition.map((x) => x.partitionErrorCode);
}

async function send(
  c: KafkaConnection,
  p: Producer,
  topic: string,
  part: number,
  values: string[],
) {
  const seq = p.seq.get(part) ?? 0;
  const records = buildRecordBatch(values.map((v) => ({ value: new TextEncoder().encode(v) })), {
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    baseSequence: seq,
    transactional: true,
  });
  const r = await c.request<ProduceResponse>(Produce, 9, {
    transactionalId: p.tid,
    acks: -1,
    timeoutMs: 10_000,
    topicData: [{ name: topic, partitionData: [{ index: part, records }] }],
  });
  const code = r.responses[0]!.partitionResponses[0]!.errorCode;
  if (code === 0) p.seq.set(part, seq + values.length);
  return code;
}

async function end(c: KafkaConnection, p: Producer, commit: boolean) {
  return (await c.request<EndTxnResponse>(EndTxn, 3, {
    transactionalId: p.tid,
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    committed: commit,
  })).errorCode;
}

async function fetch(c: KafkaConnection, topic: string, part: number, committed: boolean) {
  const body = { ...fetchBody(topic, 0, { partition: part }), isolationLevel: committed ? 1 : 0 };
  const r = await c.request<FetchResponse>(Fetch, 11, body);
  const p = r.responses[0]!.partitions[0]!;
  assertEquals(p.errorCode, 0, "fetch");
  const batches = splitBatches(p.records ?? new Uint8Array());
  // What a read_committed client keeps (Java's fetcher): batches of a producer are dropped from
  // an aborted transaction's first offset until that producer's abort marker.
  const pending = [...(p.abortedTransactions ?? [])];
  const dropping = new Set<number>();
  const kept = batches.filter((b) => {
    for (const a of pending.filter((a) => a.firstOffset! <= b.lastOffset)) {
      dropping.add(a.producerId!);
      pending.splice(pending.indexOf(a), 1);
    }
    if (b.isControl) {
      if (markerType(b) === "abort") dropping.delete(b.producerId);
      return false;
    }
    return !(b.isTransactional && dropping.has(b.producerId));
  });
  const text = (bs: typeof batches) =>
    bs.flatMap((b) => decodeRecords(b).map((x) => new TextDecoder().decode(x.value!)));
  return {
    raw: text(batches.filter((b) => !b.isControl)),
    values: text(kept),
    markers: batches.filter((b) => b.isControl).map((b) => markerType(b)),
    lso: p.lastStableOffset,
    hw: p.highWatermark,
    aborted: p.abortedTransactions,
  };
}

async function latest(c: KafkaConnection, topic: string, part: number, committed: boolean) {
  const r = await c.request<ListOffsetsResponse>(ListOffsets, 7, {
    ...listOffsetsBody(topic, -1, part),
    isolationLevel: committed ? 1 : 0,
  });
  return r.topics[0]!.partitions[0]!.offset;
}

async function describe(c: KafkaConnection, tid: string) {
  const r = await c.request<DescribeTransactionsResponse>(DescribeTransactions, 0, {
    transactionalIds: [tid],
  });
  return r.transactionStates[0]!;
}

async function withBroker(env: Record<string, string>, fn: (t: TestBroker) => Promise<void>) {
  const t = await inProcessBroker(env);
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

Deno.test("txn protocol: commit and abort; read_committed sees the LSO and aborted transactions", async () => {
  await withBroker({}, async (t) => {
    const c = t.client;
    await createTopic(t.address, "tx", 2);
    const p = await init(c, "app-1");
    assertEquals(p.producerEpoch, 0);
    assertEquals(await addPartitions(c, p, "tx", [0, 1]), [0, 0]);
    assertEquals(await send(c, p, "tx", 0, ["a", "b"]), 0);
    assertEquals(await send(c, p, "tx", 1, ["c"]), 0);
    const open = await fetch(c, "tx", 0, true);
    assertEquals([open.values, open.lso, open.hw], [[], 0, 2]);
    assertEquals((await fetch(c, "tx", 0, false)).values, ["a", "b"]);
    assertEquals([await latest(c, "tx", 0, true), await latest(c, "tx", 0, false)], [0, 2]);
    assertEquals((await describe(c, "app-1")).transactionState, "Ongoing");
    assertEquals(await end(c, p, true), 0);
    // EndTxn waits for the markers: the data is visible to read_committed at once.
    const done = await fetch(c, "tx", 0, true);
    assertEquals([done.values, done.markers, done.lso, done.aborted], [
      ["a", "b"],
      ["commit"],
      3,
      [],
    ]);
    assertEquals((await describe(c, "app-1")).transactionState, "CompleteCommit");
    assertEquals(await end(c, p, true), 0, "a retried commit succeeds");
    assertEquals(await end(c, p, false), ErrorCode.INVALID_TXN_STATE);

    assertEquals(await addPartitions(c, p, "tx", [0]), [0]);
    assertEquals(await send(c, p, "tx", 0, ["x"]), 0);
    assertEquals(await end(c, p, false), 0);
    assertEquals(await send(c, p, "tx", 0, ["late"]), ErrorCode.INVALID_TXN_STATE, "not added");
    const after = await fetch(c, "tx", 0, true);
    assertEquals(after.raw, ["a", "b", "x"]);
    assertEquals(after.values, ["a", "b"], "the consumer drops x using aborted_transactions");
    assertEquals(after.aborted, [{ producerId: p.producerId, firstOffset: 3 }]);
    assertEquals(after.markers, ["commit", "abort"]);
    assertEquals((await fetch(c, "tx", 1, true)).values, ["c"]);
    const listed = await c.request<ListTransactionsResponse>(ListTransactions, 1, {
      stateFilters: ["CompleteAbort", "Nonsense"],
      producerIdFilters: [],
      durationFilter: -1,
    });
    assertEquals(listed.unknownStateFilters, ["Nonsense"]);
    assertEquals(listed.transactionStates, [
      { transactionalId: "app-1", producerId: p.producerId, transactionState: "CompleteAbort" },
    ]);
  });
});

Deno.test("txn protocol: a new producer of the id fences the old one and aborts its transaction", async () => {
  await withBroker({}, async (t) => {
    const c = t.client;
    await createTopic(t.address, "fx", 1);
    const old = await init(c, "app-2");
    assertEquals(await addPartitions(c, old, "fx", [0]), [0]);
    assertEquals(await send(c, old, "fx", 0, ["zombie"]), 0);
    const fresh = await init(c, "app-2"); // CONCURRENT_TRANSACTIONS while aborting, then bumped
    assertEquals(fresh.producerId, old.producerId);
    assertEquals(fresh.producerEpoch, 2, "bumped to abort the open transaction, then again");
    assertEquals(await end(c, old, true), ErrorCode.PRODUCER_FENCED);
    assertEquals(await send(c, old, "fx", 0, ["zombie2"]), ErrorCode.INVALID_PRODUCER_EPOCH);
    const v1 = await c.request<EndTxnResponse>(EndTxn, 1, {
      transactionalId: "app-2",
      producerId: old.producerId,
      producerEpoch: old.producerEpoch,
      committed: true,
    });
    assertEquals(v1.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH, "before v2: no PRODUCER_FENCED");
    const r = await fetch(c, "fx", 0, true);
    assertEquals([r.raw, r.values, r.markers, r.lso], [["zombie"], [], ["abort"], 2]);
    assertEquals(r.aborted, [{ producerId: old.producerId, firstOffset: 0 }]);
  });
});

Deno.test("txn protocol: a transaction past its timeout is aborted and its producer fenced", async () => {
  await withBroker({ KAFSCALE_TRANSACTION_MAX_TIMEOUT_MS: "60000" }, async (t) => {
    const c = t.client;
    await createTopic(t.address, "to", 1);
    const tooLong = await c.request<InitProducerIdResponse>(InitProducerId, 4, {
      transactionalId: "app-3",
      transactionTimeoutMs: 60_001,
      producerId: -1,
      producerEpoch: -1,
    });
    assertEquals(tooLong.errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const p = await init(c, "app-3", 500);
    assertEquals(await addPartitions(c, p, "to", [0]), [0]);
    assertEquals(await send(c, p, "to", 0, ["slow"]), 0);
    const deadline = Date.now() + 30_000;
    let state = "";
    while (Date.now() < deadline) {
      state = (await describe(c, "app-3")).transactionState;
      if (state === "CompleteAbort") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assertEquals(state, "CompleteAbort");
    assertEquals((await describe(c, "app-3")).producerEpoch, 1);
    assertEquals(await end(c, p, true), ErrorCode.PRODUCER_FENCED);
    assertEquals((await fetch(c, "to", 0, true)).lso, 2, "the marker released the LSO");
    const text = await (await fetch_(t, "/metrics")).text();
    assert(/kafscale_transaction_timeouts_total 1/.test(text), "timeout counted");
    assert(/kafscale_transactions_total\{outcome="abort"\} 1/.test(text), "abort counted");
  });
});

function fetch_(t: TestBroker, path: string) {
  return globalThis.fetch(`http://127.0.0.1:${t.broker.metricsPort}${path}`);
}

Deno.test("txn protocol: offsets in a transaction are unstable until it commits", async () => {
  await withBroker({}, async (t) => {
    const c = t.client;
    await createTopic(t.address, "in", 1);
    await createTopic(t.address, "out", 1);
    const p = await init(c, "app-4");
    const addOffsets = await c.request<AddOffsetsToTxnResponse>(AddOffsetsToTxn, 3, {
      transactionalId: "app-4",
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
      groupId: "g",
    });
    assertEquals(addOffsets.errorCode, 0);
    assertEquals(await addPartitions(c, p, "out", [0]), [0]);
    assertEquals(await send(c, p, "out", 0, ["o"]), 0);
    const commit = await c.request<TxnOffsetCommitResponse>(TxnOffsetCommit, 3, {
      transactionalId: "app-4",
      groupId: "g",
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
      topics: [{
        name: "in",
        partitions: [{
          partitionIndex: 0,
          committedOffset: 42,
          committedLeaderEpoch: -1,
          committedMetadata: "",
        }],
      }],
    });
    assertEquals(commit.topics[0]!.partitions[0]!.errorCode, 0);
    const offsets = async (requireStable: boolean) => {
      const r = await c.request<OffsetFetchResponse>(OffsetFetch, 7, {
        groupId: "g",
        topics: [{ name: "in", partitionIndexes: [0] }],
        requireStable,
      });
      const x = r.topics![0]!.partitions![0]!;
      return [x.committedOffset, x.errorCode];
    };
    assertEquals(await offsets(true), [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT]);
    assertEquals(await offsets(false), [-1, 0]);
    assertEquals(await end(c, p, true), 0);
    assertEquals(await offsets(true), [42, 0]);
    assertEquals((await fetch(c, "out", 0, true)).values, ["o"]);
  });
});
