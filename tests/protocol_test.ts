/**
 * Protocol behaviour over a real socket: version negotiation, malformed input, and the error
 * codes clients expect. Each case also checks that the broker keeps serving afterwards.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { fetchBody, listOffsetsBody } from "./_setup.ts";
import { inProcessBroker, type TestBroker } from "./_inprocess.ts";
import { ApiVersions, type ApiVersionsResponse } from "../src/protocol/messages/18_api_versions.ts";
import {
  CreateTopics,
  type CreateTopicsResponse,
} from "../src/protocol/messages/19_create_topics.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import { ListOffsets, type ListOffsetsResponse } from "../src/protocol/messages/02_list_offsets.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import {
  DescribeCluster,
  type DescribeClusterResponse,
} from "../src/protocol/messages/60_describe_cluster.ts";
import { operationNames } from "../src/handlers/_authorized_operations.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { splitBatches } from "../src/protocol/records/record_batch.ts";
import { ErrorCode } from "../src/protocol/errors.ts";

const enc = new TextEncoder();

async function withBroker(env: Record<string, string>, fn: (t: TestBroker) => Promise<void>) {
  const t = await inProcessBroker(env);
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

async function stillServes(t: TestBroker) {
  const c = await t.connect();
  const r = await c.request<ApiVersionsResponse>(ApiVersions, 3, {});
  assertEquals(r.errorCode, 0);
}

async function createTopic(
  t: TestBroker,
  name: string,
  partitions = 1,
): Promise<CreateTopicsResponse> {
  return await t.client.request<CreateTopicsResponse>(CreateTopics, 5, {
    topics: [{
      name,
      numPartitions: partitions,
      replicationFactor: 1,
      assignments: [],
      configs: [],
    }],
    timeoutMs: 5000,
    validateOnly: false,
  });
}

function produceBody(topic: string, records: Uint8Array, acks = -1) {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  };
}

Deno.test("api_versions: advertises every handler; an unknown higher version gets UNSUPPORTED_VERSION and our range", async () => {
  await withBroker({}, async (t) => {
    const ok = await t.client.request<ApiVersionsResponse>(ApiVersions, 3, {});
    const keys = ok.apiKeys.map((k) => k.apiKey);
    for (const k of [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18, 19, 20, 21, 22]) {
      assert(keys.includes(k), `missing ${k}`);
    }
    assert(
      ok.apiKeys.every((k) => k.minVersion >= 0 && k.maxVersion >= k.minVersion),
      "no -1/-1 entries",
    );
    // ApiVersions v9 does not exist: the answer is a v0 body with UNSUPPORTED_VERSION.
    const raw = t.client.encode(ApiVersions, 9, {}, 77);
    const c = await t.connect();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: t.broker.port });
    await conn.write(raw);
    const buf = new Uint8Array(4096);
    const n = (await conn.read(buf))!;
    const v = new DataView(buf.buffer, 0, n);
    assertEquals(v.getInt32(4), 77); // correlation id, header v0
    assertEquals(v.getInt16(8), ErrorCode.UNSUPPORTED_VERSION);
    assert(v.getInt32(10) >= 15, "range list present");
    conn.close();
    await c.close();
  });
});

async function expectClosed(t: TestBroker, bytes: Uint8Array) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: t.broker.port });
  await conn.write(bytes).catch(() => {});
  const buf = new Uint8Array(64);
  const n = await conn.read(buf).catch(() => null);
  assertEquals(n, null, "broker should close the connection");
  conn.close();
  await stillServes(t);
}

Deno.test("bad input: oversized frame, negative size, unknown API key, unsupported version and garbage close the connection; the broker keeps serving", async () => {
  await withBroker({ KAFSCALE_MAX_REQUEST_BYTES: "4096" }, async (t) => {
    const frame = (size: number, body: number[]) => {
      const b = new Uint8Array(4 + body.length);
      new DataView(b.buffer).setInt32(0, size);
      b.set(body, 4);
      return b;
    };
    await expectClosed(t, frame(1_000_000, [0, 18, 0, 3]));
    await expectClosed(t, frame(-5, []));
    await expectClosed(t, frame(12, [0x7f, 0x00, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0, 0])); // api key 32512
    await expectClosed(t, t.client.encode(Metadata, 99, {}, 1)); // Metadata v99
    await expectClosed(t, frame(10, [0, 3, 0, 1, 0, 0, 0, 1, 0x7f, 0xff])); // client id runs past the end
    await expectClosed(t, frame(200, Array.from({ length: 200 }, (_, i) => (i * 37) & 0xff)));
  });
});

Deno.test("bad input: a truncated frame then a closed socket does not disturb the broker", async () => {
  await withBroker({}, async (t) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: t.broker.port });
    await conn.write(new Uint8Array([0, 0, 0, 50, 0, 18, 0]));
    conn.close();
    await stillServes(t);
  });
});

Deno.test("create_topics: existing topic is TOPIC_ALREADY_EXISTS; invalid names are INVALID_TOPIC_EXCEPTION", async () => {
  await withBroker({}, async (t) => {
    assertEquals((await createTopic(t, "orders", 3)).topics[0]!.errorCode, 0);
    assertEquals(
      (await createTopic(t, "orders", 3)).topics[0]!.errorCode,
      ErrorCode.TOPIC_ALREADY_EXISTS,
    );
    for (const bad of ["", ".", "..", "a/b", "x".repeat(250), "spaces here"]) {
      assertEquals(
        (await createTopic(t, bad)).topics[0]!.errorCode,
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        bad,
      );
    }
    assertEquals(
      (await createTopic(t, "zero", 0)).topics[0]!.errorCode,
      ErrorCode.INVALID_PARTITIONS,
    );
  });
});

Deno.test("produce: unknown topic with auto-creation off is UNKNOWN_TOPIC_OR_PARTITION", async () => {
  await withBroker({ KAFSCALE_AUTO_CREATE_TOPICS: "0" }, async (t) => {
    const r = await t.client.request<ProduceResponse>(
      Produce,
      9,
      produceBody("nope", buildRecordBatch([{ value: enc.encode("x") }])),
    );
    assertEquals(
      r.responses[0]!.partitionResponses[0]!.errorCode,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    const m = await t.client.request<MetadataResponse>(Metadata, 12, {
      topics: [{ name: "nope", topicId: new Uint8Array(16) }],
      allowAutoTopicCreation: true,
    });
    assertEquals(m.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

Deno.test("produce: corrupt CRC is CORRUPT_MESSAGE, legacy magic is refused, oversize is MESSAGE_TOO_LARGE; nothing is stored", async () => {
  await withBroker({ KAFSCALE_MAX_MESSAGE_BYTES: "2000" }, async (t) => {
    await createTopic(t, "t");
    const bad = buildRecordBatch([{ value: enc.encode("hello") }]);
    bad[bad.byteLength - 2]! ^= 1;
    const code = async (records: Uint8Array) =>
      (await t.client.request<ProduceResponse>(Produce, 9, produceBody("t", records))).responses[0]!
        .partitionResponses[0]!.errorCode;
    assertEquals(await code(bad), ErrorCode.CORRUPT_MESSAGE);
    const legacy = new Uint8Array(40);
    new DataView(legacy.buffer).setInt32(8, 28);
    legacy[16] = 1;
    assertEquals(await code(legacy), ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    assertEquals(
      await code(buildRecordBatch([{ value: new Uint8Array(5000) }])),
      ErrorCode.MESSAGE_TOO_LARGE,
    );
    const lo = await t.client.request<ListOffsetsResponse>(
      ListOffsets,
      7,
      listOffsetsBody("t", -1),
    );
    assertEquals(lo.topics[0]!.partitions[0]!.offset, 0);
  });
});

Deno.test("fetch: beyond the end is OFFSET_OUT_OF_RANGE; at the end long-polls and returns empty", async () => {
  await withBroker({}, async (t) => {
    await createTopic(t, "f");
    await t.client.request<ProduceResponse>(
      Produce,
      9,
      produceBody("f", buildRecordBatch([{ value: enc.encode("a") }, { value: enc.encode("b") }])),
    );
    const fetch = (offset: number, maxWaitMs = 0) =>
      t.client.request<FetchResponse>(
        Fetch,
        11,
        fetchBody("f", offset, { maxWaitMs: maxWaitMs, maxBytes: 1 << 20 }),
      );
    const beyond = (await fetch(5)).responses[0]!.partitions[0]!;
    assertEquals(beyond.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    const atEnd = (await fetch(2, 50)).responses[0]!.partitions[0]!;
    assertEquals([atEnd.errorCode, atEnd.highWatermark, atEnd.records?.byteLength], [0, 2, 0]);
    const all = (await fetch(0)).responses[0]!.partitions[0]!;
    assertEquals(splitBatches(all.records!).map((b) => b.baseOffset), [0]);
  });
});

Deno.test("produce: idempotent retries get the first offset back and are stored once; a gap is retried (NOT_LEADER_OR_FOLLOWER), going back is OUT_OF_ORDER_SEQUENCE_NUMBER", async () => {
  await withBroker({}, async (t) => {
    await createTopic(t, "idem");
    const batch = (seq: number, n = 2) =>
      buildRecordBatch(
        Array.from({ length: n }, (_, i) => ({ value: enc.encode(`v${seq + i}`) })),
        {
          producerId: 1000,
          producerEpoch: 0,
          baseSequence: seq,
        },
      );
    const send = async (b: Uint8Array) =>
      (await t.client.request<ProduceResponse>(Produce, 9, produceBody("idem", b))).responses[0]!
        .partitionResponses[0]!;
    assertEquals((await send(batch(0))).baseOffset, 0);
    assertEquals((await send(batch(2))).baseOffset, 2);
    const retry = await send(batch(0));
    assertEquals([retry.errorCode, retry.baseOffset], [0, 0]);
    assertEquals((await send(batch(10))).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assertEquals((await send(batch(1))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assertEquals((await send(batch(4))).baseOffset, 4);
    const lo = await t.client.request<ListOffsetsResponse>(
      ListOffsets,
      7,
      listOffsetsBody("idem", -1),
    );
    assertEquals(lo.topics[0]!.partitions[0]!.offset, 6);
  });
});

Deno.test("produce: pipelined requests on one connection are answered in order with dense offsets", async () => {
  await withBroker({}, async (t) => {
    await createTopic(t, "pipe");
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.client.request<ProduceResponse>(
          Produce,
          9,
          produceBody("pipe", buildRecordBatch([{ value: enc.encode(`m${i}`) }])),
        )),
    );
    assertEquals(
      results.map((r) => r.responses[0]!.partitionResponses[0]!.baseOffset),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});

Deno.test("list_offsets: earliest, latest, by timestamp and max timestamp", async () => {
  await withBroker({}, async (t) => {
    await createTopic(t, "ts");
    for (const [i, ts] of [1000, 2000, 3000, 2500].entries()) {
      await t.client.request<ProduceResponse>(
        Produce,
        9,
        produceBody(
          "ts",
          buildRecordBatch([{ value: enc.encode(`r${i}`) }], { baseTimestamp: ts }),
        ),
      );
    }
    const q = async (timestamp: number) => {
      const r = await t.client.request<ListOffsetsResponse>(
        ListOffsets,
        7,
        listOffsetsBody("ts", timestamp),
      );
      const p = r.topics[0]!.partitions[0]!;
      return [p.offset, p.timestamp];
    };
    assertEquals((await q(-2))[0], 0);
    assertEquals((await q(-1))[0], 4);
    assertEquals(await q(1500), [1, 2000]);
    assertEquals(await q(2600), [2, 3000]);
    assertEquals(await q(9999), [-1, -1]);
    assertEquals(await q(-3), [2, 3000]);
  });
});

Deno.test("produce: acks=0 gets no response and the data still lands", async () => {
  await withBroker({}, async (t) => {
    await createTopic(t, "fire");
    await t.client.send(
      Produce,
      9,
      produceBody("fire", buildRecordBatch([{ value: enc.encode("x") }]), 0),
    );
    const deadline = Date.now() + 5000;
    let end = 0;
    while (end === 0 && Date.now() < deadline) {
      const r = await t.client.request<ListOffsetsResponse>(
        ListOffsets,
        7,
        listOffsetsBody("fire", -1),
      );
      end = r.topics[0]!.partitions[0]!.offset!;
    }
    assertEquals(end, 1);
  });
});

Deno.test("start-up: a taken metrics port fails start-up cleanly (no leaked timers or sockets)", async () => {
  const blocker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (blocker.addr as Deno.NetAddr).port;
  const dir = await Deno.makeTempDir();
  try {
    let failed = false;
    try {
      await inProcessBroker({ KAFSCALE_METRICS_ADDR: `127.0.0.1:${port}`, KAFSCALE_DATA_DIR: dir });
    } catch {
      failed = true;
    }
    assert(failed, "start-up must fail when the metrics port is taken");
  } finally {
    blocker.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start-up: a taken Kafka port fails start-up cleanly, and the data directory opens again", async () => {
  const blocker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (blocker.addr as Deno.NetAddr).port;
  const dir = await Deno.makeTempDir();
  try {
    let failed: unknown = null;
    try {
      await inProcessBroker({ KAFSCALE_BROKER_ADDR: `127.0.0.1:${port}`, KAFSCALE_DATA_DIR: dir });
    } catch (e) {
      failed = e;
    }
    assert(failed !== null, "start-up must fail when the Kafka port is taken");
    // Everything opened before the listener was closed: the metadata directory's lock too, so
    // a broker starts on the same directory at once (and the test's sanitizers see no leak).
    blocker.close();
    const again = await inProcessBroker({ KAFSCALE_DATA_DIR: dir });
    await again.close();
  } finally {
    try {
      blocker.close();
    } catch { /* closed above */ }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("produce: from v3 a partition takes exactly one batch (INVALID_RECORD otherwise); nothing is stored", async () => {
  await withBroker({}, async (t) => {
    await createTopic(t, "one");
    const a = buildRecordBatch([{ value: enc.encode("a") }]);
    const b = buildRecordBatch([{ value: enc.encode("b") }]);
    const r = await t.client.request<ProduceResponse>(
      Produce,
      9,
      produceBody("one", new Uint8Array([...a, ...b])),
    );
    assertEquals(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_RECORD);
    const lo = await t.client.request<ListOffsetsResponse>(
      ListOffsets,
      7,
      listOffsetsBody("one", -1),
    );
    assertEquals(lo.topics[0]!.partitions[0]!.offset, 0);
  });
});

Deno.test("produce: idempotent producer state survives a broker restart (a retry afterwards is not stored twice)", async () => {
  const dir = await Deno.makeTempDir();
  const batch = (seq: number) =>
    buildRecordBatch([{ value: enc.encode(`s${seq}`) }], {
      producerId: 77,
      producerEpoch: 0,
      baseSequence: seq,
    });
  const send = async (t: TestBroker, b: Uint8Array) =>
    (await t.client.request<ProduceResponse>(Produce, 9, produceBody("idem2", b))).responses[0]!
      .partitionResponses[0]!;
  try {
    let t = await inProcessBroker({ KAFSCALE_DATA_DIR: dir });
    await createTopic(t, "idem2");
    assertEquals((await send(t, batch(0))).baseOffset, 0);
    assertEquals((await send(t, batch(1))).baseOffset, 1);
    await t.close();
    t = await inProcessBroker({ KAFSCALE_DATA_DIR: dir });
    try {
      const retry = await send(t, batch(1));
      assertEquals([retry.errorCode, retry.baseOffset], [0, 1]);
      assertEquals((await send(t, batch(5))).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      assertEquals((await send(t, batch(2))).baseOffset, 2);
    } finally {
      await t.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("offset_for_leader_epoch: latest epoch ends at the log end; fenced and unknown current epochs; v2 (librdkafka) without replica id", async () => {
  await withBroker({}, async (t) => {
    await createTopic(t, "ofle");
    await t.client.request<ProduceResponse>(
      Produce,
      9,
      produceBody(
        "ofle",
        buildRecordBatch([{ value: enc.encode("a") }, { value: enc.encode("b") }]),
      ),
    );
    const { OffsetForLeaderEpoch } = await import(
      "../src/protocol/messages/23_offset_for_leader_epoch.ts"
    );
    type R =
      import("../src/protocol/messages/23_offset_for_leader_epoch.ts").OffsetForLeaderEpochResponse;
    const ask = async (version: number, currentLeaderEpoch: number, leaderEpoch: number) =>
      (await t.client.request<R>(OffsetForLeaderEpoch, version, {
        replicaId: -1,
        topics: [{
          topic: "ofle",
          partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }],
        }],
      })).topics[0]!.partitions[0]!;
    const latest = await ask(3, -1, 1);
    assertEquals([latest.errorCode, latest.leaderEpoch, latest.endOffset], [0, 1, 2]);
    assertEquals((await ask(2, 1, 1)).endOffset, 2);
    const above = await ask(3, -1, 7);
    assertEquals([above.leaderEpoch, above.endOffset], [-1, -1]);
    assertEquals((await ask(3, 0, 1)).errorCode, ErrorCode.FENCED_LEADER_EPOCH);
    assertEquals((await ask(3, 5, 1)).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
  });
});

Deno.test("authorized operations: DescribeCluster and Metadata list Kafka's seven cluster operations, not WRITE", async () => {
  await withBroker({}, async (t) => {
    const cluster = [
      "ALTER",
      "ALTER_CONFIGS",
      "CLUSTER_ACTION",
      "CREATE",
      "DESCRIBE",
      "DESCRIBE_CONFIGS",
      "IDEMPOTENT_WRITE",
    ];
    const d = await t.client.request<DescribeClusterResponse>(DescribeCluster, 1, {
      includeClusterAuthorizedOperations: true,
      endpointType: 1,
    });
    assertEquals(operationNames(d.clusterAuthorizedOperations).sort(), cluster);
    const m = await t.client.request<MetadataResponse>(Metadata, 10, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: true,
      includeTopicAuthorizedOperations: false,
    });
    assertEquals(operationNames(m.clusterAuthorizedOperations!).sort(), cluster);
    const none = await t.client.request<DescribeClusterResponse>(DescribeCluster, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
    });
    assertEquals(none.clusterAuthorizedOperations, -2147483648);
  });
});
