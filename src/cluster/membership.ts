/**
 * Cluster membership and placement: which brokers are alive, and which one owns each partition
 * (its single writer, DESIGN.md invariant 2) and coordinates each group (invariant 6) and each
 * transactional id.
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
 *
 * Each broker registers every advertised listener by name; Metadata, FindCoordinator and
 * DescribeCluster answer a client with the addresses of the listener it connected to
 * (`endpointOf`), as Kafka does.
 * @module
 */
import type { KvWatch, LeasedKey, LeasedPuts, MetadataStore } from "../metadata/types.ts";
import { BrokerRecordSchema, decodeRecord, encodeRecord, keys } from "../metadata/records.ts";

/** Where clients reach one listener. */
export interface Endpoint {
  host: string;
  port: number;
}

/**
 * A broker as clients reach it: `host`/`port` is its first listener, `listeners` every
 * advertised listener by name.
 */
export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
  listeners: Readonly<Record<string, Endpoint>>;
  /** Its HTTP endpoint (metrics and console), when registered. */
  http?: Endpoint | null;
  /** Its release version and start time (ms), when registered. */
  version?: string;
  startedMs?: number;
}

/**
 * Where a broker's listener `name` is reached, or undefined when the broker has no such
 * listener (Kafka leaves such brokers out of the answer to that listener's clients).
 */
export function endpointOf(b: BrokerInfo, name: string): Endpoint | undefined {
  return Object.hasOwn(b.listeners, name) ? b.listeners[name] : undefined;
}

/** Membership settings. */
export interface MembershipOptions {
  /** Lease TTL: how long a dead broker keeps its partitions (seconds). */
  ttlSeconds: number;
  /** Called after the live set changed (partitions and groups may have moved). */
  onChange?(live: readonly BrokerInfo[]): void;
}

/** Placement key of a partition. */
export const partitionKey = (topic: string, partition: number) => `p/${topic}/${partition}`;
/** Placement key of a consumer group. */
export const groupKey = (groupId: string) => `g/${groupId}`;
/** Placement key of a transactional id (its transaction coordinator). */
export const txnKey = (transactionalId: string) => `t/${transactionalId}`;
/** Placement key of the metadata snapshot duty (one broker snapshots for the cluster). */
export const SNAPSHOT_DUTY_KEY = "s/metadata-snapshots";

/**
 * Rendezvous hashing: the node with the highest hash of (key, node id) owns the key, so a
 * node joining or leaving moves only the keys it gains or held. -1 with no nodes.
 * (Not a CRC: a CRC is linear, so keys of equal length would rank the nodes alike and all
 * partitions of a topic would land on one broker.)
 */
export function placeOn(key: string, nodeIds: readonly number[]): number {
  const k = fnv1a(key);
  let best = -1;
  let bestScore = -1;
  for (const id of nodeIds) {
    const score = mix32(k ^ mix32(Math.imul(id + 1, 0x9e3779b9)));
    if (score > bestScore || (score === bestScore && id < best)) {
      best = id;
      bestScore = score;
    }
  }
  return best;
}

/** FNV-1a over the UTF-16 code units of a string (32 bits). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's finalizer: every input bit affects every output bit. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

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
      listeners: { ...self.listeners },
      http: self.http ?? null,
      version: self.version ?? "",
      started_ms: self.startedMs ?? 0,
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
    // A record from before listeners were registered: its one listener was PLAINTEXT.
    const listeners = Object.keys(r.listeners).length > 0
      ? r.listeners
      : { PLAINTEXT: { host: r.host, port: r.port } };
    return {
      nodeId: r.node_id,
      host: r.host,
      port: r.port,
      rack: r.rack,
      listeners,
      http: r.http,
      version: r.version,
      startedMs: r.started_ms,
    };
  }

  /** Live brokers by id (this one included while its registration stands). */
  live(): BrokerInfo[] {
    return [...this.brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /** The broker that owns a placement key (see `partitionKey`, `groupKey`). */
  ownerOf(key: string): BrokerInfo {
    const id = placeOn(key, [...this.brokers.keys()]);
    return this.brokers.get(id) ?? this.self; // a broker that lost its registration answers
  }

  /** Whether this broker's registration stands (false while a lost lease is being renewed). */
  registered(): boolean {
    return this.brokers.has(this.self.nodeId);
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
