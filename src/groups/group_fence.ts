/**
 * Fences a group's writes by coordinator epoch, so one coordinator per group (DESIGN.md
 * invariant 6) holds across brokers even while their membership views differ (a broker paused
 * past its lease, a watch lagging). A broker that starts coordinating a group bumps
 * `group_epochs/<group>`; every write for the group is a transaction conditional on the
 * revision that bump produced. A broker that lost the group cannot overwrite the new
 * coordinator's state: its write fails and it answers NOT_COORDINATOR, as partitions answer
 * NOT_LEADER_OR_FOLLOWER after their epoch fence. The transaction coordinator fences its
 * transactional ids the same way, under its own epoch keys (src/txn/coordinator.ts).
 * @module
 */
import { KafkaError } from "../protocol/errors.ts";
import { type KvOp, METADATA_LIMITS, type MetadataStore } from "../metadata/types.ts";
import { decodeRecord, encodeRecord, GroupEpochSchema, keys } from "../metadata/records.ts";

/** Where a fence keeps its epochs, and what it calls the ids it fences (in errors). */
export interface FenceKind {
  epochKey(id: string): string;
  what: string;
}

const GROUPS: FenceKind = { epochKey: keys.groupEpoch, what: "group" };

/** Coordinator epochs of the groups (or other ids) this broker coordinates. */
export class GroupFence {
  private readonly claims = new Map<string, Promise<number>>();

  constructor(
    private readonly meta: MetadataStore,
    private readonly brokerId: number,
    private readonly kind: FenceKind = GROUPS,
  ) {}

  /** Takes a group's next coordinator epoch (once; later calls share it). */
  claim(groupId: string): Promise<number> {
    let c = this.claims.get(groupId);
    if (!c) {
      c = this.bump(groupId);
      this.claims.set(groupId, c);
      c.catch(() => {
        if (this.claims.get(groupId) === c) this.claims.delete(groupId);
      });
    }
    return c;
  }

  /** Forgets a group this broker no longer coordinates. */
  forget(groupId: string): void {
    this.claims.delete(groupId);
  }

  /**
   * Applies `ops` for a group if this broker still holds its epoch; otherwise forgets the
   * group and throws NOT_COORDINATOR (the caller drops it). Ops beyond one transaction's limits
   * (an OffsetCommit of hundreds of partitions) go in several, each fenced by the epoch: offset
   * commits are per partition in Kafka, so they need no atomicity across partitions; a failure
   * part-way leaves the earlier chunks applied, and the caller reports the whole request failed
   * (a retry writes the same values again).
   */
  async write(groupId: string, ops: KvOp[]): Promise<void> {
    const revision = await this.claim(groupId);
    for (const chunk of chunkOps(ops)) {
      const res = await this.meta.txn({
        compares: [{ key: this.kind.epochKey(groupId), modRevision: revision }],
        success: chunk,
      });
      if (!res.succeeded) {
        this.forget(groupId);
        throw new KafkaError(
          "NOT_COORDINATOR",
          `Another broker coordinates ${this.kind.what} ${groupId} now`,
        );
      }
    }
  }

  private async bump(groupId: string): Promise<number> {
    const key = this.kind.epochKey(groupId);
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await this.meta.get(key);
      const prev = entry ? decodeRecord(GroupEpochSchema, key, entry.value).epoch : -1;
      const value = encodeRecord(GroupEpochSchema, { epoch: prev + 1, broker_id: this.brokerId });
      const res = await this.meta.txn({
        compares: [{ key, modRevision: entry?.modRevision ?? 0 }],
        success: [{ type: "put", key, value }],
      });
      if (res.succeeded) return res.revision;
    }
    throw new KafkaError(
      "NOT_COORDINATOR",
      `Cannot claim ${this.kind.what} ${groupId}: contended`,
    );
  }
}

/** Splits ops into transactions under etcd's operation and (with room to spare) byte limits. */
export function chunkOps(ops: KvOp[]): KvOp[][] {
  const maxBytes = METADATA_LIMITS.maxRequestBytes / 2;
  const chunks: KvOp[][] = [];
  let current: KvOp[] = [];
  let bytes = 0;
  for (const op of ops) {
    const size = 16 + (op.type === "deletePrefix" ? op.prefix.length : op.key.length) +
      (op.type === "put" ? op.value.byteLength : 0);
    if (
      current.length > 0 && (current.length >= METADATA_LIMITS.maxTxnOps || bytes + size > maxBytes)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(op);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
