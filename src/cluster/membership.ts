/**
 * Cluster membership and placement: which brokers are alive, and which one owns each partition
 * (its single writer, DESIGN.md invariant 2) and coordinates each group (invariant 6).
 *
 * Brokers sharing a metadata store that has leases (etcd) register under `brokers/<id>` with a
 * lease they keep alive, and all of them watch that prefix, so once the watch has caught up
 * they agree on the live set. Placement is rendezvous hashing of a partition or group key over
 * the live broker ids: every broker computes the same owner without talking to the others, and
 * when a broker joins or leaves only the keys it gains or held move. While views differ (a
 * broker paused past its lease, a watch lagging) two brokers may briefly both believe they own
 * a partition; the epoch fence on every commit keeps that safe, and views converge.
 *
 * Without leases (the embedded file store, which its lock limits to one broker) the live set is
 * this broker alone.
 * @module
 */
import type { KvWatch, LeasedKey, LeasedPuts, MetadataStore } from "../metadata/types.ts";
import { BrokerRecordSchema, decodeRecord, encodeRecord, keys } from "../metadata/records.ts";
import { crc32c } from "../protocol/records/crc32c.ts";

/** A broker as clients reach it. */
export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** Membership settings. */
export interface MembershipOptions {
  /** Lease TTL: how long a dead broker keeps its partitions (seconds). */
  ttlSeconds: number;
  /** Called after the live set changed (partitions and groups may have moved). */
  onChange?(live: readonly BrokerInfo[]): void;
}

const encoder = new TextEncoder();

/** Placement key of a partition. */
export const partitionKey = (topic: string, partition: number) => `p/${topic}/${partition}`;
/** Placement key of a consumer group. */
export const groupKey = (groupId: string) => `g/${groupId}`;

/** The live brokers and who owns what. */
export class Membership {
  private brokers = new Map<number, BrokerInfo>();
  private watch: KvWatch | null = null;
  private lease: LeasedKey | null = null;

  private constructor(readonly self: BrokerInfo, private readonly options: MembershipOptions) {
    this.brokers.set(self.nodeId, self);
  }

  /** A one-broker cluster (stores without leases). */
  static solo(self: BrokerInfo): Membership {
    return new Membership(self, { ttlSeconds: 0 });
  }

  /** Registers this broker and starts following the others. */
  static async join(
    meta: MetadataStore,
    leases: LeasedPuts,
    self: BrokerInfo,
    options: MembershipOptions,
  ): Promise<Membership> {
    const m = new Membership(self, options);
    const record = encodeRecord(BrokerRecordSchema, {
      node_id: self.nodeId,
      host: self.host,
      port: self.port,
      rack: self.rack,
    });
    m.watch = await meta.watch(keys.brokersPrefix(), (ev) => {
      const id = Number(ev.key.slice(keys.brokersPrefix().length));
      if (ev.type === "delete") m.brokers.delete(id);
      else m.brokers.set(id, m.decode(ev.key, ev.value));
      m.options.onChange?.(m.live());
    });
    m.lease = await leases.putLeased(keys.broker(self.nodeId), record, options.ttlSeconds);
    m.brokers.clear();
    for (const e of await meta.getPrefix(keys.brokersPrefix())) {
      const b = m.decode(e.key, e.value);
      m.brokers.set(b.nodeId, b);
    }
    return m;
  }

  private decode(key: string, value: Uint8Array): BrokerInfo {
    const r = decodeRecord(BrokerRecordSchema, key, value);
    return { nodeId: r.node_id, host: r.host, port: r.port, rack: r.rack };
  }

  /** Live brokers by id (this one included while its registration stands). */
  live(): BrokerInfo[] {
    return [...this.brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /** The broker that owns a placement key (see `partitionKey`, `groupKey`). */
  ownerOf(key: string): BrokerInfo {
    let best: BrokerInfo | undefined;
    let bestScore = -1;
    for (const b of this.brokers.values()) {
      const score = crc32c(encoder.encode(`${key}\u0000${b.nodeId}`));
      if (score > bestScore || (score === bestScore && b.nodeId < best!.nodeId)) {
        best = b;
        bestScore = score;
      }
    }
    return best ?? this.self; // a broker that lost its own registration still answers
  }

  /** The broker named as controller: the live one with the lowest id (all agree on it). */
  controller(): BrokerInfo {
    return this.live()[0] ?? this.self;
  }

  /** Whether this broker owns a placement key. */
  owns(key: string): boolean {
    return this.ownerOf(key).nodeId === this.self.nodeId;
  }

  /** Leaves the cluster at once (the others take over without waiting for the lease). */
  async close(): Promise<void> {
    await this.watch?.close();
    await this.lease?.revoke();
  }
}
