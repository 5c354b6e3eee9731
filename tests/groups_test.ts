/**
 * Consumer groups with real clients against the real broker process (issue: "a coordinator
 * every Kafka client trusts"): confluent-kafka members sharing a 6-partition topic, a killed
 * member's partitions moving within the session timeout, a graceful leave rebalancing at once,
 * committed offsets surviving member and broker restarts, and static membership.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { removeDir, requireTool, startBroker, toolsDir } from "./_harness.ts";
import { createTopic, produceValues } from "./_setup.ts";
import { Watched } from "./_process.ts";

const MEMBER = new URL("./clients/python/group_member.py", import.meta.url).pathname;
const python = () => requireTool(`${toolsDir()}/venv/bin/python`);

const values = (ms: Watched[]) => ms.flatMap((m) => m.records().map((r) => r.split(" ")[2]!));
const member = (b: string, topic: string, group: string, instance = "-") =>
  new Watched(python(), [MEMBER, b, topic, group, instance]);

Deno.test("groups: three confluent-kafka members share 6 partitions; every record exactly once; kill -9 moves partitions; graceful leave rebalances; offsets resume after restarts", async () => {
  let broker = await startBroker();
  const { dataDir, port } = broker;
  const members: Watched[] = [];
  try {
    const b = broker.bootstrap;
    await createTopic(b, "g6", 6);
    await produceValues(b, "g6", 0, 600);
    for (let i = 0; i < 3; i++) members.push(member(b, "g6", "g"));
    const [m0, m1, m2] = members as [Watched, Watched, Watched];
    await m0.waitFor(() => values(members).length >= 600, 60_000, "600 records across the group");
    const all = values(members);
    assertEquals(new Set(all).size, 600, "no record twice");
    assertEquals(all.length, 600, "no duplicates");
    assertEquals(members.map((m) => m.assignment().length), [2, 2, 2]);

    // kill -9: no LeaveGroup; the others get its partitions within the session timeout (6 s).
    await m2.stop("SIGKILL");
    const killedAt = Date.now();
    await m0.waitFor(
      () => m0.assignment().length + m1.assignment().length === 6,
      30_000,
      "rebalance after kill",
    );
    const moved = Date.now() - killedAt;
    assert(moved < 20_000, `partitions moved after ${moved} ms`);
    await produceValues(b, "g6", 600, 300);
    await m0.waitFor(
      () => new Set(values([m0, m1])).size + new Set(values([m2])).size >= 900,
      30_000,
      "records after kill",
    );

    // Graceful leave: LeaveGroup makes the last member take everything well before 6 s.
    const leftAt = Date.now();
    await m1.stop("SIGTERM");
    await m0.waitFor(() => m0.assignment().length === 6, 15_000, "rebalance after leave");
    assert(Date.now() - leftAt < 6_000, "a graceful leave rebalances at once");
    await m0.stop("SIGTERM");

    // Broker restart, then a new member resumes from the committed offsets: only new records.
    await broker.stop();
    broker = await startBroker({ dataDir, port });
    await produceValues(broker.bootstrap, "g6", 900, 60);
    const m3 = member(broker.bootstrap, "g6", "g");
    members.push(m3);
    await m3.waitFor(() => m3.records().length >= 60, 30_000, "60 new records after restart");
    await new Promise((r) => setTimeout(r, 1500));
    assertEquals(
      m3.records().map((r) => r.split(" ")[2]).sort(),
      Array.from({ length: 60 }, (_, i) => `v${900 + i}`).sort(),
    );
  } finally {
    for (const m of members) await m.stop("SIGKILL");
    await broker.stop();
    await removeDir(dataDir);
  }
});

Deno.test("groups: a static member (group.instance.id) restarting within the session timeout gets its partitions back without a rebalance for the others", async () => {
  const broker = await startBroker();
  const members: Watched[] = [];
  try {
    const b = broker.bootstrap;
    await createTopic(b, "st", 4);
    await produceValues(b, "st", 0, 40);
    members.push(member(b, "st", "sg", "static-a"), member(b, "st", "sg", "static-b"));
    const [a, other] = members as [Watched, Watched];
    await a.waitFor(() => values(members).length >= 40, 60_000, "40 records");
    const before = a.assignment();
    const otherAssigns = other.lines.filter((l) => l.startsWith("ASSIGN")).length;
    await a.stop("SIGKILL"); // no LeaveGroup (static members never send one on close either)
    const a2 = member(b, "st", "sg", "static-a");
    members.push(a2);
    await a2.waitFor(
      (l) => l.some((x) => x.startsWith("ASSIGN")),
      20_000,
      "static member reassigned",
    );
    assertEquals(a2.assignment(), before);
    await new Promise((r) => setTimeout(r, 2000));
    assertEquals(
      other.lines.filter((l) => l.startsWith("ASSIGN")).length,
      otherAssigns,
      "the other member saw no rebalance",
    );
  } finally {
    for (const m of members) await m.stop("SIGKILL");
    await broker.stop();
    await removeDir(broker.dataDir);
  }
});
