/**
 * The group coordinator: owns the classic groups this broker coordinates and their committed
 * offsets. Membership lives in memory (`Group`) and is persisted to the metadata store only
 * when it changes shape (Stable or Empty), never on heartbeats; committed offsets are written
 * through at once. Exactly one broker coordinates a group (DESIGN.md invariant 6): cluster
 * placement decides which (`options.owns`); when it moves groups, `reconcile` drops the ones
 * this broker lost (their waiting members are told to find the coordinator again) and loads
 * the ones it gained from the metadata store. Every write for a group is fenced by the group's
 * coordinator epoch (group_fence.ts), so a broker that lost a group without noticing yet
 * cannot overwrite the new coordinator's state; it drops the group and answers
 * NOT_COORDINATOR.
 * @module
 */
import { fromBase64, toBase64 } from "../util/base64.ts";
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import type { KvOp, MetadataStore } from "../metadata/types.ts";
import { GroupFence } from "./group_fence.ts";
import {
  type CommittedOffset,
  CommittedOffsetSchema,
  decodeRecord,
  encodeRecord,
  type GroupRecord,
  GroupRecordSchema,
  keys,
} from "../metadata/records.ts";
import { Group, type JoinRequest, type JoinResult, type Member } from "./group.ts";
import { type PendingOffset, PendingOffsetSchema, txnKeys } from "../txn/records.ts";

/** Coordinator settings. */
export interface CoordinatorOptions {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
  offsetsRetentionMs: number;
  maxMetadataBytes: number;
  /** This broker's id (recorded with the group epochs it claims). */
  brokerId?: number;
  /** Whether this broker coordinates a group (absent: every group, one broker). */
  owns?(groupId: string): boolean;
  onError?(what: string, e: unknown): void;
}

/** One offset to commit. */
export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

/** Coordinates classic consumer groups and their offsets. */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly fence: GroupFence;
  private loaded = false;

  constructor(private readonly meta: MetadataStore, readonly options: CoordinatorOptions) {
    this.fence = new GroupFence(meta, options.brokerId ?? 0);
  }

  /** Applies a group's writes under its epoch fence; a lost group is dropped here. */
  private async write(groupId: string, ops: KvOp[]): Promise<void> {
    try {
      await this.fence.write(groupId, ops);
    } catch (e) {
      if (e instanceof KafkaError && e.code === ErrorCode.NOT_COORDINATOR) this.drop(groupId);
      throw e;
    }
  }

  /** Forgets a group another broker coordinates now (its waiting members look again). */
  private drop(groupId: string): void {
    this.groups.get(groupId)?.dispose();
    this.groups.delete(groupId);
    this.fence.forget(groupId);
  }

  /** Whether this broker coordinates `groupId` (one coordinator per group). */
  ownsGroup(groupId: string): boolean {
    return this.options.owns?.(groupId) ?? true;
  }

  /** Loads the persisted groups this broker coordinates (members rejoin with their old ids). */
  async start(): Promise<void> {
    await this.reconcile();
    this.loaded = true;
  }

  /** Drops the groups placement moved away and loads the ones it brought here. */
  async reconcile(): Promise<void> {
    for (const id of [...this.groups.keys()]) if (!this.ownsGroup(id)) this.drop(id);
    for (const e of await this.meta.getPrefix(keys.groupsPrefix())) {
      const rec = decodeRecord(GroupRecordSchema, e.key, e.value);
      if (!this.ownsGroup(rec.group_id) || this.groups.has(rec.group_id)) continue;
      // Claimed before serving: from now on the broker that had it cannot write it.
      await this.fence.claim(rec.group_id);
      this.groups.set(rec.group_id, this.fromRecord(rec));
    }
  }

  private fromRecord(rec: GroupRecord): Group {
    const g = this.newGroup(rec.group_id);
    g.protocolType = rec.protocol_type;
    g.protocolName = rec.protocol;
    g.generationId = rec.generation;
    g.leaderId = rec.leader;
    g.state = rec.state;
    for (const m of rec.members) {
      const member: Member = {
        memberId: m.member_id,
        groupInstanceId: m.group_instance_id,
        clientId: m.client_id,
        clientHost: m.client_host,
        sessionTimeoutMs: m.session_timeout_ms,
        rebalanceTimeoutMs: m.rebalance_timeout_ms,
        protocols: m.protocols.map((p) => ({ name: p.name, metadata: fromBase64(p.metadata) })),
        assignment: fromBase64(m.assignment),
      };
      g.restore(member);
    }
    return g;
  }

  private newGroup(groupId: string): Group {
    return new Group(groupId, {
      initialRebalanceDelayMs: this.options.initialRebalanceDelayMs,
      persist: (g) => {
        this.persist(g).catch((e) => this.options.onError?.(`persist group ${g.groupId}`, e));
      },
    });
  }

  private async persist(g: Group): Promise<void> {
    if (g.state === "Dead") return;
    const rec: GroupRecord = {
      group_id: g.groupId,
      state: g.state === "Empty" ? "Empty" : "Stable",
      // (Completing/Preparing rebalances are never persisted: members rejoin after a restart.)
      protocol_type: g.protocolType,
      protocol: g.protocolName,
      generation: g.generationId,
      leader: g.leaderId,
      empty_since_ms: g.state === "Empty" ? Date.now() : null,
      members: [...g.members.values()].map((m) => ({
        member_id: m.memberId,
        group_instance_id: m.groupInstanceId,
        client_id: m.clientId,
        client_host: m.clientHost,
        session_timeout_ms: m.sessionTimeoutMs,
        rebalance_timeout_ms: m.rebalanceTimeoutMs,
        protocols: m.protocols.map((p) => ({ name: p.name, metadata: toBase64(p.metadata) })),
        assignment: toBase64(m.assignment),
      })),
    };
    const value = encodeRecord(GroupRecordSchema, rec);
    await this.write(g.groupId, [{ type: "put", key: keys.group(g.groupId), value }]);
  }

  /** Throws the Kafka error that applies while groups cannot be served here. */
  ready(groupId: string): void {
    if (!this.loaded) throw new KafkaError("COORDINATOR_LOAD_IN_PROGRESS");
    if (!this.ownsGroup(groupId)) throw new KafkaError("NOT_COORDINATOR");
  }

  /** A group if it exists. */
  get(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  /** Every group. */
  list(): Group[] {
    return [...this.groups.values()];
  }

  /** JoinGroup. */
  join(groupId: string, req: JoinRequest): Promise<JoinResult> {
    this.ready(groupId);
    if (!groupId) throw new KafkaError("INVALID_GROUP_ID");
    const o = this.options;
    if (
      req.sessionTimeoutMs < o.minSessionTimeoutMs || req.sessionTimeoutMs > o.maxSessionTimeoutMs
    ) {
      throw new KafkaError("INVALID_SESSION_TIMEOUT");
    }
    if (req.protocols.length === 0 || !req.protocolType) {
      throw new KafkaError("INCONSISTENT_GROUP_PROTOCOL", "no protocols offered");
    }
    let g = this.groups.get(groupId);
    if (!g) {
      g = this.newGroup(groupId);
      this.groups.set(groupId, g);
    }
    return g.join(req);
  }

  /** The group for member calls; UNKNOWN_MEMBER_ID when it does not exist. */
  private existing(groupId: string): Group {
    this.ready(groupId);
    const g = this.groups.get(groupId);
    if (!g || g.state === "Dead") throw new KafkaError("UNKNOWN_MEMBER_ID");
    return g;
  }

  /** SyncGroup. */
  sync(
    groupId: string,
    memberId: string,
    instanceId: string | null,
    generationId: number,
    assignments: { memberId: string; assignment: Uint8Array }[],
  ) {
    return this.existing(groupId).sync(memberId, instanceId, generationId, assignments);
  }

  /** Heartbeat. */
  heartbeat(groupId: string, memberId: string, instanceId: string | null, generationId: number) {
    this.existing(groupId).heartbeat(memberId, instanceId, generationId);
  }

  /** LeaveGroup for one member. */
  leave(groupId: string, memberId: string, instanceId: string | null): void {
    this.existing(groupId).leave(memberId, instanceId);
  }

  /**
   * OffsetCommit. Generation -1 with no member id is a simple commit (tools such as kcat and
   * kafka-consumer-groups.sh), allowed while the group has no members.
   */
  async commit(
    groupId: string,
    member: { memberId: string; instanceId: string | null; generationId: number },
    offsets: OffsetToCommit[],
  ): Promise<Map<OffsetToCommit, number>> {
    this.ready(groupId);
    if (!groupId) throw new KafkaError("INVALID_GROUP_ID");
    let g = this.groups.get(groupId);
    if (member.generationId < 0 && (!g || g.state === "Empty" || g.state === "Dead")) {
      if (!g) {
        g = this.newGroup(groupId);
        this.groups.set(groupId, g);
        await this.persist(g); // listed as an Empty group, expires with its offsets
      }
    } else {
      if (!g) throw new KafkaError("ILLEGAL_GENERATION");
      g.validate(member.memberId, member.instanceId, member.generationId);
      if (g.state === "CompletingRebalance") throw new KafkaError("REBALANCE_IN_PROGRESS");
    }
    return await this.writeOffsets(groupId, offsets, (o) => {
      const value: CommittedOffset = {
        offset: o.offset,
        leader_epoch: o.leaderEpoch,
        metadata: o.metadata,
        commit_ms: Date.now(),
      };
      return {
        key: keys.offset(groupId, o.topic, o.partition),
        value: encodeRecord(CommittedOffsetSchema, value),
      };
    });
  }

  /**
   * Writes one record per offset in one fenced group write; an offset whose metadata is too
   * large is left out with OFFSET_METADATA_TOO_LARGE. Answers an error code per offset.
   */
  private async writeOffsets(
    groupId: string,
    offsets: OffsetToCommit[],
    record: (o: OffsetToCommit) => { key: string; value: Uint8Array },
  ): Promise<Map<OffsetToCommit, number>> {
    const results = new Map<OffsetToCommit, number>();
    const ops = [];
    for (const o of offsets) {
      if ((o.metadata?.length ?? 0) > this.options.maxMetadataBytes) {
        results.set(o, 12 /* OFFSET_METADATA_TOO_LARGE */);
        continue;
      }
      ops.push({ type: "put" as const, ...record(o) });
      results.set(o, 0);
    }
    if (ops.length > 0) await this.write(groupId, ops);
    return results;
  }

  /**
   * TxnOffsetCommit: stores offsets committed inside a transaction as pending (`txn_offsets/`),
   * fenced like every write of the group; the transaction coordinator makes them committed
   * offsets when the transaction commits (src/txn/completion.ts). Members are checked as for
   * OffsetCommit when a generation is given (KIP-447); generation -1 is a commit from outside
   * the group.
   */
  async commitTxn(
    groupId: string,
    member: { memberId: string; instanceId: string | null; generationId: number },
    producer: { transactionalId: string; producerId: number; producerEpoch: number },
    offsets: OffsetToCommit[],
  ): Promise<Map<OffsetToCommit, number>> {
    this.ready(groupId);
    if (!groupId) throw new KafkaError("INVALID_GROUP_ID");
    if (member.generationId >= 0) {
      const g = this.groups.get(groupId);
      if (!g || g.state === "Dead") throw new KafkaError("ILLEGAL_GENERATION");
      g.validate(member.memberId, member.instanceId, member.generationId);
    }
    return await this.writeOffsets(groupId, offsets, (o) => {
      const value: PendingOffset = {
        transactional_id: producer.transactionalId,
        producer_epoch: producer.producerEpoch,
        offset: o.offset,
        leader_epoch: o.leaderEpoch,
        metadata: o.metadata,
        commit_ms: Date.now(),
      };
      return {
        key: txnKeys.pendingOffset(groupId, producer.producerId, o.topic, o.partition),
        value: encodeRecord(PendingOffsetSchema, value),
      };
    });
  }

  /** Committed offsets of a group: all of them, or those of the given partitions. */
  async fetchOffsets(groupId: string): Promise<Map<string, CommittedOffset>> {
    this.ready(groupId);
    const out = new Map<string, CommittedOffset>();
    const prefix = keys.offsetsPrefix(groupId);
    for (const e of await this.meta.getPrefix(prefix)) {
      out.set(e.key.slice(prefix.length), decodeRecord(CommittedOffsetSchema, e.key, e.value));
    }
    return out;
  }

  /** Deletes offsets of partitions no member is subscribed to (OffsetDelete). */
  async deleteOffsets(
    groupId: string,
    partitions: { topic: string; partition: number }[],
  ): Promise<void> {
    await this.write(
      groupId,
      partitions.map((p) => ({
        type: "delete" as const,
        key: keys.offset(groupId, p.topic, p.partition),
      })),
    );
  }

  /** Deletes an empty group with its offsets (DeleteGroups). */
  async deleteGroup(groupId: string): Promise<void> {
    this.ready(groupId);
    const g = this.groups.get(groupId);
    const hasOffsets = (await this.meta.getPrefix(keys.offsetsPrefix(groupId))).length > 0;
    if ((!g || g.state === "Dead") && !hasOffsets) throw new KafkaError("GROUP_ID_NOT_FOUND");
    if (g && g.members.size > 0) throw new KafkaError("NON_EMPTY_GROUP");
    await this.write(groupId, [
      { type: "delete", key: keys.group(groupId) },
      { type: "deletePrefix", prefix: keys.offsetsPrefix(groupId) },
      { type: "deletePrefix", prefix: txnKeys.pendingOfGroup(groupId) },
      { type: "delete", key: keys.groupEpoch(groupId) },
    ]);
    g?.dispose(true);
    this.groups.delete(groupId);
    this.fence.forget(groupId);
  }

  /** Removes empty groups (and their offsets) idle for longer than the offsets retention. */
  async expire(now = Date.now()): Promise<string[]> {
    const removed: string[] = [];
    for (const e of await this.meta.getPrefix(keys.groupsPrefix())) {
      const rec = decodeRecord(GroupRecordSchema, e.key, e.value);
      const g = this.groups.get(rec.group_id);
      if (g && g.state !== "Empty") continue;
      if (
        rec.empty_since_ms !== null && now - rec.empty_since_ms > this.options.offsetsRetentionMs
      ) {
        // Another broker's group is that broker's to expire (NOT_COORDINATOR here).
        const deleted = await this.deleteGroup(rec.group_id).then(() => true, () => false);
        if (deleted) removed.push(rec.group_id);
      }
    }
    return removed;
  }

  /** Stops every group's timers. */
  close(): void {
    for (const g of this.groups.values()) g.dispose();
  }
}
