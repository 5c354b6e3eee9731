/**
 * Test set-up over our own Kafka client: create topics and commit group offsets without a
 * consumer (a "simple" commit with generation -1, as admin tools do).
 * @module
 */
import { KafkaConnection } from "../src/client/connection.ts";
import {
  CreateTopics,
  type CreateTopicsResponse,
} from "../src/protocol/messages/19_create_topics.ts";
import {
  OffsetCommit,
  type OffsetCommitResponse,
} from "../src/protocol/messages/08_offset_commit.ts";
import { Produce } from "../src/protocol/messages/00_produce.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { run } from "./_harness.ts";

/** Produces values v<from>..v<from+n-1> with kcat (acks=all, random partitions). */
export async function produceValues(
  bootstrap: string,
  topic: string,
  from: number,
  n: number,
): Promise<void> {
  const lines = Array.from({ length: n }, (_, i) => `v${from + i}`).join("\n") + "\n";
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
  ], {
    stdin: lines,
  });
  if (r.code !== 0) throw new Error(`kcat produce failed: ${r.stderr}`);
}

/** Creates a topic; throws on any error but TOPIC_ALREADY_EXISTS. */
export async function createTopic(
  bootstrap: string,
  name: string,
  partitions: number,
): Promise<void> {
  const c = await KafkaConnection.connect(bootstrap);
  try {
    const r = await c.request<CreateTopicsResponse>(CreateTopics, 5, {
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
): Promise<void> {
  const c = await KafkaConnection.connect(bootstrap);
  try {
    const records = buildRecordBatch(
      Array.from({ length: n }, (_, i) => ({ value: new TextEncoder().encode(`r${i}`) })),
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
): Promise<void> {
  const c = await KafkaConnection.connect(bootstrap);
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

/** A sessionless Fetch request body for one partition. */
export function fetchBody(
  topic: string,
  offset: number,
  o: { maxWaitMs?: number; maxBytes?: number } = {},
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
        partition: 0,
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
