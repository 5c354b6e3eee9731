/**
 * Test set-up over our own Kafka client: create topics, commit group offsets without a
 * consumer (a "simple" commit with generation -1, as admin tools do), read a whole partition;
 * and the broker's environment on real etcd + s3rver.
 * @module
 */
import { type ConnectOptions, KafkaConnection } from "../src/client/connection.ts";
import {
  CreateTopics,
  type CreateTopicsResponse,
} from "../src/protocol/messages/19_create_topics.ts";
import {
  OffsetCommit,
  type OffsetCommitResponse,
} from "../src/protocol/messages/08_offset_commit.ts";
import { Produce } from "../src/protocol/messages/00_produce.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import { ListOffsets, type ListOffsetsResponse } from "../src/protocol/messages/02_list_offsets.ts";
import {
  type BatchOptions,
  buildRecordBatch,
  type DecodedRecord,
  decodeRecords,
} from "../src/protocol/records/builder.ts";
import { splitBatches } from "../src/protocol/records/record_batch.ts";
import { type Service, startEtcd, startS3 } from "../src/testing/services.ts";
export { backendEnv } from "../src/testing/services.ts";
import { run } from "./_harness.ts";

/**
 * Produces values <prefix><from>..<prefix><from+n-1> (prefix "v") with kcat: acks=all,
 * random partitions, idempotent when asked, with any further kcat arguments.
 */
export async function produceValues(
  bootstrap: string,
  topic: string,
  from: number,
  n: number,
  o: { prefix?: string; idempotent?: boolean; kcatArgs?: string[] } = {},
): Promise<void> {
  const prefix = o.prefix ?? "v";
  const lines = Array.from({ length: n }, (_, i) => `${prefix}${from + i}`).join("\n") + "\n";
  const r = await run("kcat", [
    "-b",
    bootstrap,
    "-t",
    topic,
    "-P",
    "-X",
    "partitioner=murmur2_random",
    "-X",
    "acks=all",
    ...(o.idempotent ? ["-X", "enable.idempotence=true"] : []),
    ...(o.kcatArgs ?? []),
  ], {
    stdin: lines,
  });
  if (r.code !== 0) throw new Error(`kcat produce failed: ${r.stderr}`);
}

/** Reads a topic to its end as a kcat balanced consumer in `group`; the values, in order read. */
export async function kcatGroupRead(
  bootstrap: string,
  group: string,
  topic: string,
): Promise<string[]> {
  const r = await run("kcat", [
    "-b",
    bootstrap,
    "-G",
    group,
    topic,
    "-q",
    "-e",
    "-X",
    "auto.offset.reset=earliest",
    "-X",
    "auto.commit.interval.ms=100",
  ], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kcat group consumer failed: ${r.stderr}`);
  return r.stdout.split("\n").filter(Boolean);
}

/** Creates a topic; throws on any error but TOPIC_ALREADY_EXISTS. */
export async function createTopic(
  bootstrap: string,
  name: string,
  partitions: number,
  /** How to connect (TLS, SASL), for a secure listener. */
  connect: ConnectOptions = {},
  /** Topic configs (`cleanup.policy`, say). */
  configs: Record<string, string> = {},
): Promise<void> {
  const c = await KafkaConnection.connect(bootstrap, "kafscale-test", connect);
  try {
    const r = await c.request<CreateTopicsResponse>(CreateTopics, 5, {
      topics: [{
        name,
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
      }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const code = r.topics[0]!.errorCode;
    if (code !== 0 && code !== 36) throw new Error(`Cannot create ${name}: error ${code}`);
  } finally {
    await c.close();
  }
}

/** Produces `n` small records to partition `p` (acks=all). */
export async function produceRecords(
  bootstrap: string,
  topic: string,
  p: number,
  n: number,
  /** How to connect (TLS, SASL), for a secure listener. */
  connect: ConnectOptions = {},
  /** Header fields of the batch (its codec, say). */
  batch: BatchOptions = {},
): Promise<void> {
  const c = await KafkaConnection.connect(bootstrap, "kafscale-test", connect);
  try {
    const records = buildRecordBatch(
      Array.from({ length: n }, (_, i) => ({ value: new TextEncoder().encode(`r${i}`) })),
      batch,
    );
    await c.request(Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: p, records }] }],
    });
  } finally {
    await c.close();
  }
}

/** Commits offsets for a group without joining it. */
export async function commitOffsets(
  bootstrap: string,
  group: string,
  topic: string,
  offsets: number[],
  /** How to connect (TLS, SASL), for a secure listener. */
  connect: ConnectOptions = {},
): Promise<void> {
  const c = await KafkaConnection.connect(bootstrap, "kafscale-test", connect);
  try {
    const r = await c.request<OffsetCommitResponse>(OffsetCommit, 8, {
      groupId: group,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      topics: [{
        name: topic,
        partitions: offsets.map((o, i) => ({
          partitionIndex: i,
          committedOffset: o,
          committedLeaderEpoch: -1,
          committedMetadata: "",
        })),
      }],
    });
    const bad = r.topics[0]!.partitions.find((p) => p.errorCode !== 0);
    if (bad) throw new Error(`Cannot commit for ${group}: error ${bad.errorCode}`);
  } finally {
    await c.close();
  }
}

/** A ListOffsets request body for one partition (v1+ fields; the codec drops what a version lacks). */
export function listOffsetsBody(topic: string, timestamp: number, partition = 0) {
  return {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{
      name: topic,
      partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp }],
    }],
  };
}

/** A sessionless Fetch request body for one partition (partition 0 unless told). */
export function fetchBody(
  topic: string,
  offset: number,
  o: { maxWaitMs?: number; maxBytes?: number; partition?: number } = {},
) {
  const maxBytes = o.maxBytes ?? 1 << 20;
  return {
    replicaId: -1,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: 1,
    maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{
      topic,
      partitions: [{
        partition: o.partition ?? 0,
        currentLeaderEpoch: -1,
        fetchOffset: offset,
        logStartOffset: -1,
        partitionMaxBytes: maxBytes,
      }],
    }],
    forgottenTopicsData: [],
    rackId: "",
  };
}

/** What `readPartition` found. */
export interface PartitionContents {
  /** The latest offset from ListOffsets. */
  highWatermark: number;
  /** Every record from offset 0 up to the high watermark, in the order the broker sent them. */
  records: DecodedRecord[];
}

/**
 * Reads a partition from offset 0 to its high watermark (ListOffsets latest), fetch after
 * fetch. Only the records a fetch returns below its fetch offset at the start of its answer
 * are dropped (Kafka may send the whole batch holding the fetch offset); anything else out of
 * order is kept, so a caller's density check sees it.
 */
export async function readPartition(
  c: KafkaConnection,
  topic: string,
  partition = 0,
): Promise<PartitionContents> {
  const lo = await c.request<ListOffsetsResponse>(
    ListOffsets,
    7,
    listOffsetsBody(topic, -1, partition),
  );
  const latest = lo.topics[0]!.partitions[0]!;
  if (latest.errorCode !== 0) {
    throw new Error(`Cannot list offsets of ${topic}/${partition}: error ${latest.errorCode}`);
  }
  const highWatermark = latest.offset!;
  const records: DecodedRecord[] = [];
  let next = 0;
  while (next < highWatermark) {
    const f = await c.request<FetchResponse>(
      Fetch,
      11,
      fetchBody(topic, next, { partition, maxBytes: 1 << 22 }),
    );
    const part = f.responses[0]!.partitions[0]!;
    if (part.errorCode !== 0) {
      throw new Error(`Cannot fetch ${topic}/${partition} at ${next}: error ${part.errorCode}`);
    }
    const all = splitBatches(part.records ?? new Uint8Array()).flatMap((b) => decodeRecords(b));
    const start = all.findIndex((r) => r.offset >= next);
    if (start < 0) {
      throw new Error(
        `Cannot read ${topic}/${partition}: no record at ${next}, below the high watermark ${highWatermark}`,
      );
    }
    const got = all.slice(start);
    records.push(...got);
    next = got.at(-1)!.offset + 1;
  }
  return { highWatermark, records };
}

/** Starts etcd and s3rver, runs `fn` with them, then destroys both. */
export async function withServices(
  fn: (etcd: Service, s3: Service) => Promise<void>,
): Promise<void> {
  const etcd = await startEtcd();
  try {
    const s3 = await startS3();
    try {
      await fn(etcd, s3);
    } finally {
      await s3.destroy();
    }
  } finally {
    await etcd.destroy();
  }
}
