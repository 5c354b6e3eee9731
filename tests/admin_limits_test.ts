/**
 * Partition limits on admin requests (KAFSCALE_MAX_PARTITIONS_PER_TOPIC, _PER_REQUEST and
 * KAFSCALE_MAX_PARTITIONS), over real sockets, on the embedded default and on etcd + s3rver:
 * the two frames that froze the broker (CreateTopics and CreatePartitions asking for 100,000
 * partitions) are refused at once with the limit named while other connections keep being
 * answered; a topic at the limit is created while a producer on another topic keeps getting
 * acknowledgements; SIGTERM during a large creation stops the broker within its deadline and a
 * restart shows the whole topic or none of it.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import { type BrokerProcess, removeDir, startBroker } from "./_harness.ts";
import { backendEnv, createTopic, produceRecords, withServices } from "./_setup.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { ApiVersions, type ApiVersionsResponse } from "../src/protocol/messages/18_api_versions.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import {
  CreateTopics,
  type CreateTopicsResponse,
} from "../src/protocol/messages/19_create_topics.ts";
import { ErrorCode } from "../src/protocol/errors.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));
/** The frames: CreateTopics v2 `big` x 100000; CreatePartitions v1 `fzcp` to 100000. */
const CREATE_BIG = hex(
  "0000002a0013000200000001000466757a7a000000010003626967000186a000010000000000000000000003e800",
);
const GROW_FZCP = hex(
  "000000250025000100000001000466757a7a000000010004667a6370000186a0ffffffff000003e800",
);

/** Sends one raw frame; returns the first result's error code and message (v1/v2 layouts). */
async function rawAdmin(port: number, frame: Uint8Array): Promise<[number, string | null]> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(frame);
    const buf = new Uint8Array(64 * 1024);
    let n = 0;
    while (n < 4 || n < 4 + new DataView(buf.buffer).getInt32(0)) {
      const got = await conn.read(buf.subarray(n));
      if (got === null) throw new Error("connection closed before the answer");
      n += got;
    }
    const v = new DataView(buf.buffer, 0, n);
    let at = 4 + 4 + 4 + 4; // size, correlation id, throttle, results count
    at += 2 + v.getInt16(at); // name
    const code = v.getInt16(at);
    const len = v.getInt16(at + 2);
    const msg = len < 0 ? null : new TextDecoder().decode(buf.subarray(at + 4, at + 4 + len));
    return [code, msg];
  } finally {
    conn.close();
  }
}

async function metadataOf(c: KafkaConnection, topic: string) {
  const m = await c.request<MetadataResponse>(Metadata, 12, {
    topics: [{ topicId: new Uint8Array(16), name: topic }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  return m.topics[0]!;
}

async function limitsCase(env: Record<string, string>): Promise<void> {
  let broker: BrokerProcess = await startBroker({ env });
  const { port, dataDir } = broker;
  const other = await KafkaConnection.connect(broker.bootstrap);
  try {
    await createTopic(broker.bootstrap, "fzcp", 1);
    const [createCode, createMsg] = await rawAdmin(port, CREATE_BIG);
    assertEquals(createCode, ErrorCode.INVALID_PARTITIONS, createMsg ?? "");
    assert(createMsg?.includes("KAFSCALE_MAX_PARTITIONS_PER_TOPIC"), createMsg ?? "");
    const [growCode, growMsg] = await rawAdmin(port, GROW_FZCP);
    assertEquals(growCode, ErrorCode.INVALID_PARTITIONS, growMsg ?? "");
    assertEquals((await other.request<ApiVersionsResponse>(ApiVersions, 3, {})).errorCode, 0);
    assertEquals((await metadataOf(other, "big")).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assertEquals((await metadataOf(other, "fzcp")).partitions.length, 1);

    // One request adding more than the request limit: POLICY_VIOLATION, nothing created.
    const many = await other.request<CreateTopicsResponse>(CreateTopics, 5, {
      topics: ["r1", "r2", "r3"].map((name) => ({
        name,
        numPartitions: 120,
        replicationFactor: 1,
        assignments: [],
        configs: [],
      })),
      timeoutMs: 5000,
      validateOnly: false,
    });
    assertEquals(many.topics.map((t) => t.errorCode), [0, 0, ErrorCode.POLICY_VIOLATION]);
    assert(many.topics[2]!.errorMessage!.includes("KAFSCALE_MAX_PARTITIONS_PER_REQUEST"));

    // A topic at the per-topic limit while a producer on another topic keeps being answered.
    await createTopic(broker.bootstrap, "busy", 1);
    let acks = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        await produceRecords(broker.bootstrap, "busy", 0, 5);
        acks++;
      }
    })();
    try {
      await createTopic(broker.bootstrap, "at-limit", 200);
      const described = await metadataOf(other, "at-limit"); // opens every partition
      assertEquals(described.partitions.length, 200);
      assert(described.partitions.every((p) => p.errorCode === 0));
      const before = acks;
      const deadline = Date.now() + 60_000;
      while (acks < before + 3 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert(acks >= before + 3, "the producer kept getting acknowledgements");
    } finally {
      producing = false;
      await producer;
    }

    // SIGTERM right after a large creation: the broker stops within its deadline, and a
    // restart shows the whole topic or none of it.
    const creating = createTopic(broker.bootstrap, "late", 200).catch(() => {});
    const code = await broker.stop("SIGTERM");
    await creating;
    assert(code === 0 || code === 1, `exit code ${code}`);
    broker = await startBroker({ port, dataDir, env });
    const c = await KafkaConnection.connect(broker.bootstrap);
    try {
      const late = await metadataOf(c, "late");
      assert(
        (late.errorCode === 0 && late.partitions.length === 200) ||
          late.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        JSON.stringify({ code: late.errorCode, partitions: late.partitions.length }),
      );
    } finally {
      await c.close();
    }
  } finally {
    await other.close().catch(() => {});
    await broker.stop("SIGKILL");
    await removeDir(dataDir);
  }
}

const LIMITS = {
  KAFSCALE_MAX_PARTITIONS_PER_TOPIC: "200",
  KAFSCALE_MAX_PARTITIONS_PER_REQUEST: "300",
};

Deno.test("admin limits: embedded default", () => limitsCase(LIMITS));

Deno.test({
  name: "admin limits: etcd+s3",
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  fn: () => withServices((etcd, s3) => limitsCase({ ...backendEnv(etcd, s3), ...LIMITS })),
});
