/**
 * `kafscale groups list|describe|delete|reset-offsets`: consumer group administration over
 * ListGroups, DescribeGroups, OffsetFetch, ListOffsets, DeleteGroups and OffsetCommit.
 * `describe` shows the lag of every committed partition.
 * @module
 */
import { type AdminClient, checkCode } from "./client.ts";
import { type Args, need, opt } from "./args.ts";
import { print } from "./output.ts";
import { ListGroups, type ListGroupsResponse } from "../../protocol/messages/16_list_groups.ts";
import {
  DescribeGroups,
  type DescribeGroupsResponse,
} from "../../protocol/messages/15_describe_groups.ts";
import { OffsetFetch, type OffsetFetchResponse } from "../../protocol/messages/09_offset_fetch.ts";
import { ListOffsets, type ListOffsetsResponse } from "../../protocol/messages/02_list_offsets.ts";
import {
  DeleteGroups,
  type DeleteGroupsResponse,
} from "../../protocol/messages/42_delete_groups.ts";
import {
  OffsetCommit,
  type OffsetCommitResponse,
} from "../../protocol/messages/08_offset_commit.ts";
import { Metadata, type MetadataResponse } from "../../protocol/messages/03_metadata.ts";
import { assignedPartitions } from "../../groups/consumer_protocol.ts";

type Committed = Map<string, number>;

async function committedOffsets(c: AdminClient, group: string): Promise<Committed> {
  const r = await c.call<OffsetFetchResponse>(OffsetFetch, {
    groupId: group,
    topics: null,
    requireStable: false,
    groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }],
  });
  const topics = r.groups?.[0]?.topics ?? r.topics ?? [];
  const out: Committed = new Map();
  for (const t of topics) {
    for (const p of t.partitions ?? []) {
      const offset = p.committedOffset ?? -1;
      if (offset >= 0) out.set(`${t.name}\u0000${p.partitionIndex}`, offset);
    }
  }
  return out;
}

/** Latest (-1) or earliest (-2) offsets of partitions. */
export async function listOffsets(
  c: AdminClient,
  parts: { topic: string; partition: number }[],
  timestamp: number,
) {
  const byTopic = new Map<string, number[]>();
  for (const p of parts) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  const r = await c.call<ListOffsetsResponse>(ListOffsets, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [...byTopic].map(([name, ps]) => ({
      name,
      partitions: ps.map((p) => ({
        partitionIndex: p,
        currentLeaderEpoch: -1,
        timestamp,
        maxNumOffsets: 1,
      })),
    })),
  });
  const out = new Map<string, number>();
  for (const t of r.topics) {
    for (const p of t.partitions) {
      out.set(`${t.name}\u0000${p.partitionIndex}`, p.offset ?? p.oldStyleOffsets?.[0] ?? -1);
    }
  }
  return out;
}

async function describe(c: AdminClient, group: string) {
  const d = await c.call<DescribeGroupsResponse>(DescribeGroups, {
    groups: [group],
    includeAuthorizedOperations: false,
  });
  const g = d.groups[0]!;
  checkCode(g.errorCode, `describe ${group}`);
  const owner = new Map<string, { memberId: string; clientHost: string; clientId: string }>();
  for (const m of g.members) {
    for (const a of assignedPartitions(m.memberAssignment)) {
      for (const p of a.partitions) owner.set(`${a.topic}\u0000${p}`, m);
    }
  }
  const committed = await committedOffsets(c, group);
  const parts = [...new Set([...committed.keys(), ...owner.keys()])].map((k) => {
    const [topic, p] = k.split("\u0000") as [string, string];
    return { topic, partition: Number(p) };
  });
  const ends = parts.length ? await listOffsets(c, parts, -1) : new Map();
  return {
    state: g.groupState,
    rows: parts.sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition).map(
      ({ topic, partition }) => {
        const k = `${topic}\u0000${partition}`;
        const cur = committed.get(k);
        const end = ends.get(k) ?? -1;
        const m = owner.get(k);
        return {
          group,
          topic,
          partition,
          current: cur ?? "-",
          logEnd: end,
          lag: cur === undefined || end < 0 ? "-" : Math.max(0, end - cur),
          consumer: m?.memberId ?? "-",
          host: m?.clientHost ?? "-",
          client: m?.clientId ?? "-",
        };
      },
    ),
  };
}

async function resetOffsets(c: AdminClient, group: string, a: Args) {
  const topic = need(opt(a, "--topic"), "--topic");
  const md = await c.call<MetadataResponse>(Metadata, {
    topics: [{ name: topic, topicId: new Uint8Array(16) }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  checkCode(md.topics[0]!.errorCode, `find topic ${topic}`);
  const parts = md.topics[0]!.partitions.map((p) => ({ topic, partition: p.partitionIndex }));
  const to = opt(a, "--to-offset");
  const target = to !== undefined
    ? null
    : await listOffsets(c, parts, a.flags.has("--to-latest") ? -1 : -2);
  const r = await c.call<OffsetCommitResponse>(OffsetCommit, {
    groupId: group,
    generationIdOrMemberEpoch: -1,
    memberId: "",
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [{
      name: topic,
      partitions: parts.map((p) => ({
        partitionIndex: p.partition,
        committedOffset: target ? target.get(`${topic}\u0000${p.partition}`)! : Number(to),
        committedLeaderEpoch: -1,
        commitTimestamp: -1,
        committedMetadata: "",
      })),
    }],
  });
  for (const p of r.topics[0]!.partitions) {
    checkCode(p.errorCode, `reset ${topic}-${p.partitionIndex}`);
  }
}

/** Runs a groups subcommand. */
export async function groupsCommand(c: AdminClient, sub: string, a: Args): Promise<void> {
  const json = a.flags.has("--json");
  const group = a.positional[0];
  switch (sub) {
    case "list": {
      const r = await c.call<ListGroupsResponse>(ListGroups, { statesFilter: [], typesFilter: [] });
      checkCode(r.errorCode, "list groups");
      const rows = r.groups.map((g) => ({
        group: g.groupId,
        state: g.groupState ?? "",
        protocol: g.protocolType,
      }));
      return print(json, rows, ["GROUP", "STATE", "PROTOCOL-TYPE"], ["group", "state", "protocol"]);
    }
    case "describe": {
      const d = await describe(c, need(group, "group id"));
      if (json) return console.log(JSON.stringify(d, null, 2));
      console.log(`Group ${group} is ${d.state}`);
      return print(false, d.rows, [
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
      ], [
        "group",
        "topic",
        "partition",
        "current",
        "logEnd",
        "lag",
        "consumer",
        "host",
        "client",
      ]);
    }
    case "delete": {
      const r = await c.call<DeleteGroupsResponse>(DeleteGroups, {
        groupsNames: [need(group, "group id")],
      });
      checkCode(r.results[0]!.errorCode, `delete ${group}`);
      return print(json, [{ group, deleted: true }], ["GROUP", "DELETED"], ["group", "deleted"]);
    }
    case "reset-offsets": {
      await resetOffsets(c, need(group, "group id"), a);
      const d = await describe(c, group!);
      return print(json, d.rows, ["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"], [
        "group",
        "topic",
        "partition",
        "current",
      ]);
    }
    default:
      throw new Error(
        `Unknown groups command "${sub}"; use list, describe, delete or reset-offsets`,
      );
  }
}
