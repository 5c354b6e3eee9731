/**
 * DeleteTopics (key 20), versions 0-6 (kafka-python 2.0.2 up to v3, librdkafka up to v4,
 * Java 3.7/4.x up to v6, franz-go up to v6).
 * - v1: throttle time. v4: flexible. v5: error messages. v6: topics by name or by id.
 * - Deleting removes the topic's metadata at once (so it can be re-created with a new id)
 *   and then its segment objects: DeleteTopics deletes the data. Objects shared with other
 *   topics' segments are left to the garbage collector, which deletes them once unreferenced.
 * - Errors: UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID.
 * - Authorization (as Kafka): DELETE on each topic, else TOPIC_AUTHORIZATION_FAILED (whether it
 *   exists or not); a topic named by id also needs DESCRIBE, else TOPIC_AUTHORIZATION_FAILED
 *   with a null name (an unknown id is UNKNOWN_TOPIC_ID).
 * @module
 */
import {
  DeleteTopics,
  type DeleteTopicsRequest,
  type DeleteTopicsResponse,
} from "../protocol/messages/20_delete_topics.ts";
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import { topicIdBytes, topicIdHex } from "../cluster/topics.ts";
import type { Handler } from "./registry.ts";
import { authFor, type RequestAuth } from "./_authorize.ts";
import { decodeRecord, keys, type SegmentRef, SegmentRefSchema } from "../metadata/records.ts";
import type { BrokerServices } from "./services.ts";

type Result = DeleteTopicsResponse["responses"][number];

/** Builds the DeleteTopics handler. */
export function deleteTopicsHandler(services: BrokerServices): Handler {
  async function deleteData(topicId: string, refs: SegmentRef[]): Promise<void> {
    const objects = services.logs.objectStore;
    for (const ref of refs) if (ref.object_chunks === 1) await objects.delete(ref.key);
    // Objects written before segments were packed lived under the topic's id.
    const prefix = `${services.config.s3Namespace}/${topicId}/`;
    for (const o of await objects.list(prefix)) await objects.delete(o.key);
  }

  async function segmentRefs(topic: string): Promise<SegmentRef[]> {
    const entries = await services.meta.getPrefix(keys.segmentsPrefix(topic));
    return entries.map((e) => decodeRecord(SegmentRefSchema, e.key, e.value));
  }

  async function deleteOne(
    name: string | null,
    id: Uint8Array,
    auth: RequestAuth,
  ): Promise<Result> {
    const byId = name === null || name === "";
    const topic = byId ? services.topics.getById(topicIdHex(id)) : services.topics.get(name!);
    const denied = (n: string | null): Result => ({
      name: n,
      topicId: id,
      errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      errorMessage: "Topic authorization failed.",
    });
    if (byId && topic && !auth.allowed("DESCRIBE", "TOPIC", topic.name)) return denied(null);
    if ((topic || !byId) && !auth.allowed("DELETE", "TOPIC", topic?.name ?? name!)) {
      return denied(topic?.name ?? name);
    }
    if (!topic) {
      return {
        name: byId ? null : name,
        topicId: id,
        errorCode: byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: byId ? "Topic id is unknown" : `Topic '${name}' does not exist`,
      };
    }
    try {
      const refs = await segmentRefs(topic.name);
      await services.topics.delete(topic.name);
      await services.logs.drop(topic.name);
      deleteData(topic.topic_id, refs).catch(() => {}); // the garbage collector takes leftovers
      return {
        name: topic.name,
        topicId: topicIdBytes(topic.topic_id),
        errorCode: 0,
        errorMessage: null,
      };
    } catch (e) {
      const code = e instanceof KafkaError ? e.code : ErrorCode.KAFKA_STORAGE_ERROR;
      return { name: topic.name, topicId: id, errorCode: code, errorMessage: String(e) };
    }
  }

  return {
    schema: DeleteTopics,
    minVersion: 0,
    maxVersion: 6,
    authorization: {
      checks: [
        {
          operation: "DELETE",
          resource: "TOPIC",
          names: "topicNames[] (v6+: topics[].name, or the topic of topics[].topicId)",
          denied: "TOPIC_AUTHORIZATION_FAILED",
        },
        {
          operation: "DESCRIBE",
          resource: "TOPIC",
          names: "the topic of topics[].topicId",
          when: "v6+ topics named by id",
          denied: "TOPIC_AUTHORIZATION_FAILED",
        },
      ],
    },
    async handle(req: DeleteTopicsRequest, ctx): Promise<DeleteTopicsResponse> {
      const auth = authFor(services, ctx);
      const wanted = ctx.apiVersion >= 6
        ? req.topics.map((t) => ({ name: t.name, id: t.topicId }))
        : req.topicNames.map((name) => ({ name, id: new Uint8Array(16) }));
      const responses: Result[] = [];
      for (const w of wanted) responses.push(await deleteOne(w.name, w.id, auth));
      return { throttleTimeMs: 0, responses };
    },
  };
}
