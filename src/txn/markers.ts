/**
 * Writes transaction markers into the partitions this broker owns (the partition side of a
 * transaction's second phase). The coordinator asks for a marker by writing a marker request
 * under `txn_markers/` (records.ts); the broker owning the partition (placement) appends the
 * control batch through the partition's own log, as its single writer, and the flush that makes
 * the marker durable deletes the request in the same fenced metadata transaction. So a marker
 * is written once per request, by whichever broker owns the partition when it is handled: a
 * request outlives the coordinator that wrote it and the owner that had not handled it yet (the
 * next owner finds it), and the coordinator learns the marker is durable when the request is
 * gone. Requests for partitions of deleted topics are dropped.
 *
 * Requests arrive by a watch on the prefix, backed by a rescan (every `rescanMs` and when
 * placement changes). At most MAX_IN_FLIGHT markers per partition are appended at once (each
 * adds a delete to its flush's metadata transaction, which etcd limits to 128 operations).
 * @module
 */
import type { KvEntry, KvWatch, MetadataStore } from "../metadata/types.ts";
import { decodeRecord, keys, TopicConfigSchema } from "../metadata/records.ts";
import type { LogManager } from "../log/log_manager.ts";
import type { TopicRegistry } from "../cluster/topics.ts";
import { buildControlBatch } from "../protocol/records/control_batch.ts";
import { MarkerRequestSchema, txnKeys } from "./records.ts";

/** Marker writer settings and hooks. */
export interface MarkerWriterOptions {
  /** Whether this broker owns a partition (absent: every one). */
  owns?(topic: string, partition: number): boolean;
  rescanMs?: number;
  now?: () => number;
  onError?(what: string, e: unknown): void;
  onMarker?(topic: string, partition: number, commit: boolean): void;
}

/** Markers one partition appends at once. */
const MAX_IN_FLIGHT = 32;

/** Appends requested markers to the partitions this broker owns. */
export class MarkerWriter {
  private watch: KvWatch | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Requests being handled (by key). */
  private readonly inFlight = new Set<string>();
  /** Markers being appended per partition. */
  private readonly perPartition = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly meta: MetadataStore,
    private readonly logs: LogManager,
    private readonly topics: Pick<TopicRegistry, "get">,
    private readonly options: MarkerWriterOptions = {},
  ) {}

  /** Starts following marker requests. */
  async start(): Promise<void> {
    this.watch = await this.meta.watch(txnKeys.markersPrefix(), (ev) => {
      if (ev.type === "put") this.handle(ev.key);
    });
    this.timer = setInterval(() => void this.rescan(), this.options.rescanMs ?? 2000);
    await this.rescan();
  }

  /** Handles every pending request of an owned partition (after placement changes, too). */
  async rescan(): Promise<void> {
    if (this.closed) return;
    let all: KvEntry[];
    try {
      all = await this.meta.getPrefix(txnKeys.markersPrefix());
    } catch (e) {
      this.options.onError?.("read marker requests", e);
      return;
    }
    for (const e of all) this.handle(e.key);
  }

  /** Stops following requests (those left are the next owner's). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.watch?.close();
  }

  private handle(key: string): void {
    const at = txnKeys.parseMarker(key);
    if (!at || this.closed || this.inFlight.has(key)) return;
    if (this.options.owns && !this.options.owns(at.topic, at.partition)) return;
    const part = `${at.topic}\u0000${at.partition}`;
    const busy = this.perPartition.get(part) ?? 0;
    if (busy >= MAX_IN_FLIGHT) return; // the next rescan takes it
    this.inFlight.add(key);
    this.perPartition.set(part, busy + 1);
    this.write(key, at).catch((e) => this.options.onError?.(`write marker ${key}`, e)).finally(
      () => {
        this.inFlight.delete(key);
        const n = (this.perPartition.get(part) ?? 1) - 1;
        if (n > 0) this.perPartition.set(part, n);
        else this.perPartition.delete(part);
      },
    );
  }

  private async write(key: string, at: { topic: string; partition: number }): Promise<void> {
    // Read again now that the key is ours: a marker made durable (its request deleted) just
    // before is never written twice.
    const got = await this.meta.get(key);
    if (!got) return;
    const req = decodeRecord(MarkerRequestSchema, key, got.value);
    const topic = this.topics.get(at.topic);
    if (!topic || at.partition >= topic.partitions) {
      // This broker's view of topics may lag a creation: only the stored record decides.
      const stored = await this.meta.get(keys.topic(at.topic));
      const t = stored && decodeRecord(TopicConfigSchema, stored.key, stored.value);
      if (t && at.partition < t.partitions) return; // the next rescan, once the view caught up
      await this.meta.txn({
        compares: [{ key, modRevision: got.modRevision }],
        success: [{ type: "delete", key }],
      });
      return;
    }
    const log = await this.logs.get(topic.name, topic.topic_id, at.partition);
    const now = (this.options.now ?? Date.now)();
    const bytes = buildControlBatch({
      commit: req.commit,
      producerId: req.producer_id,
      producerEpoch: req.producer_epoch,
      coordinatorEpoch: req.coordinator_epoch,
      timestamp: now,
    });
    const res = log.append([{
      bytes,
      lastOffsetDelta: 0,
      maxTimestamp: now,
      producerId: req.producer_id,
      producerEpoch: req.producer_epoch,
      baseSequence: -1,
      marker: { commit: req.commit },
      commitOps: [{ type: "delete", key }],
    }]);
    this.logs.afterAppend(log);
    await res.durable;
    this.options.onMarker?.(at.topic, at.partition, req.commit);
  }
}
