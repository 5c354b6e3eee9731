/**
 * ListOffsets (key 2), versions 0-9 (kafka-python 2.0.2 sends v0-v1... up to v3, librdkafka up
 * to v7, Java 3.7/4.x up to v8/v9, franz-go up to v8).
 * - v0: old-style offset list (maxNumOffsets; we answer at most one offset). v1: one offset
 *   and its timestamp. v2: isolation level: latest is the last stable offset for
 *   read_committed (1), the high watermark otherwise. v4: current leader epoch (checked) and
 *   leader epoch in the answer.
 *   v6: flexible. v7: -3 = offset of the max timestamp. v8: -4 = earliest local (same as
 *   earliest: all data is in object storage). v9: -5 = latest tiered (same as latest).
 * - Timestamps: -1 latest (high watermark), -2 earliest (log start), >= 0 the first offset
 *   whose timestamp is at or after it (-1/-1 when none).
 * - Authorization (as Kafka): DESCRIBE on each topic, else TOPIC_AUTHORIZATION_FAILED on its
 *   partitions (whether the topic exists or not).
 * @module
 */
import {
  ListOffsets,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
} from "../protocol/messages/02_list_offsets.ts";
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import { partitionFor } from "./_partition.ts";
import { findMaxTimestamp, findOffsetForTimestamp } from "../log/timestamp_search.ts";
import type { Handler } from "./registry.ts";
import { authFor } from "./_authorize.ts";
import type { BrokerServices } from "./services.ts";

type PartitionOut = ListOffsetsResponse["topics"][number]["partitions"][number];

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;

/** Builds the ListOffsets handler. */
export function listOffsetsHandler(services: BrokerServices): Handler {
  async function one(
    topicName: string,
    p: ListOffsetsRequest["topics"][number]["partitions"][number],
    o: { version: number; committed: boolean },
  ): Promise<PartitionOut> {
    const version = o.version;
    const out: PartitionOut & { offset: number; timestamp: number } = {
      partitionIndex: p.partitionIndex,
      errorCode: 0,
      oldStyleOffsets: [],
      timestamp: -1,
      offset: -1,
      leaderEpoch: -1,
    };
    const found = await partitionFor(
      services,
      topicName,
      p.partitionIndex,
      p.currentLeaderEpoch ?? -1,
    );
    if ("errorCode" in found) return { ...out, errorCode: found.errorCode };
    const log = found.log;
    try {
      out.leaderEpoch = log.leaderEpoch;
      const ts = p.timestamp;
      if (ts === LATEST || ts === LATEST_TIERED) {
        out.offset = o.committed ? log.lastStableOffset : log.highWatermark;
      } else if (ts === EARLIEST || ts === EARLIEST_LOCAL) out.offset = log.logStartOffset;
      else if (ts === MAX_TIMESTAMP) {
        const hit = await findMaxTimestamp(log);
        if (hit) [out.offset, out.timestamp] = [hit.offset, hit.timestamp];
      } else if (ts >= 0) {
        const hit = await findOffsetForTimestamp(log, ts);
        if (hit) [out.offset, out.timestamp] = [hit.offset, hit.timestamp];
      } else return { ...out, errorCode: ErrorCode.INVALID_REQUEST };
      if (version === 0) {
        out.oldStyleOffsets = out.offset >= 0 && (p.maxNumOffsets ?? 1) > 0 ? [out.offset] : [];
      }
      return out;
    } catch (e) {
      return {
        ...out,
        errorCode: e instanceof KafkaError ? e.code : ErrorCode.KAFKA_STORAGE_ERROR,
      };
    }
  }

  return {
    schema: ListOffsets,
    minVersion: 0,
    maxVersion: 9,
    authorization: {
      checks: [{
        operation: "DESCRIBE",
        resource: "TOPIC",
        names: "topics[].name",
        denied: "TOPIC_AUTHORIZATION_FAILED",
      }],
    },
    async handle(req: ListOffsetsRequest, ctx): Promise<ListOffsetsResponse> {
      const described = authFor(services, ctx).filter(
        "DESCRIBE",
        "TOPIC",
        req.topics.map((t) => t.name),
      );
      const committed = ctx.apiVersion >= 2 && req.isolationLevel === 1;
      const topics = [];
      for (const t of req.topics) {
        const partitions = [];
        for (const p of t.partitions) {
          partitions.push(
            described.has(t.name) ? await one(t.name, p, { version: ctx.apiVersion, committed }) : {
              partitionIndex: p.partitionIndex,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              oldStyleOffsets: [],
              timestamp: -1,
              offset: -1,
              leaderEpoch: -1,
            },
          );
        }
        topics.push({ name: t.name, partitions });
      }
      return { throttleTimeMs: 0, topics };
    },
  };
}
