/**
 * Fetch (key 1), versions 0-17. Seen in our tests: kafka-python 2.0.2 v4, kafkajs v11,
 * librdkafka 2.6 (confluent-kafka) v16, franz-go v16, Java 3.7 v16, Java 4.0 v17; older
 * librdkafka probes v2, v4 and v10.
 * - v1: throttle time. v3: response max bytes. v4: isolation level, last stable offset and
 *   aborted transactions: read_committed (isolation 1) reads stop at the partition's last
 *   stable offset (the oldest open transaction) and list the aborted transactions among the
 *   records returned (src/log/txn_index.ts); read_uncommitted reads up to the high watermark and
 *   gets null. Both get the last stable offset. v5: log start offset. v7: fetch
 *   sessions: we never create one (session id 0), so clients send full fetches; a request
 *   naming a session id gets FETCH_SESSION_ID_NOT_FOUND. v9: current leader epoch, checked
 *   (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH). v11: rack id (accepted, ignored; preferred
 *   read replica is -1). v12: flexible; last fetched epoch (accepted; divergence is not
 *   reported since one writer per partition never truncates). v13: topic ids instead of names
 *   (UNKNOWN_TOPIC_ID when unknown). v15-v17: replica state and directory id (broker-to-broker
 *   fields, ignored).
 * - Long poll: waits up to maxWaitMs until minBytes are available, woken by flush commits.
 * - Limits: partitionMaxBytes per partition and maxBytes per response, except that the first
 *   batch found is returned whole even when larger (KIP-74), so consumers always progress.
 * - Authorization (as Kafka, for consumers): READ on each topic; TOPIC_AUTHORIZATION_FAILED per
 *   partition, before the topic is looked up by name (an unknown topic id is still
 *   UNKNOWN_TOPIC_ID). Follower fetches (CLUSTER_ACTION) do not exist here: no replicas.
 * @module
 */
import { Fetch, type FetchRequest, type FetchResponse } from "../protocol/messages/01_fetch.ts";
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import { topicIdBytes, topicIdHex } from "../cluster/topics.ts";
import type { TopicConfig } from "../metadata/records.ts";
import type { PartitionLog } from "../log/partition_log.ts";
import { type Handler, Later } from "./registry.ts";
import { authFor, type RequestAuth } from "./_authorize.ts";
import type { BrokerServices } from "./services.ts";

type TopicOut = FetchResponse["responses"][number];
type PartitionOut = TopicOut["partitions"][number];

interface Slot {
  topic: TopicConfig | undefined;
  name: string;
  topicId: Uint8Array;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  currentLeaderEpoch: number;
  log?: PartitionLog;
  out: PartitionOut;
}

const EMPTY = new Uint8Array(0);

function emptyPartition(index: number, code: number): PartitionOut {
  return {
    partitionIndex: index,
    errorCode: code,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: null,
    preferredReadReplica: -1,
    // Kafka sends an empty record set, never a null one: librdkafka rejects size -1.
    records: EMPTY,
  };
}

/** Builds the Fetch handler. */
export function fetchHandler(services: BrokerServices): Handler {
  async function resolveSlots(
    req: FetchRequest,
    o: { version: number; auth: RequestAuth },
  ): Promise<Slot[]> {
    const version = o.version;
    const nameOf = (t: FetchRequest["topics"][number]) =>
      version >= 13 ? services.topics.getById(topicIdHex(t.topicId))?.name : t.topic;
    const readable = o.auth.filter(
      "READ",
      "TOPIC",
      req.topics.flatMap((t) => nameOf(t) ?? []),
    );
    const slots: Slot[] = [];
    for (const t of req.topics) {
      const topic = version >= 13
        ? services.topics.getById(topicIdHex(t.topicId))
        : services.topics.get(t.topic);
      const denied = !readable.has(version >= 13 ? topic?.name ?? "" : t.topic) &&
        (version < 13 || topic !== undefined);
      for (const p of t.partitions) {
        const slot: Slot = {
          topic,
          name: topic?.name ?? t.topic,
          topicId: t.topicId,
          partition: p.partition,
          fetchOffset: p.fetchOffset,
          maxBytes: p.partitionMaxBytes,
          currentLeaderEpoch: p.currentLeaderEpoch ?? -1,
          out: emptyPartition(p.partition, 0),
        };
        if (denied) {
          slot.out.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        } else if (!topic) {
          slot.out.errorCode = version >= 13
            ? ErrorCode.UNKNOWN_TOPIC_ID
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        } else if (p.partition < 0 || p.partition >= topic.partitions) {
          slot.out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        } else {
          try {
            slot.log = await services.logs.get(topic.name, topic.topic_id, p.partition);
          } catch (e) {
            slot.out.errorCode = e instanceof KafkaError ? e.code : ErrorCode.KAFKA_STORAGE_ERROR;
          }
        }
        slots.push(slot);
      }
    }
    return slots;
  }

  async function readAll(slots: Slot[], responseMax: number, committed: boolean): Promise<number> {
    let total = 0;
    for (const s of slots) {
      if (!s.log || (s.out.errorCode !== 0 && s.out.errorCode !== ErrorCode.NONE)) continue;
      const log = s.log;
      if (s.currentLeaderEpoch >= 0 && s.currentLeaderEpoch !== log.leaderEpoch) {
        s.out.errorCode = s.currentLeaderEpoch < log.leaderEpoch
          ? ErrorCode.FENCED_LEADER_EPOCH
          : ErrorCode.UNKNOWN_LEADER_EPOCH;
        continue;
      }
      const budget = total === 0
        ? Math.min(s.maxBytes, responseMax)
        : Math.min(s.maxBytes, responseMax - total);
      s.out.highWatermark = log.highWatermark;
      s.out.lastStableOffset = log.lastStableOffset;
      s.out.logStartOffset = log.logStartOffset;
      if (budget <= 0) continue;
      try {
        const r = await log.read(s.fetchOffset, budget, committed);
        // KIP-74: only the first non-empty partition may exceed the limits.
        if (r.records && total > 0 && r.records.byteLength > budget) continue;
        s.out.records = r.records ?? EMPTY;
        s.out.highWatermark = r.highWatermark;
        s.out.lastStableOffset = log.lastStableOffset;
        s.out.logStartOffset = r.logStartOffset;
        s.out.abortedTransactions = r.abortedTransactions ?? null;
        total += r.records?.byteLength ?? 0;
      } catch (e) {
        s.out.errorCode = e instanceof KafkaError ? e.code : ErrorCode.KAFKA_STORAGE_ERROR;
      }
    }
    return total;
  }

  function respond(slots: Slot[], version: number): FetchResponse {
    const topics: TopicOut[] = [];
    let current: TopicOut | undefined;
    let currentKey = "";
    for (const s of slots) {
      const key = version >= 13 ? topicIdHex(s.topicId) : s.name;
      if (!current || key !== currentKey) {
        current = {
          topic: s.name,
          topicId: s.topic ? topicIdBytes(s.topic.topic_id) : s.topicId,
          partitions: [],
        };
        currentKey = key;
        topics.push(current);
      }
      current.partitions.push(s.out);
    }
    return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: topics };
  }

  return {
    schema: Fetch,
    minVersion: 0,
    maxVersion: 17,
    authorization: {
      checks: [{
        operation: "READ",
        resource: "TOPIC",
        names: "topics[].topic (v13+: the topic of topics[].topicId)",
        denied: "TOPIC_AUTHORIZATION_FAILED",
      }],
    },
    async handle(req: FetchRequest, ctx) {
      const version = ctx.apiVersion;
      if (version >= 7 && req.sessionId !== 0) {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
          sessionId: 0,
          responses: [],
        } satisfies FetchResponse;
      }
      const slots = await resolveSlots(req, { version, auth: authFor(services, ctx) });
      const responseMax = version >= 3 ? Math.max(req.maxBytes, 0) : 0x7fffffff;
      const deadline = Date.now() + Math.max(req.maxWaitMs, 0);
      const committed = version >= 4 && req.isolationLevel === 1;
      const run = async (): Promise<FetchResponse> => {
        for (;;) {
          for (const s of slots) s.out.records = EMPTY;
          const total = await readAll(slots, responseMax, committed);
          const anyError = slots.some((s) => s.out.errorCode !== 0);
          const left = deadline - Date.now();
          if (total >= Math.max(req.minBytes, 1) || anyError || left <= 0) {
            return respond(slots, version);
          }
          const abort = new AbortController();
          const logs = slots.flatMap((s) => s.log ? [s.log] : []);
          if (logs.length === 0) return respond(slots, version);
          await Promise.race(logs.map((l) => l.waitForData(left, abort.signal)));
          abort.abort();
        }
      };
      return new Later(run());
    },
  };
}
