/**
 * Several brokers on one etcd and bucket form a cluster: each registers under a lease, all
 * list the live brokers, agree on who leads each partition and coordinates each group, and
 * take over a dead broker's partitions and groups once its lease expires (kcat, the Java
 * tools, an idempotent producer and a consumer group keep working through it). A broker paused
 * past its lease that wakes up believing it still leads cannot commit: the epoch fence answers
 * NOT_LEADER_OR_FOLLOWER and no offset is ever given to two records.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing, type Service } from "../src/testing/services.ts";
import { type BrokerProcess, removeDir, run, startBroker, until } from "./_harness.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { ErrorCode } from "../src/protocol/errors.ts";
import {
  FindCoordinator,
  type FindCoordinatorResponse,
} from "../src/protocol/messages/10_find_coordinator.ts";
import { groupKey, partitionKey, placeOn } from "../src/cluster/membership.ts";
import {
  backendEnv,
  createTopic,
  kcatGroupRead,
  produceValues,
  readPartition,
  withServices,
} from "./_setup.ts";

const missing = etcdMissing() ?? s3Missing();
const KAFKA = new URL("../scripts/kafka/", import.meta.url).pathname;
const LEASE = "3";

/** Broker ids and partition leaders as one broker reports them. */
async function view(bootstrap: string, topic: string) {
  const c = await KafkaConnection.connect(bootstrap);
  try {
    const m = await c.request<MetadataResponse>(Metadata, 12, {
      topics: [{ topicId: new Uint8Array(16), name: topic }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const parts = [...m.topics[0]!.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
    return {
      brokers: m.brokers.map((b) => b.nodeId).sort(),
      leaders: parts.map((p) => p.leaderId),
    };
  } finally {
    await c.close();
  }
}

function produceOne(c: KafkaConnection, topic: string, value: string) {
  return c.request<ProduceResponse>(Produce, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 10000,
    topicData: [{
      name: topic,
      partitionData: [{
        index: 0,
        records: buildRecordBatch([{ value: new TextEncoder().encode(value) }]),
      }],
    }],
  }).then((r) => r.responses[0]!.partitionResponses[0]!);
}

async function consume(bootstrap: string, topic: string): Promise<string[]> {
  const c = await run("kcat", ["-b", bootstrap, "-t", topic, "-C", "-e", "-q", "-f", "%p %o %s\n"]);
  assertEquals(c.code, 0, c.stderr);
  return c.stdout.split("\n").filter(Boolean);
}

async function cluster(etcdS3: Record<string, string>, ids: number[]): Promise<BrokerProcess[]> {
  const out: BrokerProcess[] = [];
  for (const id of ids) {
    out.push(
      await startBroker({
        env: { ...etcdS3, KAFSCALE_BROKER_ID: String(id), KAFSCALE_BROKER_LEASE_SECONDS: LEASE },
      }),
    );
  }
  return out;
}

/**
 * A test on a fresh etcd and s3rver with brokers of the given ids (lease 3 s); they are woken
 * (SIGCONT), killed and their data removed afterwards, whatever the test did to them.
 */
function clusterTest(
  name: string,
  ids: number[],
  fn: (brokers: BrokerProcess[], etcd: Service) => Promise<void>,
): void {
  Deno.test({
    name,
    ignore: missing !== undefined,
    async fn() {
      await withServices(async (etcd, s3) => {
        const brokers = await cluster(backendEnv(etcd, s3), ids);
        try {
          await fn(brokers, etcd);
        } finally {
          for (const x of brokers) {
            x.signal("SIGCONT");
            await x.stop("SIGKILL");
            await removeDir(x.dataDir);
          }
        }
      });
    },
  });
}

clusterTest(
  "cluster: two brokers list each other, agree on leaders, serve every record once, and take over a dead broker's partitions",
  [1, 2],
  async ([a, b]) => {
    await createTopic(a!.bootstrap, "shared", 16);
    const fromA = await until(
      "both brokers",
      () => view(a!.bootstrap, "shared"),
      (v) => v.brokers.length === 2,
    );
    const fromB = await until(
      "both brokers",
      () => view(b!.bootstrap, "shared"),
      (v) => v.brokers.length === 2,
    );
    assertEquals(fromA, fromB, "one answer from every broker");
    assertEquals(fromA.brokers, [1, 2]);
    assert(fromA.leaders.includes(1) && fromA.leaders.includes(2), `${fromA.leaders}`);

    const lines = Array.from({ length: 2000 }, (_, i) => `v${i}`).join("\n") + "\n";
    const p = await run("kcat", ["-b", a!.bootstrap, "-t", "shared", "-P", "-X", "acks=all"], {
      stdin: lines,
    });
    assertEquals(p.code, 0, p.stderr);
    const seen = await consume(b!.bootstrap, "shared");
    assertEquals(seen.map((l) => l.split(" ")[2]).sort(), lines.trim().split("\n").sort());
    checkDense(seen);

    // A consumer group: its coordinator is whichever broker placement names, found
    // through FindCoordinator from either bootstrap; its offsets are readable from both.
    const coordinators = await Promise.all(
      [a!, b!].map((x) => coordinatorOf(x.bootstrap, "readers")),
    );
    assertEquals(coordinators[0], coordinators[1]);
    assertEquals((await kcatGroupRead(a!.bootstrap, "readers", "shared")).length, 2000);

    await a!.stop("SIGKILL");
    const after = await until(
      "B to lead everything",
      () => view(b!.bootstrap, "shared"),
      (v) => v.brokers.length === 1 && v.leaders.every((l) => l === 2),
    );
    assertEquals(after.brokers, [2]);
    const more = Array.from({ length: 500 }, (_, i) => `w${i}`).join("\n") + "\n";
    const p2 = await run("kcat", ["-b", b!.bootstrap, "-t", "shared", "-P", "-X", "acks=all"], {
      stdin: more,
    });
    assertEquals(p2.code, 0, p2.stderr);
    const all = await consume(b!.bootstrap, "shared");
    assertEquals(all.length, 2500);
    assertEquals(new Set(all.map((l) => l.split(" ")[2])).size, 2500);
    checkDense(all);
  },
);

/** A topic name (`prefix-N`) whose partitions both broker 1 and broker 2 lead. */
function splitTopic(prefix: string, partitions: number): string {
  for (let n = 0;; n++) {
    const name = `${prefix}-${n}`;
    const leaders = new Set(
      Array.from({ length: partitions }, (_, p) => placeOn(partitionKey(name, p), [1, 2])),
    );
    if (leaders.size === 2) return name;
  }
}

/** The node id FindCoordinator names for a group. */
async function coordinatorOf(bootstrap: string, group: string): Promise<number> {
  const c = await KafkaConnection.connect(bootstrap);
  try {
    const r = await c.request<FindCoordinatorResponse>(FindCoordinator, 3, {
      key: group,
      keyType: 0,
      coordinatorKeys: [],
    });
    assertEquals(r.errorCode, 0);
    return r.nodeId!;
  } finally {
    await c.close();
  }
}

/** Offsets of each partition run 0..n-1 with no gap or repeat. */
function checkDense(lines: string[]): void {
  const byPartition = new Map<string, number[]>();
  for (const l of lines) {
    const [p, o] = l.split(" ");
    byPartition.set(p!, [...(byPartition.get(p!) ?? []), Number(o)]);
  }
  for (const [p, offsets] of byPartition) {
    assertEquals(offsets, offsets.map((_, i) => i), `partition ${p} is dense`);
  }
}

clusterTest(
  "cluster: a leader paused past its lease is fenced when it wakes; no offset is given twice",
  [1, 2],
  async (brokers) => {
    const conns: KafkaConnection[] = [];
    try {
      await createTopic(brokers[0]!.bootstrap, "contested", 1);
      const v = await until(
        "both brokers",
        () => view(brokers[0]!.bootstrap, "contested"),
        (v) => v.brokers.length === 2,
      );
      const leader = brokers.find((_, i) => i + 1 === v.leaders[0])!;
      const other = brokers.find((x) => x !== leader)!;
      const toLeader = await KafkaConnection.connect(leader.bootstrap);
      conns.push(toLeader);
      const first = await produceOne(toLeader, "contested", "old-leader-1");
      assertEquals([first.errorCode, first.baseOffset], [0, 0]);

      leader.signal("SIGSTOP"); // a long GC pause, a frozen VM: its lease runs out
      await until(
        "the other broker to lead",
        () => view(other.bootstrap, "contested"),
        (x) => x.brokers.length === 1,
      );
      const toOther = await KafkaConnection.connect(other.bootstrap);
      conns.push(toOther);
      const second = await produceOne(toOther, "contested", "new-leader-1");
      assertEquals([second.errorCode, second.baseOffset], [0, 1]);

      leader.signal("SIGCONT"); // it wakes up and is asked to write at once
      const stale = await produceOne(toLeader, "contested", "old-leader-2");
      assertEquals(stale.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);

      // The cluster settles (the woken broker registers again); writes go on.
      await until(
        "both brokers again",
        () => view(other.bootstrap, "contested"),
        (x) => x.brokers.length === 2,
      );
      const p = await run("kcat", [
        "-b",
        `${brokers[0]!.bootstrap},${brokers[1]!.bootstrap}`,
        "-t",
        "contested",
        "-P",
        "-X",
        "acks=all",
      ], { stdin: "after-1\nafter-2\n" });
      assertEquals(p.code, 0, p.stderr);
      const reader = await KafkaConnection.connect(other.bootstrap);
      conns.push(reader);
      const c = await KafkaConnection.connect((await leaderOf(brokers, "contested")).bootstrap);
      conns.push(c);
      const { records } = await readPartition(c, "contested", 0);
      assertEquals(
        records.map((r) => `${r.offset} ${new TextDecoder().decode(r.value!)}`),
        ["0 old-leader-1", "1 new-leader-1", "2 after-1", "3 after-2"],
      );
    } finally {
      for (const c of conns) await c.close();
    }
  },
);

async function leaderOf(brokers: BrokerProcess[], topic: string): Promise<BrokerProcess> {
  const v = await view(brokers[0]!.bootstrap, topic);
  return brokers[v.leaders[0]! - 1]!;
}

clusterTest(
  "cluster: the Java 4 tools on two brokers: create, idempotent produce, group consume, describe lag",
  [1, 2],
  async (brokers) => {
    const [a, b] = brokers as [BrokerProcess, BrokerProcess];
    const env = { KAFKA_VERSION: "4" };
    const both = `${a.bootstrap},${b.bootstrap}`;
    await until("both brokers", () => view(a.bootstrap, "none"), (v) => v.brokers.length === 2);
    const created = await run(`${KAFKA}kafka-topics.sh`, [
      "--bootstrap-server",
      b.bootstrap,
      "--create",
      "--topic",
      "jc",
      "--partitions",
      "8",
    ], { env });
    assertEquals(created.code, 0, created.stderr);
    const lines = Array.from({ length: 1000 }, (_, i) => `j${i}`);
    const p = await run(`${KAFKA}kafka-console-producer.sh`, [
      "--bootstrap-server",
      a.bootstrap,
      "--topic",
      "jc",
    ], { env, stdin: lines.join("\n") + "\n" });
    assertEquals(p.code, 0, p.stderr);
    const c = await run(`${KAFKA}kafka-console-consumer.sh`, [
      "--bootstrap-server",
      both,
      "--topic",
      "jc",
      "--group",
      "jgroup",
      "--from-beginning",
      "--max-messages",
      "1000",
      "--timeout-ms",
      "30000",
    ], { env });
    assertEquals(c.code, 0, c.stderr);
    assertEquals(c.stdout.split("\n").filter(Boolean).sort(), [...lines].sort());
    const d = await run(`${KAFKA}kafka-consumer-groups.sh`, [
      "--bootstrap-server",
      b.bootstrap,
      "--describe",
      "--group",
      "jgroup",
    ], { env });
    assertEquals(d.code, 0, d.stderr);
    // Partitions the consumer read have committed offsets at their ends: no lag.
    const rows = d.stdout.split("\n").filter((l) => /^jgroup\s+jc\s+\d/.test(l));
    let committed = 0;
    for (const row of rows) {
      const [, , , current, end, lag] = row.trim().split(/\s+/);
      if (current === "-") continue;
      assertEquals([current, lag], [end, "0"], row);
      committed += Number(current);
    }
    assertEquals(committed, 1000, d.stdout);
  },
);

clusterTest(
  "cluster: an idempotent producer writing through a broker killed mid-stream delivers every record exactly once",
  [1, 2],
  async (brokers) => {
    const [a, b] = brokers as [BrokerProcess, BrokerProcess];
    const topic = splitTopic("failover", 4); // broker 1 (killed) leads some partitions
    await createTopic(a.bootstrap, topic, 4);
    await until("both brokers", () => view(a.bootstrap, topic), (v) => v.brokers.length === 2);
    const lines = Array.from({ length: 20000 }, (_, i) => `f${i}`);
    const producing = run("kcat", [
      "-b",
      `${a.bootstrap},${b.bootstrap}`,
      "-t",
      topic,
      "-P",
      "-X",
      "enable.idempotence=true",
      "-X",
      "linger.ms=5",
      "-X",
      "batch.num.messages=200",
      "-X",
      "queue.buffering.max.messages=500",
    ], { stdin: lines.join("\n") + "\n", timeoutMs: 120_000 });
    await new Promise((r) => setTimeout(r, 700));
    await a.stop("SIGKILL"); // mid-stream: its partitions move to b after the lease
    const p = await producing;
    assertEquals(p.code, 0, p.stderr);
    const seen = await consume(b.bootstrap, topic);
    assertEquals(seen.length, lines.length, "no record lost or written twice");
    assertEquals(seen.map((l) => l.split(" ")[2]).sort(), [...lines].sort());
    checkDense(seen);
  },
);

clusterTest("cluster: a consumer group keeps consuming when its coordinator broker is killed", [
  1,
  2,
], async (brokers) => {
  const [a, b] = brokers as [BrokerProcess, BrokerProcess];
  const topic = splitTopic("gf", 4);
  let n = 0; // a group broker 1 coordinates: the one that will be killed
  while (placeOn(groupKey(`gf-readers-${n}`), [1, 2]) !== 1) n++;
  const group = `gf-readers-${n}`;
  const seen = new Set<string>();
  let consumer: Deno.ChildProcess | undefined;
  let reading: Promise<void> = Promise.resolve();
  try {
    await createTopic(a.bootstrap, topic, 4);
    await until("both brokers", () => view(a.bootstrap, topic), (v) => v.brokers.length === 2);
    assertEquals(await coordinatorOf(b.bootstrap, group), 1, "the broker about to die");
    consumer = new Deno.Command("kcat", {
      args: [
        "-b",
        `${a.bootstrap},${b.bootstrap}`,
        "-G",
        group,
        topic,
        "-q",
        "-X",
        "auto.offset.reset=earliest",
        "-X",
        "auto.commit.interval.ms=100",
        "-u", // unbuffered: each record is printed as it arrives
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    reading = (async () => {
      let rest = "";
      for await (const chunk of consumer!.stdout.pipeThrough(new TextDecoderStream())) {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop()!;
        for (const l of lines) if (l) seen.add(l);
      }
    })();
    const produce = (bootstrap: string, from: number) =>
      produceValues(bootstrap, topic, from, 1000, { prefix: "g", idempotent: true });
    await produce(a.bootstrap, 0);
    await until("the first 1000", () => Promise.resolve(seen.size), (n) => n >= 1000);
    await a.stop("SIGKILL"); // the group's coordinator and a partition leader
    // Once its lease expires the group (and every partition) moves to broker 2; records
    // written after that reach the same consumer.
    await until("the group to move", () => coordinatorOf(b.bootstrap, group), (id) => id === 2);
    await produce(b.bootstrap, 1000);
    await until(
      "all 2000 after the failover",
      () => Promise.resolve(seen.size),
      (n) => n >= 2000,
    );
    const expected = Array.from({ length: 2000 }, (_, i) => `g${i}`);
    assertEquals([...seen].sort(), expected.sort());
  } finally {
    try {
      consumer?.kill("SIGKILL");
    } catch { /* gone */ }
    await consumer?.status;
    await reading.catch(() => {});
  }
});

clusterTest(
  "cluster: a broker whose lease was revoked (expired in an outage) registers again and serves",
  [1],
  async ([a], etcd) => {
    const etcdctl = (...args: string[]) =>
      run("etcdctl", ["--endpoints", etcd.endpoint, ...args], { env: { ETCDCTL_API: "3" } });
    const registered = async () =>
      (await etcdctl("get", "/kafscale/brokers/1", "--print-value-only")).stdout.includes(
        '"node_id":1',
      );
    assert(await registered(), "registered at start");
    const leases = (await etcdctl("lease", "list")).stdout.split("\n")
      .filter((l) => /^[0-9a-f]+$/.test(l.trim()));
    assert(leases.length > 0, "a lease holds the registration");
    for (const id of leases) {
      const r = await etcdctl("lease", "revoke", id.trim());
      assertEquals(r.code, 0, r.stderr);
    }
    await until("the registration to come back", registered, (ok) => ok);
    await createTopic(a!.bootstrap, "after-revoke", 1);
    const c = await KafkaConnection.connect(a!.bootstrap);
    try {
      const r = await produceOne(c, "after-revoke", "x");
      assertEquals([r.errorCode, r.baseOffset], [0, 0]);
    } finally {
      await c.close();
    }
  },
);
