/**
 * Metadata (key 3), versions 0-12 (kafka-python 2.0.2 up to v5... v7, librdkafka up to v12,
 * Java 3.7/4.x up to v12, franz-go up to v12).
 * - v0: an empty topic list means all topics; v1+: null means all, empty means none.
 *   v1: controller id, rack, internal flag. v2: cluster id. v3: throttle time.
 *   v4: allowAutoTopicCreation (auto-creation also needs KAFSCALE_AUTO_CREATE_TOPICS).
 *   v5: offline replicas. v7: leader epoch. v8-10: cluster authorized operations. v8+: topic
 *   authorized operations (_authorized_operations.ts). v9: flexible. v10: topic ids (random
 *   UUIDs; a re-created topic gets a new one). v12: topic name nullable in responses.
 * - Brokers are the live members of the cluster (one, on the embedded default); the leader
 *   of a partition is its owner by placement (src/cluster/membership.ts), the controller the
 *   live broker with the lowest id (admin clients send CreateTopics/DeleteTopics/
 *   CreatePartitions to it and hang without one; any broker serves them). The leader epoch
 *   is the one the owner's writer holds: opened here for our partitions, read from the
 *   metadata store for the others.
 * - Listeners: brokers are listed with the addresses of the listener the client connected to;
 *   a broker without that listener is left out, and a partition it leads answers
 *   LISTENER_NOT_FOUND (leader -1), as Kafka does.
 * - Authorization (as Kafka): a request for every topic lists only those the principal may
 *   DESCRIBE; a topic asked for by name without DESCRIBE is TOPIC_AUTHORIZATION_FAILED (its
 *   existence is not revealed), by id the same with a null name. Auto-creating needs CREATE on
 *   the cluster or the topic (else TOPIC_AUTHORIZATION_FAILED). Cluster authorized operations
 *   need DESCRIBE on the cluster (else 0).
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
import { NOT_REQUESTED } from "./_authorized_operations.ts";
import { CLUSTER_NAME } from "../auth/acl.ts";
import { authFor, type RequestAuth } from "./_authorize.ts";
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

  async function describeTopic(
    t: TopicConfig,
    o: { ops: number; listener: string },
  ): Promise<TopicOut> {
    const listener = o.listener;
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
      topicAuthorizedOperations: o.ops,
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
    ctx: { apiVersion: number; listener: string; auth: RequestAuth },
  ): Promise<TopicOut[]> {
    const { apiVersion: version, auth } = ctx;
    const describe = (t: TopicConfig) =>
      describeTopic(t, {
        ops: req.includeTopicAuthorizedOperations
          ? auth.operations("TOPIC", t.name)
          : NOT_REQUESTED,
        listener: ctx.listener,
      });
    const all = req.topics === null || (version === 0 && req.topics.length === 0);
    if (all) {
      const visible = auth.filter(
        "DESCRIBE",
        "TOPIC",
        services.topics.list().map((t) => t.name),
        true,
      );
      return await Promise.all(
        services.topics.list().filter((t) => visible.has(t.name)).map(describe),
      );
    }
    const out: TopicOut[] = [];
    const autoCreate = version < 4 || req.allowAutoTopicCreation;
    const denied = (name: string | null, id: Uint8Array) =>
      missing(name, id, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    for (const wanted of req.topics ?? []) {
      const idHex = wanted.topicId ? topicIdHex(wanted.topicId) : "";
      if (!wanted.name && idHex !== "0".repeat(32)) {
        const t = services.topics.getById(idHex);
        if (t && !auth.allowed("DESCRIBE", "TOPIC", t.name)) out.push(denied(null, wanted.topicId));
        else {
          out.push(
            t ? await describe(t) : missing(null, wanted.topicId, ErrorCode.UNKNOWN_TOPIC_ID),
          );
        }
        continue;
      }
      const name = wanted.name ?? "";
      if (!auth.allowed("DESCRIBE", "TOPIC", name)) {
        out.push(denied(name, new Uint8Array(16)));
        continue;
      }
      if (invalidTopicName(name)) {
        out.push(missing(name, new Uint8Array(16), ErrorCode.INVALID_TOPIC_EXCEPTION));
        continue;
      }
      let t = services.topics.get(name);
      if (!t && autoCreate && services.config.autoCreateTopics) {
        if (!auth.mayCreateTopic(name)) {
          out.push(denied(name, new Uint8Array(16)));
          continue;
        }
        t = await services.topicForWrite(name);
      }
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
    authorization: {
      checks: [
        {
          operation: "DESCRIBE",
          resource: "TOPIC",
          names: "topics[].name or the topic of topics[].topicId (null topics: every topic)",
          denied: "TOPIC_AUTHORIZATION_FAILED",
          when: "topics named (a request for every topic leaves the others out)",
        },
        {
          operation: "CREATE",
          resource: "CLUSTER",
          names: "kafka-cluster",
          or: { operation: "CREATE", resource: "TOPIC", names: "topics[].name" },
          when: "a named topic does not exist and is to be auto-created",
          denied: "TOPIC_AUTHORIZATION_FAILED",
        },
        {
          operation: "DESCRIBE",
          resource: "CLUSTER",
          names: "kafka-cluster",
          when: "includeClusterAuthorizedOperations",
          denied: "no authorized operations",
        },
      ],
    },
    async handle(req: MetadataRequest, ctx): Promise<MetadataResponse> {
      const cluster = services.cluster;
      const auth = authFor(services, ctx);
      return {
        throttleTimeMs: 0,
        brokers: cluster.live().flatMap((b) => {
          const at = endpointOf(b, ctx.listener);
          return at ? [{ nodeId: b.nodeId, host: at.host, port: at.port, rack: b.rack }] : [];
        }),
        clusterId: services.broker.clusterId,
        controllerId: cluster.controller().nodeId,
        topics: await lookup(req, { ...ctx, auth }),
        clusterAuthorizedOperations: !req.includeClusterAuthorizedOperations
          ? NOT_REQUESTED
          : auth.cluster("DESCRIBE")
          ? auth.operations("CLUSTER", CLUSTER_NAME)
          : 0,
      };
    },
  };
}
