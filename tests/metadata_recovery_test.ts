/**
 * Disaster recovery end to end, on real etcd and s3rver and on the embedded default: records
 * acknowledged before and after a metadata snapshot (6 partitions, idempotent kcat), group
 * offsets committed before and after it; the broker and the metadata store are lost (etcd's
 * data directory, or KAFSCALE_DATA_DIR/metadata, deleted); a broker refuses the empty store;
 * `kafscale metadata restore --latest` brings the snapshot back and rolls every partition
 * forward, so every acknowledged record is read back exactly once and in order, while the
 * group resumes from the snapshot's offsets; a second restore onto the now non-empty store is
 * refused; the snapshot age metric is near 0 after a broker's snapshot; verify finds nothing.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing, type Service } from "../src/testing/services.ts";
import { removeDir, run, startBroker, until } from "./_harness.ts";
import {
  backendEnv,
  commitOffsets,
  createTopic,
  listOffsetsBody,
  produceValues,
  readPartition,
  withServices,
} from "./_setup.ts";
import { kafscale } from "./_secure.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { ListOffsets, type ListOffsetsResponse } from "../src/protocol/messages/02_list_offsets.ts";
import { OffsetFetch, type OffsetFetchResponse } from "../src/protocol/messages/09_offset_fetch.ts";

/**
 * Records before the snapshot and after it; KAFSCALE_RECOVERY_TEST_SCALE=10 runs 100,000 and
 * 50,000 (KAFSCALE_RECOVERY_TEST_VERBOSE=1 prints what restore printed, and its time).
 */
const SCALE = Number(Deno.env.get("KAFSCALE_RECOVERY_TEST_SCALE") ?? "1");
const BEFORE = 10_000 * SCALE;
const AFTER = 5_000 * SCALE;
const PARTITIONS = 6;
const TOPIC = "orders";
const GROUP = "billing";
/**
 * Small batches make many flushes, so partitions roll their tails into manifests and merge
 * segments before and after the snapshot (the restore then has merges and manifests to use).
 */
const SMALL_BATCHES = {
  idempotent: true,
  kcatArgs: ["-X", "batch.num.messages=40", "-X", "linger.ms=0"],
};

interface Backend {
  env: Record<string, string>;
  /** Loses the metadata store (the broker is stopped). */
  loseMetadata(dataDir: string): Promise<void>;
  /** Whether `kafscale metadata snapshot` can run beside a live broker (etcd: yes). */
  liveSnapshot: boolean;
}

async function committed(bootstrap: string): Promise<number[]> {
  const c = await KafkaConnection.connect(bootstrap);
  try {
    const f = await c.request<OffsetFetchResponse>(OffsetFetch, 7, {
      groupId: GROUP,
      topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2, 3, 4, 5] }],
      requireStable: false,
    });
    return f.topics![0]!.partitions!.sort((a, b) => a.partitionIndex! - b.partitionIndex!)
      .map((p) => p.committedOffset!);
  } finally {
    await c.close();
  }
}

async function highWatermarks(bootstrap: string): Promise<number[]> {
  const c = await KafkaConnection.connect(bootstrap);
  try {
    const out = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const r = await c.request<ListOffsetsResponse>(ListOffsets, 7, listOffsetsBody(TOPIC, -1, p));
      out.push(r.topics[0]!.partitions[0]!.offset!);
    }
    return out;
  } finally {
    await c.close();
  }
}

async function metric(port: number, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function recoveryScenario(b: Backend): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "kafscale-recovery-" });
  const env = { ...b.env, KAFSCALE_METADATA_SNAPSHOT_INTERVAL_MS: "0" };
  const cli = (args: string[]) =>
    kafscale(["metadata", ...args], { dataDir, env: { KAFSCALE_DATA_DIR: dataDir, ...b.env } });
  let broker = await startBroker({ dataDir, env });
  const port = broker.port;
  try {
    await createTopic(broker.bootstrap, TOPIC, PARTITIONS);
    await produceValues(broker.bootstrap, TOPIC, 0, BEFORE, SMALL_BATCHES);
    // Offsets inside every partition (kcat's sticky partitioner spreads records unevenly).
    const atSnapshot = (await highWatermarks(broker.bootstrap)).map((hw, p) =>
      Math.floor(hw * (p + 1) / 8)
    );
    await commitOffsets(broker.bootstrap, GROUP, TOPIC, atSnapshot);
    if (!b.liveSnapshot) await broker.stop(); // the embedded store is locked by its broker
    const snap = await cli(["snapshot"]);
    assertEquals(snap.code, 0, snap.stderr);
    assert(/^snapshot \d{15}-[0-9a-f]{8}: \d+ keys/.test(snap.stdout), snap.stdout);
    if (!b.liveSnapshot) broker = await startBroker({ dataDir, port, env });

    await produceValues(broker.bootstrap, TOPIC, BEFORE, AFTER, SMALL_BATCHES);
    await commitOffsets(broker.bootstrap, GROUP, TOPIC, await highWatermarks(broker.bootstrap));
    await broker.stop("SIGKILL");
    await b.loseMetadata(dataDir);

    const refused = await startBroker({ dataDir, port, env }).then(
      async (started) => {
        await started.stop();
        return "";
      },
      (e) => (e as Error).message,
    );
    assert(refused.includes("Cannot start on an empty metadata store"), refused);

    const began = performance.now();
    const restored = await cli(["restore", "--latest"]);
    assertEquals(restored.code, 0, restored.stderr);
    if (Deno.env.get("KAFSCALE_RECOVERY_TEST_VERBOSE")) {
      console.log(`${restored.stdout}(restore took ${Math.round(performance.now() - began)} ms)`);
    }
    assert(restored.stdout.includes("rolled forward"), restored.stdout);
    assert(restored.stdout.includes(`${TOPIC}-0: log end`), restored.stdout);
    const again = await cli(["restore", "--latest"]);
    assertEquals(again.code, 1, again.stdout);
    assert(again.stderr.includes("the metadata store is not empty"), again.stderr);
    assert(again.stderr.includes("--force"), again.stderr);

    const startedAt = Date.now();
    broker = await startBroker({
      dataDir,
      port,
      env: { ...env, KAFSCALE_METADATA_SNAPSHOT_INTERVAL_MS: "4000" },
    });
    const seen = new Map<string, number>();
    const c = await KafkaConnection.connect(broker.bootstrap);
    const contents = [];
    try {
      for (let p = 0; p < PARTITIONS; p++) {
        const part = await readPartition(c, TOPIC, p);
        contents.push(part);
        const values = part.records.map((r) => new TextDecoder().decode(r.value!));
        const idx = values.map((v) => Number(v.slice(1)));
        assert(idx.every((x, i) => i === 0 || x > idx[i - 1]!), `partition ${p} out of order`);
        part.records.forEach((r, i) => assertEquals(r.offset, i, `partition ${p} offsets dense`));
        for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
      }
    } finally {
      await c.close();
    }
    const total = BEFORE + AFTER;
    assertEquals(seen.size, total, "every acknowledged record is back");
    assert([...seen.values()].every((n) => n === 1), "no record twice");

    assertEquals(await committed(broker.bootstrap), atSnapshot, "offsets are the snapshot's");
    // A group consumer (kcat) starts every partition at the snapshot's offset.
    const expected = contents.flatMap((part, p) =>
      part.records.slice(atSnapshot[p]).map((r) =>
        `${p} ${r.offset} ${new TextDecoder().decode(r.value!)}`
      )
    );
    const group = await run("kcat", [
      "-b",
      broker.bootstrap,
      "-G",
      GROUP,
      TOPIC,
      "-q",
      "-e",
      "-X",
      "auto.offset.reset=earliest",
      "-f",
      "%p %o %s\n",
    ], { timeoutMs: 90_000 });
    assertEquals(group.code, 0, group.stderr);
    const resumed = group.stdout.split("\n").filter(Boolean);
    assertEquals(resumed.length, expected.length, "records read by the group");
    assert(
      resumed.sort().join("\n") === expected.sort().join("\n"),
      "the group resumes from the snapshot's offsets",
    );

    await until(
      "a snapshot by the restarted broker",
      () => metric(broker.metricsPort, "kafscale_operator_etcd_snapshot_last_success_timestamp"),
      (t) => (t ?? 0) * 1000 >= startedAt,
    );
    const age = await metric(broker.metricsPort, "kafscale_operator_etcd_snapshot_age_seconds");
    assert(age !== undefined && age < 10, `snapshot age ${age}`);
    assertEquals(await metric(broker.metricsPort, "kafscale_operator_etcd_snapshot_stale"), 0);
    assertEquals(await metric(broker.metricsPort, "kafscale_operator_etcd_snapshot_access_ok"), 1);

    await broker.stop();
    const verify = await cli(["verify"]);
    assertEquals(verify.code, 0, verify.stdout + verify.stderr);
    assert(verify.stdout.includes("dangling references: 0"), verify.stdout);
  } finally {
    await broker.stop();
    await removeDir(dataDir);
  }
}

Deno.test({
  name:
    "recovery (etcd+s3): restore --latest rolls forward every acknowledged record; offsets are the snapshot's",
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  async fn() {
    await withServices(async (etcd: Service, s3: Service) => {
      await recoveryScenario({
        env: backendEnv(etcd, s3),
        liveSnapshot: true,
        async loseMetadata() {
          await etcd.stop(true);
          await Deno.remove(`${etcd.dir}/data`, { recursive: true });
          await etcd.restart();
        },
      });
    });
  },
});

Deno.test("recovery (embedded): restore --latest rolls forward every acknowledged record; offsets are the snapshot's", async () => {
  await recoveryScenario({
    env: {},
    liveSnapshot: false,
    async loseMetadata(dataDir) {
      await Deno.remove(`${dataDir}/metadata`, { recursive: true });
    },
  });
});
