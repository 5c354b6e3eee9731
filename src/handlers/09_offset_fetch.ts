/**
 * OffsetFetch (key 9), versions 0-9 (kafka-python 2.0.2 up to v1... v5, librdkafka up to v7,
 * Java 3.7/4.x up to v8/v9, franz-go up to v9).
 * - v1: offsets from the coordinator (v0 read ZooKeeper in old Kafka; same store here).
 *   v2: null topics = every committed partition; top-level error code. v3: throttle time.
 *   v5: committed leader epoch. v6: flexible. v7: requireStable: a partition with an offset
 *   committed by a transaction still open (TxnOffsetCommit) answers UNSTABLE_OFFSET_COMMIT
 *   (src/txn/pending_offsets.ts), so a read_committed consumer waits for the outcome. v8: several groups in one request. v9: member id/epoch (accepted; classic groups).
 * - A partition without a committed offset reads offset -1 and metadata "" (never 0).
 * - Authorization (as Kafka): DESCRIBE on the group (else GROUP_AUTHORIZATION_FAILED), and
 *   DESCRIBE on each topic: a topic asked for without it answers TOPIC_AUTHORIZATION_FAILED on
 *   its partitions; a request for every topic leaves it out.
 * @module
 */
import {
  OffsetFetch,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
} from "../protocol/messages/09_offset_fetch.ts";
import type { CommittedOffset } from "../metadata/records.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { groupErrorCode } from "./_group_errors.ts";
import { authFor, type RequestAuth } from "./_authorize.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { unstablePartitions } from "../txn/pending_offsets.ts";

interface PartitionOffsetOut {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}
interface TopicOffsetsOut {
  name: string;
  partitions: PartitionOffsetOut[];
}

/** Builds the OffsetFetch handler. */
export function offsetFetchHandler(services: BrokerServices): Handler {
  async function fetchGroup(
    groupId: string,
    topics: { name: string; partitionIndexes: number[] }[] | null,
    o: { auth: RequestAuth; requireStable: boolean },
  ): Promise<{ topics: TopicOffsetsOut[]; errorCode: number }> {
    const auth = o.auth;
    if (!auth.allowed("DESCRIBE", "GROUP", groupId)) {
      return { topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    }
    let committed: Map<string, CommittedOffset>;
    let unstable = new Set<string>();
    try {
      committed = await services.groups.fetchOffsets(groupId);
      if (o.requireStable) unstable = await unstablePartitions(services.meta, groupId);
    } catch (e) {
      return { topics: [], errorCode: groupErrorCode(e) };
    }
    const out = (
      index: number,
      c: CommittedOffset | undefined,
      topic = "",
    ): PartitionOffsetOut =>
      unstable.has(`${topic}\u0000${index}`)
        ? {
          partitionIndex: index,
          committedOffset: -1,
          committedLeaderEpoch: -1,
          metadata: "",
          errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
        }
        : {
          partitionIndex: index,
          committedOffset: c?.offset ?? -1,
          committedLeaderEpoch: c?.leader_epoch ?? -1,
          metadata: c?.metadata ?? "",
          errorCode: 0,
        };
    if (topics === null) {
      const byTopic = new Map<string, PartitionOffsetOut[]>();
      for (const [k, c] of committed) {
        const cut = k.lastIndexOf("/");
        const name = k.slice(0, cut);
        const list = byTopic.get(name) ?? [];
        list.push(out(Number(k.slice(cut + 1)), c, name));
        byTopic.set(name, list);
      }
      const visible = auth.filter("DESCRIBE", "TOPIC", byTopic.keys(), true);
      return {
        topics: [...byTopic].filter(([name]) => visible.has(name))
          .map(([name, partitions]) => ({ name, partitions })),
        errorCode: 0,
      };
    }
    const described = auth.filter("DESCRIBE", "TOPIC", topics.map((t) => t.name));
    return {
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) =>
          described.has(t.name)
            ? out(p, committed.get(`${t.name}/${p}`), t.name)
            : { ...out(p, undefined), errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }
        ),
      })),
      errorCode: 0,
    };
  }

  return {
    schema: OffsetFetch,
    minVersion: 0,
    maxVersion: 9,
    authorization: {
      checks: [
        {
          operation: "DESCRIBE",
          resource: "GROUP",
          names: "groupId (v8+: groups[].groupId)",
          denied: "GROUP_AUTHORIZATION_FAILED",
        },
        {
          operation: "DESCRIBE",
          resource: "TOPIC",
          names: "topics[].name (null: every committed topic, the others left out)",
          denied: "TOPIC_AUTHORIZATION_FAILED",
        },
      ],
    },
    async handle(req: OffsetFetchRequest, ctx): Promise<OffsetFetchResponse> {
      const auth = authFor(services, ctx);
      if (ctx.apiVersion >= 8) {
        const groups = [];
        for (const g of req.groups) {
          const requireStable = req.requireStable ?? false;
          const r = await fetchGroup(g.groupId, g.topics, { auth, requireStable });
          groups.push({ groupId: g.groupId, topics: r.topics, errorCode: r.errorCode });
        }
        return { throttleTimeMs: 0, topics: [], errorCode: 0, groups };
      }
      const topics = ctx.apiVersion < 2 && req.topics === null ? [] : req.topics;
      const requireStable = ctx.apiVersion >= 7 && (req.requireStable ?? false);
      const r = await fetchGroup(req.groupId, topics, { auth, requireStable });
      if (r.errorCode !== 0 && ctx.apiVersion < 2) {
        // v0-v1 have no top-level error: report it on every partition asked for.
        for (const t of topics ?? []) {
          r.topics.push({
            name: t.name,
            partitions: t.partitionIndexes.map((p) => ({
              partitionIndex: p,
              committedOffset: -1,
              committedLeaderEpoch: -1,
              metadata: "",
              errorCode: r.errorCode,
            })),
          });
        }
      }
      return { throttleTimeMs: 0, topics: r.topics, errorCode: r.errorCode, groups: [] };
    },
  };
}
