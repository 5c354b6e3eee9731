/**
 * Log compaction end to end, on the embedded default and on etcd + s3rver, with the real broker
 * process: 100,000 records over 1,000 keys with 5% tombstones (KAFSCALE_COMPACTION_TEST_SCALE
 * multiplies both: 10 gives the 1M over 10k) into a compacted topic; a keyless record is
 * INVALID_RECORD; a broker killed (-9) in the middle of a throttled pass loses nothing and
 * compacts after the restart; then a kcat consumer from the beginning sees exactly one record per
 * key, the latest, at the offset it was written; OffsetForLeaderEpoch and a fetch from a removed
 * offset work across the gaps; tombstones are gone after delete.retention.ms; the segment objects
 * shrink once the collector removed the originals; the metrics say what happened. Waits are for
 * events (metrics, what a consumer reads), with generous deadlines.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import { type BrokerProcess, removeDir, run, startBroker, until } from "./_harness.ts";
import { backendEnv, createTopic, fetchBody, withServices } from "./_setup.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import {
  OffsetForLeaderEpoch,
  type OffsetForLeaderEpochResponse,
} from "../src/protocol/messages/23_offset_for_leader_epoch.ts";
import { splitBatches } from "../src/protocol/records/record_batch.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { buildRecordBatch, decodeRecords } from "../src/protocol/records/builder.ts";
import { ErrorCode } from "../src/protocol/errors.ts";
import type { ObjectStore } from "../src/object_store/types.ts";
import { FilesystemObjectStore } from "../src/object_store/filesystem.ts";
import { S3ObjectStore } from "../src/object_store/s3.ts";

const SCALE = Number(Deno.env.get("KAFSCALE_COMPACTION_TEST_SCALE") ?? "1");
const KEYS = 1000 * SCALE;
const RECORDS = 100_000 * SCALE;
const PER_REQUEST = 500;
const TOPIC = "compacted";
const SEGMENT_BYTES = 64 * 1024;
const DELETE_RETENTION_MS = 8000;
const enc = new TextEncoder();

/** What was written: offset -> [key, value or null]. */
type Written = Map<number, [string, string | null]>;

function createCompacted(bootstrap: string): Promise<void> {
  return createTopic(bootstrap, TOPIC, 1, {}, {
    "cleanup.policy": "compact",
    "segment.bytes": String(SEGMENT_BYTES),
    "segment.ms": "1",
    "min.cleanable.dirty.ratio": "0.01",
    "delete.retention.ms": String(DELETE_RETENTION_MS),
  });
}

/** Produces records (acks=all) and notes where each landed; returns the Produce error code. */
async function produce(
  c: KafkaConnection,
  records: [string | null, string | null][],
  written: Written,
): Promise<number> {
  const r = await c.request<ProduceResponse>(Produce, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{
      name: TOPIC,
      partitionData: [{
        index: 0,
        records: buildRecordBatch(records.map(([k, v]) => ({
          key: k === null ? null : enc.encode(k),
          value: v === null ? null : enc.encode(v),
        }))),
      }],
    }],
  });
  const p = r.responses[0]!.partitionResponses[0]!;
  if (p.errorCode === 0) {
    records.forEach(([k, v], i) => written.set(Number(p.baseOffset) + i, [k!, v]));
  }
  return p.errorCode;
}

/** Every record a kcat consumer reads from the beginning: [offset, key, value or null]. */
async function consume(bootstrap: string): Promise<[number, string, string | null][]> {
  const r = await run("kcat", [
    "-b",
    bootstrap,
    "-C",
    "-t",
    TOPIC,
    "-p",
    "0",
    "-o",
    "beginning",
    "-e",
    "-q",
    "-Z",
    "-f",
    "%o\t%k\t%s\n",
  ], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`kcat failed: ${r.stderr}`);
  return r.stdout.split("\n").filter(Boolean).map((line) => {
    const [o, k, v] = line.split("\t");
    return [Number(o), k!, v === "NULL" ? null : v!];
  });
}

/** Sum of the sizes of the segment objects. */
async function segmentBytes(objects: ObjectStore): Promise<number> {
  const all = await objects.list("kafscale/segments/");
  return all.filter((o) => o.key.endsWith(".seg")).reduce((n, o) => n + o.size, 0);
}

async function metric(b: BrokerProcess, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${b.metricsPort}/metrics`)).text();
  const escaped = series.replace(/[{}"=]/g, (c) => `\\${c}`);
  return Number(text.match(new RegExp(`^${escaped} (\\S+)`, "m"))?.[1] ?? NaN);
}

/** Latest record of each key among `written` (the model of what compaction must keep). */
function latest(written: Written): Map<string, [number, string | null]> {
  const out = new Map<string, [number, string | null]>();
  for (const [o, [k, v]] of [...written].sort((a, b) => a[0] - b[0])) out.set(k, [o, v]);
  return out;
}

async function scenario(env: Record<string, string>, objects: ObjectStore, dataDir?: string) {
  const base = {
    ...env,
    KAFSCALE_COMPACTION_CHECK_MS: "250",
    KAFSCALE_RETENTION_CHECK_MS: "500",
    KAFSCALE_GC_INTERVAL_MS: "1000",
    KAFSCALE_GC_GRACE_MS: "20000",
    KAFSCALE_LOG_LEVEL: "warn",
  };
  // First with a slow throttle, so a pass is still under way when the broker is killed.
  let broker = await startBroker({
    dataDir,
    env: { ...base, KAFSCALE_COMPACTION_BYTES_PER_SEC: "65536" },
  });
  const { port } = broker;
  try {
    await createCompacted(broker.bootstrap);
    const written: Written = new Map();
    const c = await KafkaConnection.connect(broker.bootstrap);
    try {
      for (let i = 0; i < RECORDS; i += PER_REQUEST) {
        const batch = Array.from({ length: PER_REQUEST }, (_, j): [string, string | null] => {
          const n = i + j;
          return [`k${(n * 7919) % KEYS}`, n % 20 === 19 ? null : `v${n}`];
        });
        assertEquals(await produce(c, batch, written), 0);
      }
      const keyless = await produce(c, [["k1", "fine"], [null, "no key"]], written);
      assertEquals(keyless, ErrorCode.INVALID_RECORD);
    } finally {
      await c.close();
    }
    const before = await segmentBytes(objects);
    // A pass is under way once it waited on the throttle: kill the broker in the middle of it.
    await until(
      "a throttled compaction pass",
      () => metric(broker, "kafscale_compaction_throttled_seconds_total"),
      (s) => s > 1,
      120_000,
    );
    await broker.stop("SIGKILL");
    broker = await startBroker({ port, dataDir: broker.dataDir, env: base });

    // Nothing was lost: every key's latest record is there at its offset, and every record
    // read is the one written at its offset.
    const model = latest(written);
    const check = (records: [number, string, string | null][]) => {
      const seen = new Map<string, number>();
      for (const [o, k, v] of records) {
        assertEquals([k, v], written.get(o), `record at ${o}`);
        seen.set(k, o);
      }
      for (const [k, [o, v]] of model) {
        if (v !== null) assertEquals(seen.get(k), o, `latest record of ${k}`);
      }
    };
    check(await consume(broker.bootstrap));

    // Compaction goes on after the restart: one record per key, the latest.
    const compacted = await until(
      "one record per key",
      () => consume(broker.bootstrap),
      (records) => records.length === new Set(records.map((r) => r[1])).size,
      180_000,
    );
    check(compacted);
    for (const [o, k] of compacted) assertEquals(model.get(k)![0], o);
    // Positions in gaps: OffsetForLeaderEpoch answers from the epoch history (epoch 1 wrote
    // everything; the restart began epoch 2 at the log end), and a fetch from a removed offset
    // returns the next records.
    const client = await KafkaConnection.connect(broker.bootstrap);
    try {
      const epoch = (await client.request<OffsetForLeaderEpochResponse>(OffsetForLeaderEpoch, 4, {
        replicaId: -1,
        topics: [{
          topic: TOPIC,
          partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 1 }],
        }],
      })).topics[0]!.partitions[0]!;
      assertEquals([epoch.errorCode, epoch.leaderEpoch, epoch.endOffset], [0, 1, RECORDS]);
      const f = await client.request<FetchResponse>(Fetch, 11, fetchBody(TOPIC, 0));
      const part = f.responses[0]!.partitions[0]!;
      assertEquals(part.errorCode, 0);
      const first = splitBatches(part.records!).flatMap((b) => decodeRecords(b))[0]!;
      assertEquals(first.offset, compacted[0]![0]);
    } finally {
      await client.close();
    }
    const live = [...model.values()].filter(([, v]) => v !== null).length;
    assert(compacted.length >= live && compacted.length <= model.size, `${compacted.length}`);
    assert(
      await metric(broker, 'kafscale_compaction_removed_records_total{reason="superseded"}') > 0,
    );
    assert(await metric(broker, "kafscale_compaction_written_bytes_total") > 0);

    // Tombstones go once delete.retention.ms passed after the pass that first kept them.
    const final = await until(
      "tombstones to go",
      () => consume(broker.bootstrap),
      (records) => records.every(([, , v]) => v !== null),
      180_000,
    );
    check(final);
    assertEquals(final.length, live);
    assert(
      await metric(broker, 'kafscale_compaction_removed_records_total{reason="tombstone"}') > 0,
    );
    // The originals go with the collector (its grace is 20 s): the bucket shrinks to a tenth.
    const after = await until(
      "the segment objects to shrink",
      () => segmentBytes(objects),
      (n) => n < before / 10,
      180_000,
    );
    console.log(
      `compaction: ${written.size} records -> ${final.length}; segment objects ${before} -> ${after} bytes`,
    );
  } finally {
    await broker.stop();
  }
}

Deno.test({
  name:
    `compaction (embedded): ${RECORDS} records over ${KEYS} keys, kill -9 mid-pass, one per key, tombstones gone, objects shrink`,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "kafscale-compaction-" });
    try {
      await scenario({}, new FilesystemObjectStore(`${dataDir}/objects`), dataDir);
    } finally {
      await removeDir(dataDir);
    }
  },
});

Deno.test({
  name:
    `compaction (etcd+s3): ${RECORDS} records over ${KEYS} keys, kill -9 mid-pass, one per key, tombstones gone, objects shrink`,
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  async fn() {
    await withServices(async (etcd, s3) => {
      const objects = new S3ObjectStore({
        bucket: "kafscale",
        region: "us-east-1",
        endpoint: s3.endpoint,
        accessKeyId: "S3RVER",
        secretAccessKey: "S3RVER",
      });
      await scenario(backendEnv(etcd, s3), objects);
    });
  },
});
