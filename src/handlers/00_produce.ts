/**
 * Produce (key 0), versions 0-11 (the full range of Kafka 3.9; kafka-python 2.0.2 sends up
 * to v7, librdkafka probes 0, 2, 3 and 7 and sends up to v9/v10, Java 3.7/4.x up to v10/v11,
 * franz-go up to v11).
 * - v1: throttle time. v2: log append time. v3: transactional id. v5: log start offset. v8: record errors, error
 *   message. v9: flexible. v10/v11: current leader/node endpoints (tagged, left empty: this
 *   broker leads every partition it serves).
 * - Record batches stay opaque: each is checked (magic 2, length, CRC32C, offsets; from v3
 *   exactly one batch per partition; zstd only from v7) and only its base offset and leader
 *   epoch are rewritten (and, on LogAppendTime topics, the header's timestamp fields, below;
 *   records are never decoded). Legacy magic 0/1 message sets are refused with
 *   UNSUPPORTED_FOR_MESSAGE_FORMAT, as Kafka 4.0 refuses them, never misparsed.
 * - Topic configs (src/log/append_rules.ts): a batch over the topic's max.message.bytes is
 *   MESSAGE_TOO_LARGE; on compacted topics a record without a key is INVALID_RECORD; on CreateTime topics a batch timestamped beyond
 *   message.timestamp.after.max.ms in the future or before.max.ms in the past is
 *   INVALID_TIMESTAMP; on LogAppendTime topics the batch's max timestamp and timestamp-type bit
 *   are set to the append time (CRC recomputed) and logAppendTimeMs (v2+) answers it.
 * - acks=0: no response. acks=1 and acks=-1 (all): answered after the flush holding the batch
 *   committed (bytes in the object store, log end in the metadata store); timeoutMs bounds the
 *   wait with REQUEST_TIMED_OUT.
 * - Idempotent producers: a retried batch gets its first offset back and is not stored twice;
 *   a sequence gap gets NOT_LEADER_OR_FOLLOWER (retried after the batches before it; see
 *   src/log/producer_state.ts), a sequence going back OUT_OF_ORDER_SEQUENCE_NUMBER, an old
 *   epoch INVALID_PRODUCER_EPOCH.
 * - Transactional producers: a producer's first transactional batch on a partition opens its
 *   transaction there (holding the last stable offset back until the marker) only once the
 *   stored transaction says the partition was added with this producer id and epoch
 *   (src/txn/verify.ts: else INVALID_TXN_STATE, INVALID_PRODUCER_EPOCH or
 *   INVALID_PRODUCER_ID_MAPPING), so no batch can open a transaction nothing will end.
 *   Transactional batches need the request's transactional id.
 * - Authorization (as Kafka): WRITE on the transactional id when the request has transactional
 *   batches (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every partition); WRITE on each
 *   topic, checked before the topic is looked up
 *   (TOPIC_AUTHORIZATION_FAILED per partition, whether it exists or not). Auto-creating an
 *   unknown topic (KAFSCALE_AUTO_CREATE_TOPICS; Kafka creates topics only from Metadata) also
 *   needs CREATE on the cluster or the topic, else UNKNOWN_TOPIC_OR_PARTITION.
 * @module
 */
import { isStorageError } from "../log/storage_errors.ts";
import {
  Produce,
  type ProduceRequest,
  type ProduceResponse,
} from "../protocol/messages/00_produce.ts";
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import {
  checkProduceBatches,
  CorruptRecordError,
  splitBatches,
  UnsupportedMagicError,
  validateForAppend,
} from "../protocol/records/mod.ts";
import type { IncomingBatch } from "../log/partition_log.ts";
import {
  type AppendRules,
  applyTimestampType,
  checkBatchSize,
  checkKeys,
  checkTimestamps,
} from "../log/append_rules.ts";
import { appendRulesOf } from "../cluster/topic_create_config.ts";
import { type Handler, Later, NO_RESPONSE } from "./registry.ts";
import { authFor, type RequestAuth } from "./_authorize.ts";
import type { BrokerServices } from "./services.ts";
import type { BrokerMetrics } from "../metrics/metrics.ts";
import { RecordBatchView } from "../protocol/records/record_batch.ts";
import { verifyTxnPartition } from "../txn/verify.ts";

type PartitionResponse = ProduceResponse["responses"][number]["partitionResponses"][number];

interface Outcome {
  topic: string;
  response: PartitionResponse;
  durable?: Promise<void>;
}

function failed(index: number, code: number, message: string | null = null): PartitionResponse {
  return {
    index,
    errorCode: code,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: [],
    errorMessage: message,
  };
}

function toIncoming(
  records: Uint8Array,
  rules: AppendRules,
  at: { apiVersion: number; now: number; transactionalId: string | null; where: string },
): IncomingBatch[] {
  const views = splitBatches(records);
  checkProduceBatches(views, at.apiVersion);
  if (views.length === 0) throw new KafkaError("CORRUPT_MESSAGE", "no record batch in request");
  return views.map((v) => {
    checkBatchSize(v, rules);
    validateForAppend(v);
    if (v.isTransactional && (!at.transactionalId || v.producerId < 0)) {
      throw new KafkaError(
        "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
        "a transactional batch needs the request's transactional id and a producer id",
      );
    }
    checkTimestamps(v, rules, at.now);
    checkKeys(v, rules, at.where);
    return {
      bytes: v.bytes,
      lastOffsetDelta: v.lastOffsetDelta,
      maxTimestamp: applyTimestampType(v, rules, at.now),
      producerId: v.producerId,
      producerEpoch: v.producerEpoch,
      baseSequence: v.baseSequence,
      transactional: v.isTransactional,
    };
  });
}

/** Whether any partition's records start with a transactional batch (header read only). */
function hasTransactional(req: ProduceRequest): boolean {
  return req.topicData.some((t) =>
    t.partitionData.some((p) => {
      try {
        return p.records !== null && new RecordBatchView(p.records).isTransactional;
      } catch {
        return false; // refused as corrupt later
      }
    })
  );
}

function codeOf(e: unknown): [number, string] {
  if (e instanceof KafkaError) return [e.code, e.message];
  if (e instanceof UnsupportedMagicError) {
    return [ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, e.message];
  }
  if (e instanceof CorruptRecordError) return [ErrorCode.CORRUPT_MESSAGE, e.message];
  // Storage trouble is retriable for every client (UNKNOWN_SERVER_ERROR is not, in Java).
  if (isStorageError(e)) return [ErrorCode.KAFKA_STORAGE_ERROR, String(e)];
  return [ErrorCode.UNKNOWN_SERVER_ERROR, String(e)];
}

/** Builds the Produce handler. */
export function produceHandler(services: BrokerServices, metrics: BrokerMetrics): Handler {
  async function appendOne(
    topicName: string,
    index: number,
    records: Uint8Array | null,
    o: { apiVersion: number; auth: RequestAuth; transactionalId: string | null },
  ): Promise<Outcome> {
    const apiVersion = o.apiVersion;
    const topic = services.topics.get(topicName) ??
      (o.auth.mayCreateTopic(topicName) ? await services.topicForWrite(topicName) : undefined);
    if (!topic || index < 0 || index >= topic.partitions) {
      return { topic: topicName, response: failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) };
    }
    try {
      if (!records) throw new KafkaError("CORRUPT_MESSAGE", "records are null");
      const rules = appendRulesOf(topic, services.config);
      const now = Date.now();
      const batches = toIncoming(records, rules, {
        apiVersion,
        now,
        transactionalId: o.transactionalId,
        where: `${topicName}-${index}`,
      });
      const log = await services.logs.get(topic.name, topic.topic_id, index);
      const first = batches[0]!;
      if (first.transactional && !log.inTransaction(first.producerId)) {
        const refused = await verifyTxnPartition(services.meta, {
          tid: o.transactionalId!,
          producerId: first.producerId,
          producerEpoch: first.producerEpoch,
          topic: topic.name,
          partition: index,
        });
        if (refused) throw new KafkaError(refused.error, refused.why);
      }
      const res = log.append(batches);
      services.logs.afterAppend(log);
      metrics.recordsProduced(batches.reduce((n, b) => n + b.lastOffsetDelta + 1, 0));
      return {
        topic: topicName,
        response: {
          ...failed(index, 0),
          baseOffset: res.baseOffset,
          logAppendTimeMs: rules.timestampType === "LogAppendTime" ? now : -1,
          logStartOffset: log.logStartOffset,
        },
        durable: res.durable,
      };
    } catch (e) {
      const [code, message] = codeOf(e);
      if (
        code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER ||
        code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.INVALID_TXN_STATE ||
        message.includes("sequence gap")
      ) {
        // A client answers these by bumping its epoch and resending: worth a trace.
        services.log.warn("Produce refused: producer sequence", {
          topic: topicName,
          partition: index,
          error: message,
        });
      }
      return { topic: topicName, response: failed(index, code, message) };
    }
  }

  async function settle(outcomes: Outcome[], timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((r) =>
      timer = setTimeout(() => r("timeout"), Math.max(timeoutMs, 1))
    );
    await Promise.all(outcomes.map(async (o) => {
      if (!o.durable) return;
      const result = await Promise.race([o.durable.then(() => "ok" as const), timeout]).catch((e) =>
        e
      );
      if (result === "ok") return;
      const [code, message] = result === "timeout"
        ? [ErrorCode.REQUEST_TIMED_OUT, "the flush did not finish within timeoutMs"]
        : codeOf(result);
      o.response = failed(o.response.index, code, message);
    }));
    clearTimeout(timer);
  }

  return {
    schema: Produce,
    minVersion: 0,
    maxVersion: 11,
    authorization: {
      checks: [
        {
          operation: "WRITE",
          resource: "TRANSACTIONAL_ID",
          names: "transactionalId",
          when: "the request has transactional batches",
          denied: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
        },
        {
          operation: "WRITE",
          resource: "TOPIC",
          names: "topicData[].name",
          denied: "TOPIC_AUTHORIZATION_FAILED",
        },
        {
          operation: "CREATE",
          resource: "CLUSTER",
          names: "kafka-cluster",
          or: { operation: "CREATE", resource: "TOPIC", names: "topicData[].name" },
          when: "the topic does not exist and KAFSCALE_AUTO_CREATE_TOPICS is on",
          denied: "UNKNOWN_TOPIC_OR_PARTITION",
        },
      ],
    },
    async handle(req: ProduceRequest, ctx) {
      const started = performance.now();
      const auth = authFor(services, ctx);
      const tid = req.transactionalId || null;
      if (hasTransactional(req) && (!tid || !auth.allowed("WRITE", "TRANSACTIONAL_ID", tid))) {
        // As Kafka: the whole request is refused, nothing stored.
        return respond(req.topicData.flatMap((t) =>
          t.partitionData.map((p) => ({
            topic: t.name,
            response: failed(p.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
          }))
        ));
      }
      const writable = auth.filter("WRITE", "TOPIC", req.topicData.map((t) => t.name));
      const outcomes: Outcome[] = [];
      for (const t of req.topicData) {
        for (const p of t.partitionData) {
          outcomes.push(
            writable.has(t.name)
              ? await appendOne(t.name, p.index, p.records, {
                apiVersion: ctx.apiVersion,
                auth,
                transactionalId: tid,
              })
              : {
                topic: t.name,
                response: failed(p.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED),
              },
          );
        }
      }
      if (req.acks === 0) {
        for (const o of outcomes) o.durable?.catch(() => {});
        return NO_RESPONSE;
      }
      return new Later(
        settle(outcomes, req.timeoutMs).then(() => {
          metrics.produceLatency.observe(performance.now() - started);
          return respond(outcomes);
        }),
      );
    },
  };
}

function respond(outcomes: Outcome[]): ProduceResponse {
  const byTopic = new Map<string, PartitionResponse[]>();
  for (const o of outcomes) {
    const list = byTopic.get(o.topic) ?? [];
    list.push(o.response);
    byTopic.set(o.topic, list);
  }
  return {
    responses: [...byTopic].map(([name, partitionResponses]) => ({ name, partitionResponses })),
    throttleTimeMs: 0,
  };
}
