/**
 * What the console shows about topics and groups, read from the metadata store, which every
 * broker shares: so any broker answers for the whole cluster, and its answers agree with
 * Metadata, ListOffsets, DescribeGroups and OffsetFetch. Lists are paged and searchable so a
 * cluster with thousands of partitions and groups is read a page at a time.
 * @module
 */
import type { MetadataStore } from "../metadata/types.ts";
import type { ObjectStore } from "../object_store/types.ts";
import {
  CommittedOffsetSchema,
  decodeRecord,
  GroupRecordSchema,
  keys,
  type PartitionState,
  PartitionStateSchema,
  type TopicConfig,
} from "../metadata/records.ts";
import { readAllPages } from "../metadata/paging.ts";
import { committedSegments } from "../log/partition_claim.ts";
import type { TopicRegistry } from "../cluster/topics.ts";
import { groupKey, type Membership, partitionKey } from "../cluster/membership.ts";
import { assignedPartitions } from "../groups/consumer_protocol.ts";
import { writableTopicConfigs } from "../cluster/topic_config.ts";
import { brokerConfigs } from "../cluster/broker_config.ts";
import type { Config } from "../config/config.ts";
import { fromBase64 } from "../util/base64.ts";

/**
 * What the viewer may see, by the checks Kafka's APIs make: topics with DESCRIBE (Metadata,
 * OffsetFetch), groups with DESCRIBE (ListGroups, DescribeGroups). Absent: everything.
 */
export interface Visibility {
  topic(name: string): boolean;
  group(groupId: string): boolean;
}

/** What the views read. */
export interface ViewSources {
  meta: MetadataStore;
  objects: ObjectStore;
  topics: TopicRegistry;
  cluster: Membership;
  config: Config;
  /** What the viewer may see (absent: everything). */
  may?: Visibility;
}

/** The topics the viewer may see. */
export function visibleTopics(src: ViewSources): TopicConfig[] {
  const may = src.may;
  return may ? src.topics.list().filter((t) => may.topic(t.name)) : src.topics.list();
}

/** A page request: a case-insensitive substring filter, then offset and limit. */
export interface PageQuery {
  q: string;
  offset: number;
  limit: number;
}

/** A page of a list, with the count of everything that matched. */
export interface Page<T> {
  total: number;
  offset: number;
  items: T[];
}

/** Largest page the API serves. */
export const MAX_PAGE = 500;

function page<T>(all: readonly T[], name: (t: T) => string, query: PageQuery): {
  total: number;
  slice: T[];
} {
  const q = query.q.toLowerCase();
  const matched = q ? all.filter((t) => name(t).toLowerCase().includes(q)) : all;
  const limit = Math.min(Math.max(query.limit, 1), MAX_PAGE);
  const offset = Math.max(query.offset, 0);
  return { total: matched.length, slice: matched.slice(offset, offset + limit) };
}

/** Partition records of a topic by partition (partitions never written have none yet). */
async function partitionStates(
  meta: MetadataStore,
  topic: string,
): Promise<Map<number, PartitionState>> {
  const out = new Map<number, PartitionState>();
  for (const e of await readAllPages(meta, keys.partitionsPrefix(topic))) {
    const s = decodeRecord(PartitionStateSchema, e.key, e.value);
    out.set(s.partition, s);
  }
  return out;
}

/** One row of the topics list. */
export interface TopicSummary {
  name: string;
  topicId: string;
  partitions: number;
  /** Sum over partitions of log end offsets, and of records held (end - start). */
  endOffsets: number;
  records: number;
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
}

function summary(t: TopicConfig, states: Map<number, PartitionState>, config: Config) {
  let end = 0;
  let held = 0;
  for (const s of states.values()) {
    end += s.log_end_offset;
    held += s.log_end_offset - s.log_start_offset;
  }
  return {
    name: t.name,
    topicId: t.topic_id,
    partitions: t.partitions,
    endOffsets: end,
    records: held,
    retentionMs: t.retention_ms ?? config.retentionMs,
    retentionBytes: t.retention_bytes ?? config.retentionBytes,
    segmentBytes: t.segment_bytes ?? config.segmentBytes,
  };
}

/** A page of topics with their offsets summed. */
export async function listTopics(src: ViewSources, query: PageQuery): Promise<Page<TopicSummary>> {
  const { total, slice } = page(visibleTopics(src), (t) => t.name, query);
  const items = [];
  for (const t of slice) {
    items.push(summary(t, await partitionStates(src.meta, t.name), src.config));
  }
  return { total, offset: query.offset, items };
}

/** One partition as the topic page shows it. */
export interface PartitionView {
  partition: number;
  /** The broker that owns (leads) it now. */
  leader: number;
  leaderEpoch: number;
  logStartOffset: number;
  logEndOffset: number;
  /** Bytes of its committed segments in the object store, and how many segments. */
  bytes: number;
  segments: number;
}

/** A topic's detail: settings, and a page of its partitions. */
export async function topicDetail(src: ViewSources, name: string, query: PageQuery) {
  const t = src.topics.get(name);
  if (!t) return null;
  const states = await partitionStates(src.meta, name);
  const indexes = Array.from({ length: t.partitions }, (_, i) => i);
  const { total, slice } = page(indexes, (i) => String(i), query);
  const partitions: PartitionView[] = [];
  for (const i of slice) {
    const s = states.get(i);
    const segs = s ? (await committedSegments(src, name, s)).segments : [];
    partitions.push({
      partition: i,
      leader: src.cluster.ownerOf(partitionKey(name, i)).nodeId,
      leaderEpoch: s?.leader_epoch ?? 0,
      logStartOffset: s?.log_start_offset ?? 0,
      logEndOffset: s?.log_end_offset ?? 0,
      bytes: segs.reduce((n, r) => n + r.size, 0),
      segments: segs.length,
    });
  }
  const configs = [
    ...writableTopicConfigs(t, src.config).map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: false,
      isDefault: c.synonyms.length === 1,
    })),
    ...brokerConfigs(src.config).filter((c) => c.name.startsWith("kafscale.")).map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: true,
      isDefault: true,
    })),
  ];
  return {
    ...summary(t, states, src.config),
    configs,
    partitionPage: { total, offset: query.offset, items: partitions },
  };
}

/** A committed offset with the partition's end and the lag between them. */
export interface OffsetView {
  topic: string;
  partition: number;
  committed: number;
  logEndOffset: number;
  lag: number;
}

/** One row of the groups list. */
export interface GroupSummary {
  groupId: string;
  state: string;
  protocolType: string | null;
  protocol: string | null;
  members: number;
  coordinator: number;
  totalLag: number;
  maxLag: number;
}

async function groupOffsets(src: ViewSources, groupId: string): Promise<OffsetView[]> {
  const prefix = keys.offsetsPrefix(groupId);
  const ends = new Map<string, Map<number, PartitionState>>();
  const out: OffsetView[] = [];
  for (const e of await readAllPages(src.meta, prefix)) {
    const rest = e.key.slice(prefix.length);
    const cut = rest.lastIndexOf("/");
    const topic = rest.slice(0, cut);
    if (src.may && !src.may.topic(topic)) continue; // as OffsetFetch hides them
    const partition = Number(rest.slice(cut + 1));
    const c = decodeRecord(CommittedOffsetSchema, e.key, e.value);
    if (!ends.has(topic)) ends.set(topic, await partitionStates(src.meta, topic));
    const end = ends.get(topic)!.get(partition)?.log_end_offset ?? 0;
    out.push({
      topic,
      partition,
      committed: c.offset,
      logEndOffset: end,
      lag: c.offset >= 0 ? Math.max(0, end - c.offset) : end,
    });
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** The groups the viewer may see. */
async function visibleGroupIds(src: ViewSources): Promise<string[]> {
  const may = src.may;
  const all = await groupIds(src.meta);
  return may ? all.filter((g) => may.group(g)) : all;
}

async function groupIds(meta: MetadataStore): Promise<string[]> {
  // Groups with a membership record, and groups that only have committed offsets (simple
  // consumers), as ListGroups shows them.
  const ids = new Set<string>();
  for (const e of await readAllPages(meta, keys.groupsPrefix())) {
    ids.add(e.key.slice(keys.groupsPrefix().length));
  }
  for (const e of await readAllPages(meta, "offsets/")) {
    const rest = e.key.slice("offsets/".length);
    ids.add(rest.slice(0, rest.indexOf("/")));
  }
  return [...ids].sort();
}

async function groupRecord(meta: MetadataStore, groupId: string) {
  const e = await meta.get(keys.group(groupId));
  return e ? decodeRecord(GroupRecordSchema, e.key, e.value) : null;
}

/** A page of groups with their lag. */
export async function listGroups(src: ViewSources, query: PageQuery): Promise<Page<GroupSummary>> {
  const { total, slice } = page(await visibleGroupIds(src), (g) => g, query);
  const items: GroupSummary[] = [];
  for (const groupId of slice) {
    const g = await groupRecord(src.meta, groupId);
    const offsets = await groupOffsets(src, groupId);
    items.push({
      groupId,
      state: g?.state ?? "Empty",
      protocolType: g?.protocol_type ?? null,
      protocol: g?.protocol ?? null,
      members: g?.members.length ?? 0,
      coordinator: src.cluster.ownerOf(groupKey(groupId)).nodeId,
      totalLag: offsets.reduce((n, o) => n + o.lag, 0),
      maxLag: offsets.reduce((n, o) => Math.max(n, o.lag), 0),
    });
  }
  return { total, offset: query.offset, items };
}

/** A group's detail: members with their assignments, and committed offsets with lag. */
export async function groupDetail(src: ViewSources, groupId: string) {
  const g = await groupRecord(src.meta, groupId);
  const offsets = await groupOffsets(src, groupId);
  if (!g && offsets.length === 0) return null;
  return {
    groupId,
    state: g?.state ?? "Empty",
    protocolType: g?.protocol_type ?? null,
    protocol: g?.protocol ?? null,
    generation: g?.generation ?? 0,
    leader: g?.leader ?? null,
    coordinator: src.cluster.ownerOf(groupKey(groupId)).nodeId,
    members: (g?.members ?? []).map((m) => ({
      memberId: m.member_id,
      groupInstanceId: m.group_instance_id,
      clientId: m.client_id,
      clientHost: m.client_host,
      assignment: g?.protocol_type === "consumer"
        ? assignedPartitions(fromBase64(m.assignment))
        : [],
    })),
    offsets,
    totalLag: offsets.reduce((n, o) => n + o.lag, 0),
    maxLag: offsets.reduce((n, o) => Math.max(n, o.lag), 0),
  };
}

/** How many partitions and groups each live broker owns now (placement is computed). */
export async function ownership(src: ViewSources): Promise<
  Map<number, {
    partitions: number;
    groups: number;
  }>
> {
  const out = new Map(src.cluster.live().map((b) => [b.nodeId, { partitions: 0, groups: 0 }]));
  for (const t of visibleTopics(src)) {
    for (let i = 0; i < t.partitions; i++) {
      const o = out.get(src.cluster.ownerOf(partitionKey(t.name, i)).nodeId);
      if (o) o.partitions++;
    }
  }
  for (const g of await visibleGroupIds(src)) {
    const o = out.get(src.cluster.ownerOf(groupKey(g)).nodeId);
    if (o) o.groups++;
  }
  return out;
}

/** The partitions (a page of them) and groups a broker owns now, by placement. */
export async function ownedBy(src: ViewSources, nodeId: number, query: PageQuery) {
  const partitions: string[] = [];
  for (const t of visibleTopics(src)) {
    for (let i = 0; i < t.partitions; i++) {
      if (src.cluster.ownerOf(partitionKey(t.name, i)).nodeId === nodeId) {
        partitions.push(`${t.name}-${i}`);
      }
    }
  }
  const groups = (await visibleGroupIds(src)).filter((g) =>
    src.cluster.ownerOf(groupKey(g)).nodeId === nodeId
  );
  const p = page(partitions, (x) => x, query);
  const g = page(groups, (x) => x, query);
  return {
    partitions: { total: p.total, offset: query.offset, items: p.slice },
    groups: { total: g.total, offset: query.offset, items: g.slice },
  };
}
