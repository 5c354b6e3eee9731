/**
 * Metadata (key 3), versions 0-12 (kafka-python 2.0.2 up to v5... v7, librdkafka up to v12,
 * Java 3.7/4.x up to v12, franz-go up to v12).
 * - v0: an empty topic list means all topics; v1+: null means all, empty means none.
 *   v1: controller id, rack, internal flag. v2: cluster id. v3: throttle time.
 *   v4: allowAutoTopicCreation (auto-creation also needs KAFSCALE_AUTO_CREATE_TOPICS).
 *   v5: offline replicas. v7: leader epoch. v8-10: authorized operations (every operation Kafka
 *   allows on the resource type: no authorizer yet; see _authorized_operations.ts). v9: flexible. v10: topic ids (random UUIDs; a re-created topic gets a new
 *   one). v12: topic name nullable in responses.
 * - Brokers are the live members of the cluster (one, on the embedded default); the leader
 *   of a partition is its owner by placement (src/cluster/membership.ts), the controller the
 *   live broker with the lowest id (admin clients send CreateTopics/DeleteTopics/
 *   CreatePartitions to it and hang without one; any broker serves them). The leader epoch
 *   is the one the owner's writer holds: opened here for our partitions, read from the
 *   metadata store for the others.
 * - Listeners: brokers are listed with the addresses of the listener the client connected to;
 *   a broker without that listener is left out, and a partition it leads answers
 *   LISTENER_NOT_FOUND (leader -1), as Kafka does.
 * @module
 */
import {
  Metadata,
  type MetadataRequest,
  type MetadataResponse,
} from "../protocol/messages/03_metadata.ts";
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import { topicIdBytes, topicIdHex } from "../cluster/topics.ts";
import { invalidTopicName } from "../cluster/topic_names.ts";
import { decodeRecord, keys, PartitionStateSchema, type TopicConfig } from "../metadata/records.ts";
import { endpointOf, partitionKey } from "../cluster/membership.ts";
import {
  ALL_CLUSTER_OPERATIONS,
  ALL_TOPIC_OPERATIONS,
  NOT_REQUESTED,
} from "./_authorized_operations.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";

type TopicOut = MetadataResponse["topics"][number];

/** Partitions of one topic opened at once while answering. */
const OPEN_CHUNK = 64;

/** Builds the Metadata handler. */
export function metadataHandler(services: BrokerServices): Handler {
  /** Leader epochs of a topic's partitions as stored (for partitions other brokers lead). */
  async function storedEpochs(topic: string): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const e of await services.meta.getPrefix(keys.partitionsPrefix(topic))) {
      const s = decodeRecord(PartitionStateSchema, e.key, e.value);
      out.set(s.partition, s.leader_epoch);
    }
    return out;
  }

  /** One partition's entry: the leader epoch its owner's writer holds (opened here if ours). */
  async function describePartition(
    t: TopicConfig,
    p: number,
    o: { stored: () => Promise<Map<number, number>>; listener: string },
  ) {
    const owner = services.cluster.ownerOf(partitionKey(t.name, p));
    const leader = owner.nodeId;
    let epoch = 0;
    let code = endpointOf(owner, o.listener) ? 0 : ErrorCode.LISTENER_NOT_FOUND;
    try {
      if (leader === services.broker.nodeId) {
        epoch = (await services.logs.get(t.name, t.topic_id, p)).leaderEpoch;
      } else {
        epoch = (await o.stored()).get(p) ?? 0;
      }
    } catch (e) {
      code = e instanceof KafkaError ? e.code : ErrorCode.LEADER_NOT_AVAILABLE;
    }
    return {
      errorCode: code,
      partitionIndex: p,
      leaderId: code === 0 ? leader : -1,
      leaderEpoch: epoch,
      replicaNodes: [leader],
      isrNodes: [leader],
      offlineReplicas: [],
    };
  }

  async function describeTopic(t: TopicConfig, ops: number, listener: string): Promise<TopicOut> {
    let stored: Promise<Map<number, number>> | undefined;
    const storedOnce = () => stored ??= storedEpochs(t.name);
    // Partitions are opened a chunk at a time, concurrently: a topic of a thousand partitions
    // costs a few rounds of metadata calls, not a thousand in a row.
    const partitions = [];
    for (let from = 0; from < t.partitions; from += OPEN_CHUNK) {
      const ids = Array.from(
        { length: Math.min(OPEN_CHUNK, t.partitions - from) },
        (_, i) => from + i,
      );
      partitions.push(
        ...await Promise.all(
          ids.map((p) => describePartition(t, p, { stored: storedOnce, listener })),
        ),
      );
    }
    return {
      errorCode: 0,
      name: t.name,
      topicId: topicIdBytes(t.topic_id),
      isInternal: false,
      partitions,
      topicAuthorizedOperations: ops,
    };
  }

  function missing(name: string | null, topicId: Uint8Array, code: number): TopicOut {
    return {
      errorCode: code,
      name,
      topicId,
      isInternal: false,
      partitions: [],
      topicAuthorizedOperations: NOT_REQUESTED,
    };
  }

  async function lookup(
    req: MetadataRequest,
    ctx: { apiVersion: number; listener: string },
    ops: number,
  ): Promise<TopicOut[]> {
    const version = ctx.apiVersion;
    const describe = (t: TopicConfig) => describeTopic(t, ops, ctx.listener);
    const all = req.topics === null || (version === 0 && req.topics.length === 0);
    if (all) return await Promise.all(services.topics.list().map(describe));
    const out: TopicOut[] = [];
    const autoCreate = version < 4 || req.allowAutoTopicCreation;
    for (const wanted of req.topics ?? []) {
      const idHex = wanted.topicId ? topicIdHex(wanted.topicId) : "";
      if (!wanted.name && idHex !== "0".repeat(32)) {
        const t = services.topics.getById(idHex);
        out.push(
          t ? await describe(t) : missing(null, wanted.topicId, ErrorCode.UNKNOWN_TOPIC_ID),
        );
        continue;
      }
      const name = wanted.name ?? "";
      const bad = invalidTopicName(name);
      if (bad) {
        out.push(missing(name, new Uint8Array(16), ErrorCode.INVALID_TOPIC_EXCEPTION));
        continue;
      }
      const t = autoCreate ? await services.topicForWrite(name) : services.topics.get(name);
      out.push(
        t
          ? await describe(t)
          : missing(name, new Uint8Array(16), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION),
      );
    }
    return out;
  }

  return {
    schema: Metadata,
    minVersion: 0,
    maxVersion: 12,
    async handle(req: MetadataRequest, ctx): Promise<MetadataResponse> {
      const cluster = services.cluster;
      const ops = req.includeTopicAuthorizedOperations ? ALL_TOPIC_OPERATIONS : NOT_REQUESTED;
      return {
        throttleTimeMs: 0,
        brokers: cluster.live().flatMap((b) => {
          const at = endpointOf(b, ctx.listener);
          return at ? [{ nodeId: b.nodeId, host: at.host, port: at.port, rack: b.rack }] : [];
        }),
        clusterId: services.broker.clusterId,
        controllerId: cluster.controller().nodeId,
        topics: await lookup(req, ctx, ops),
        clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
          ? ALL_CLUSTER_OPERATIONS
          : NOT_REQUESTED,
      };
    },
  };
}
