/**
 * The composition root: builds stores, domain services, handlers and listeners from a config,
 * and shuts them down in order. Nothing here is global, so one process can run several brokers.
 * @module
 */
import type { Config } from "../config/config.ts";
import { TopicRegistry } from "../cluster/topics.ts";
import { BlockProducerIds } from "../cluster/producer_ids.ts";
import { loadClusterId } from "../cluster/cluster_id.ts";
import { LogManager } from "../log/log_manager.ts";
import { SegmentCache } from "../log/segment_cache.ts";
import { SegmentUploader } from "../log/segment_uploader.ts";
import {
  type BrokerInfo,
  groupKey,
  Membership,
  partitionKey,
  SNAPSHOT_DUTY_KEY,
  txnKey,
} from "../cluster/membership.ts";
import { CommitBatcher } from "../log/commit_batcher.ts";
import { HandlerRegistry } from "../handlers/registry.ts";
import { registerHandlers } from "../handlers/mod.ts";
import type { BrokerServices } from "../handlers/services.ts";
import { Dispatcher } from "../server/dispatch.ts";
import { readTlsFiles, startListeners } from "./listeners.ts";
import { MetadataCredentialStore } from "../auth/credentials.ts";
import { MetadataAclStore } from "../auth/acl_store.ts";
import { AclAuthorizer, type Authorizer, OpenAuthorizer } from "../auth/authorizer.ts";
import { advertisedListeners } from "../config/security.ts";
import { BrokerMetrics } from "../metrics/metrics.ts";
import {
  MetadataMetrics,
  sampleMetadataKeys,
  type SegmentCounts,
} from "../metrics/metadata_metrics.ts";
import { type OpsHttpServer, startOpsHttp } from "../metrics/http.ts";
import type { Logger } from "../metrics/logger.ts";
import { openStores } from "./stores.ts";
import { GroupCoordinator } from "../groups/coordinator.ts";
import { SeriesSampler } from "../console/series.ts";
import { consoleHandler } from "../console/api.ts";
import { checkPassword, createDecoys } from "../auth/sasl.ts";
import { VERSION } from "./version.ts";
import { collectLag } from "../groups/lag.ts";
import { refuseLostMetadata } from "../recovery/restore.ts";
import { SnapshotScheduler } from "../recovery/snapshot_scheduler.ts";
import { SnapshotMetrics } from "../metrics/snapshot_metrics.ts";
import { startTransactions } from "../txn/mod.ts";
import { TxnMetrics } from "../metrics/txn_metrics.ts";
import { logSettingsOf } from "../cluster/topic_log_settings.ts";
import { startCompaction } from "./compaction.ts";
import { UndoStack } from "../util/undo_stack.ts";

/** The admin ("Ops") APIs counted by kafscale_admin_* metrics. */
const ADMIN_APIS = new Set([15, 16, 19, 20, 21, 23, 29, 30, 31, 32, 33, 37, 42, 44, 47, 50, 51]);

/** True when any errorCode in a response body is non-zero. */
function hasErrorCode(body: unknown): boolean {
  if (Array.isArray(body)) return body.some(hasErrorCode);
  if (body && typeof body === "object" && !(body instanceof Uint8Array)) {
    for (const [k, v] of Object.entries(body)) {
      if (k === "errorCode" && typeof v === "number" && v !== 0) return true;
      if (typeof v === "object" && hasErrorCode(v)) return true;
    }
  }
  return false;
}

/** A started broker. */
export interface RunningBroker {
  /** The first listener's bound port. */
  port: number;
  /** Every listener's bound port, by name. */
  ports: Record<string, number>;
  metricsPort: number;
  services: BrokerServices;
  metrics: BrokerMetrics;
  /** Re-reads the TLS certificate and key (SIGHUP); throws, keeping the old, when they are bad. */
  reloadTls(): Promise<void>;
  /** Graceful stop: stop accepting, answer in-flight requests, flush, release, close stores. */
  stop(): Promise<void>;
}

/** Starts a broker. */
export async function startBroker(config: Config, log: Logger): Promise<RunningBroker> {
  const undo = new UndoStack();
  try {
    return await startServices(config, log, undo);
  } catch (e) {
    await undo.unwind();
    throw e;
  }
}

/**
 * Opens the stores and starts every service in order. Each step that opens or starts
 * something registers its undo on `undo` right away, so a later step's failure closes exactly
 * what was started (`startBroker` unwinds it). A running broker's `stop` keeps its own order.
 */
async function startServices(config: Config, log: Logger, undo: UndoStack): Promise<RunningBroker> {
  const metrics = new BrokerMetrics();
  const metadataMetrics = new MetadataMetrics(metrics.registry);
  const { objects, meta, describe, leases } = await openStores(config, metrics, log);
  undo.push(() => objects.close());
  undo.push(() => meta.close());
  await refuseLostMetadata(meta, objects, config.s3Namespace);
  const clusterId = await loadClusterId(meta);
  const topics = new TopicRegistry(meta, {
    perTopic: config.maxPartitionsPerTopic,
    perCluster: config.maxPartitions,
  });
  undo.push(() => topics.close());
  await topics.start();
  const acls = config.authorizer === "acl"
    ? new MetadataAclStore(meta, {
      onError: (what, e) => log.error(what, { error: e }),
    })
    : null;
  undo.push(() => acls?.close());
  await acls?.start();
  const wildcard = config.metricsHost === "0.0.0.0" || config.metricsHost === "::";
  const self: BrokerInfo = {
    nodeId: config.brokerId,
    host: config.advertisedHost,
    port: config.advertisedPort,
    rack: null,
    listeners: Object.fromEntries(
      config.listeners.map((l) => [l.name, { host: l.advertisedHost, port: l.advertisedPort }]),
    ),
    // Where the other brokers' consoles reach this one's (records it owns, its chart samples).
    http: config.metricsPort === 0
      ? null
      : { host: wildcard ? config.advertisedHost : config.metricsHost, port: config.metricsPort },
    version: VERSION,
    startedMs: Date.now(),
  };
  // Placement changes move partitions and groups: hand over what moved away, load what came.
  let onMembershipChange = () => {};
  const cluster = leases
    ? await Membership.join(meta, leases, self, {
      ttlSeconds: config.brokerLeaseSeconds,
      onChange: (live) => {
        log.info("cluster membership changed", { live: live.map((b) => b.nodeId) });
        onMembershipChange();
      },
    })
    : Membership.solo(self);
  undo.push(() => cluster.close());
  const cache = new SegmentCache(config.cacheBytes);
  metrics.cacheStats = cache.stats;
  const uploader = new SegmentUploader(objects, {
    namespace: config.s3Namespace,
    brokerId: config.brokerId,
    maxObjectBytes: config.segmentBytes,
    onUpload(_bytes, segments, ok) {
      if (ok) metrics.objectSegments.observe(segments);
    },
  });
  const logs = new LogManager(
    {
      objects,
      meta,
      cache,
      uploader,
      committer: new CommitBatcher(meta, {
        onSend: (commits) => metrics.commitsPerTxn.observe(commits),
      }),
      brokerId: config.brokerId,
      namespace: config.s3Namespace,
      readaheadSegments: config.readaheadSegments,
      commitDeadlineMs: config.gcGraceMs / 2,
    },
    {
      flushIntervalMs: config.flushIntervalMs,
      segmentBytes: config.segmentBytes,
      retentionCheckMs: config.retentionCheckMs,
      owns: (topic, partition) => cluster.owns(partitionKey(topic, partition)),
      gcIntervalMs: config.gcIntervalMs,
      gcGraceMs: config.gcGraceMs,
      clusterId,
      settingsFor(name) {
        const t = topics.get(name);
        return t && logSettingsOf(t, config);
      },
      onRetention(topic, partition, deleted) {
        for (const { segment, rule } of deleted) {
          metadataMetrics.retentionDeleted.inc({ rule });
          log.info("retention deleted a segment", {
            topic,
            partition,
            baseOffset: segment.base_offset,
            lastOffset: segment.last_offset,
            rule,
          });
        }
      },
      onRetentionCheck() {
        metadataMetrics.retentionChecks.inc();
      },
      onRoll(topic, partition, moved) {
        if (moved instanceof Error) {
          metadataMetrics.rolls.inc({ outcome: "error" });
          log.warn("rolling segment keys into the manifest failed", {
            topic,
            partition,
            error: moved,
          });
        } else {
          metadataMetrics.rolls.inc({ outcome: "ok" });
          log.debug("rolled segment keys into the manifest", { topic, partition, moved });
        }
      },
      onMerge(merged) {
        metrics.mergedSegments.inc(merged);
      },
      onFlush(ms, ok, bytes) {
        metrics.flushes.inc({ outcome: ok ? "ok" : "error" });
        metrics.flushLatency.observe(ms);
        if (ok) metrics.flushBytes.observe(bytes);
      },
      onGc(result) {
        if (result instanceof Error) {
          log.warn("garbage collection failed", { error: result });
        } else if (result.deleted > 0) {
          metrics.gcDeleted.inc(result.deleted);
          log.info("garbage collection deleted unreferenced objects", { ...result });
        }
      },
    },
  );
  undo.push(() => logs.close());
  topics.onDeleted = (t) => void logs.drop(t.name);
  const groups = new GroupCoordinator(meta, {
    minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
    maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
    initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    offsetsRetentionMs: config.groupOffsetsRetentionMs,
    maxMetadataBytes: 4096,
    brokerId: config.brokerId,
    owns: (groupId) => cluster.owns(groupKey(groupId)),
    onError: (what, e) => log.error(what, { error: e }),
  });
  undo.push(() => groups.close());
  await groups.start();
  const producerIds = new BlockProducerIds(meta);
  const txns = await startTransactions({
    meta,
    logs,
    topics,
    producerIds,
    brokerId: config.brokerId,
    maxTimeoutMs: config.transactionMaxTimeoutMs,
    expirationMs: config.transactionalIdExpirationMs,
    ownsTxn: (tid) => cluster.owns(txnKey(tid)),
    ownsPartition: (topic, partition) => cluster.owns(partitionKey(topic, partition)),
    log,
    metrics: (open) => new TxnMetrics(metrics.registry, open),
  });
  undo.push(() => txns.close());
  onMembershipChange = () => {
    logs.release().catch((e) => log.warn("handing over partitions failed", { error: e }));
    groups.reconcile().catch((e) => log.warn("loading moved groups failed", { error: e }));
    txns.reconcile();
  };
  const expiry = setInterval(() => {
    groups.expire().catch((e) => log.warn("group expiry failed", { error: e }));
  }, 60_000);
  undo.push(() => clearInterval(expiry));
  let segmentCounts: SegmentCounts = { manifest: 0, tail: 0, maxTail: 0, unflushedBytes: 0 };
  metadataMetrics.segmentCounts = () => segmentCounts;
  metadataMetrics.topicPartitions = () => new Map(topics.list().map((t) => [t.name, t.partitions]));
  const budgetTimer = setInterval(() => {
    logs.segmentCounts().then((c) => segmentCounts = c).catch(() => {});
    sampleMetadataKeys(meta).then((s) => metadataMetrics.record(s)).catch(() => {});
  }, config.lagSampleMs);
  undo.push(() => clearInterval(budgetTimer));
  const lagTimer = setInterval(() => {
    collectLag(groups, logs).then((lags) => {
      for (const l of lags) metrics.consumerLag.observe(l);
      metrics.consumerLagMax.set(lags.length ? Math.max(...lags) : 0);
    }).catch(() => {}); // the metadata store's own errors are counted where they happen
  }, config.lagSampleMs);
  undo.push(() => clearInterval(lagTimer));
  const authorizer: Authorizer = acls
    ? new AclAuthorizer({
      superUsers: config.superUsers,
      allowEveryoneIfNoAclFound: config.allowEveryoneIfNoAclFound,
      acls: () => acls.index(),
    })
    : new OpenAuthorizer();
  const registry = new HandlerRegistry();
  const services: BrokerServices = {
    config,
    broker: {
      nodeId: config.brokerId,
      host: config.advertisedHost,
      port: config.advertisedPort,
      rack: null,
      clusterId,
    },
    topics,
    logs,
    meta,
    registry,
    producerIds,
    groups,
    txn: txns.coordinator,
    cluster,
    log,
    credentials: new MetadataCredentialStore(meta),
    authorizer,
    acls,
    async topicForWrite(name) {
      const t = topics.get(name);
      if (t || !config.autoCreateTopics) return t;
      try {
        return await topics.create(name, config.autoCreatePartitions);
      } catch {
        return topics.get(name);
      }
    },
  };
  registerHandlers(registry, services, metrics);
  // Zero series for every admin API, so rate() queries return data before the first error.
  for (const key of ADMIN_APIS) {
    const api = registry.get(key)?.schema.name;
    if (api) {
      metrics.adminRequests.inc({ api }, 0);
      metrics.adminErrors.inc({ api }, 0);
    }
  }
  const dispatcher = new Dispatcher(registry, {
    onRequest(ctx, outcome, ms) {
      const api = registry.get(ctx.apiKey)?.schema.name ?? String(ctx.apiKey);
      metrics.requests.inc({ api, outcome });
      log.debug("request", {
        api,
        version: ctx.apiVersion,
        client: ctx.clientId,
        outcome,
        ms: Math.round(ms),
      });
      metrics.requestLatency.observe({ api }, ms);
    },
    onResponse(ctx, body, ms) {
      if (!ADMIN_APIS.has(ctx.apiKey)) return;
      const api = registry.get(ctx.apiKey)!.schema.name;
      metrics.adminRequests.inc({ api });
      metrics.adminLatency.observe({ api }, ms);
      if (hasErrorCode(body)) metrics.adminErrors.inc({ api });
    },
    onError(ctx, e) {
      log.error("request failed", { apiKey: ctx.apiKey, client: ctx.clientId, error: e });
    },
  });
  const listeners = await startListeners(config, {
    dispatcher,
    credentials: services.credentials,
    metrics,
    log,
  });
  undo.push(() => listeners.stop());
  const port = listeners.ports[config.listeners[0]!.name]!;
  if (!leases) {
    // A listener on port 0 (tests) advertises the port it got; a shared store needs real ports.
    for (const l of config.listeners) {
      const at = self.listeners[l.name]!;
      if (at.port === 0) at.port = listeners.ports[l.name]!;
    }
    self.port = self.listeners[config.listeners[0]!.name]!.port;
  }
  logs.start();
  const compaction = startCompaction(config, { logs, topics, cluster, objects, metrics, log });
  undo.push(() => compaction?.stop());
  metrics.start();
  undo.push(() => metrics.stop());
  const sampler = new SeriesSampler(metrics.registry);
  // Set once the snapshot gauges exist (after the HTTP listener is up).
  let snapshotAge: () => number | null = () => null;
  const decoys = createDecoys();
  const consoleRoutes = config.console
    ? consoleHandler({
      sources: { meta, objects, topics, cluster, config },
      cache,
      sampler,
      clusterId,
      self: () => self,
      health: async () => ({
        objectStore: {
          state: metrics.s3State,
          latencyMs: (await metrics.s3LatencyAvg.get()).values[0]?.value ?? 0,
        },
        metadataStore: {
          ok: Date.now() - metrics.metadataLastOk < 30_000,
          secondsSinceAnswer: Math.round((Date.now() - metrics.metadataLastOk) / 1000),
        },
        snapshotAgeSeconds: snapshotAge(),
      }),
      // With SASL on any listener, the console asks for a user of the same store.
      authorizer,
      login: config.listeners.some((l) => l.sasl)
        ? async (user, password) =>
          await checkPassword({ credentials: services.credentials, decoys }, user, password) ===
            "ok"
        : null,
    })
    : undefined;
  if (consoleRoutes) sampler.start();
  undo.push(() => sampler.stop());
  const http: OpsHttpServer = startOpsHttp({
    hostname: config.metricsHost,
    port: config.metricsPort,
    tls: config.metricsTls ? await readTlsFiles(config) : undefined,
    metrics,
    extra: consoleRoutes,
    async ready() {
      // A loop that was blocked for seconds stalled every client: say so for a while.
      const stalled = metrics.eventLoop.blocked();
      if (stalled !== null) return stalled;
      try {
        await meta.get("cluster/id");
        await objects.list(`${config.s3Namespace}/__readyz/`);
        // Without a registration the others own everything; this broker serves nothing.
        if (!cluster.registered()) return "not registered in the cluster (lease being renewed)";
        return null;
      } catch (e) {
        return `storage unreachable: ${(e as Error).message}`;
      }
    },
  });
  undo.push(() => http.close());
  // A metrics port of 0 (tests) is known now; a one-broker cluster shows it in the console.
  self.http ??= { host: wildcard ? config.advertisedHost : config.metricsHost, port: http.port };
  const snapshotMetrics = new SnapshotMetrics(metrics.registry, {
    staleSeconds: config.metadataSnapshotStaleSeconds,
    expected: config.metadataSnapshotIntervalMs > 0,
  });
  const snapshots = new SnapshotScheduler(meta, objects, {
    intervalMs: config.metadataSnapshotIntervalMs,
    keep: config.metadataSnapshotKeep,
    retentionMs: config.metadataSnapshotRetentionMs,
    namespace: config.s3Namespace,
    brokerId: config.brokerId,
    version: VERSION,
    clusterId,
    owns: () => cluster.owns(SNAPSHOT_DUTY_KEY),
    onStatus: (status) => snapshotMetrics.update(status),
    onSnapshot(marker, ms, pruned) {
      log.info("metadata snapshot written", {
        id: marker.id,
        keys: marker.keys,
        bytes: marker.bytes,
        revision: marker.revision,
        ms: Math.round(ms),
        pruned: pruned.deleted.length,
      });
    },
    onError: (what, e) => log.warn(what, { error: e }),
  });
  snapshots.start();
  undo.push(() => snapshots.stop());
  snapshotAge = () => snapshotMetrics.ageSeconds();
  log.info("broker started", {
    port,
    metricsPort: http.port,
    advertised: advertisedListeners(
      config.listeners.map((l) => ({ ...l, advertisedPort: self.listeners[l.name]!.port })),
    ),
    nodeId: config.brokerId,
    clusterId,
    storage: describe,
    authorizer: acls
      ? { type: "acl", acls: acls.index().size, superUsers: config.superUsers }
      : "none",
  });
  let stopping: Promise<void> | null = null;
  return {
    port,
    ports: listeners.ports,
    metricsPort: http.port,
    services,
    metrics,
    reloadTls: () => listeners.reloadTls(),
    stop() {
      stopping ??= (async () => {
        listeners.stopAccepting();
        await snapshots.stop();
        clearInterval(expiry);
        clearInterval(lagTimer);
        clearInterval(budgetTimer);
        groups.close();
        await txns.close();
        await acls?.close();
        await compaction?.stop(); // passes under way stop without committing
        await logs.close(); // flushes buffered records and answers waiting producers
        await cluster.close(); // the others take our partitions and groups at once
        await listeners.stop();
        await http.close();
        sampler.stop();
        metrics.stop();
        await topics.close();
        await meta.close();
        await objects.close();
        log.info("broker stopped");
      })();
      return stopping;
    },
  };
}
