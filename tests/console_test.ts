/**
 * The web console end to end: three brokers on etcd and s3rver under a producing load, with a
 * live consumer group (confluent-kafka) and a lagging one; headless Chromium renders every page
 * from one broker's /ui/, and what each page shows is compared with what the Kafka admin APIs
 * answer (Metadata, ListOffsets, DescribeGroups, OffsetFetch). A screenshot of each page is
 * saved in test-artifacts/console/. Also: write methods answer 405, the page and API need a
 * login when a listener uses SASL.
 * @module
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing, toolsDir } from "../src/testing/services.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import { ListOffsets, type ListOffsetsResponse } from "../src/protocol/messages/02_list_offsets.ts";
import {
  DescribeGroups,
  type DescribeGroupsResponse,
} from "../src/protocol/messages/15_describe_groups.ts";
import { type BrokerProcess, removeDir, requireTool, startBroker, until } from "./_harness.ts";
import {
  backendEnv,
  commitOffsets,
  createTopic,
  listOffsetsBody,
  produceRecords,
  withServices,
} from "./_setup.ts";
import { chromiumPath, openBrowser } from "./_browser.ts";

const ARTIFACTS = new URL("../test-artifacts/console/", import.meta.url).pathname;
const PY = new URL("./clients/python/", import.meta.url).pathname;
const TOPIC = "orders";
const PARTITIONS = 6;

async function metadata(bootstrap: string): Promise<MetadataResponse> {
  const c = await KafkaConnection.connect(bootstrap);
  try {
    return await c.request<MetadataResponse>(Metadata, 12, {
      topics: [{ topicId: new Uint8Array(16), name: TOPIC }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
  } finally {
    await c.close();
  }
}

/** [log start, log end] of every partition, each asked of its leader. */
async function offsets(brokers: BrokerProcess[]): Promise<[number, number][]> {
  const m = await metadata(brokers[0]!.bootstrap);
  const byId = new Map(m.brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`]));
  const out: [number, number][] = [];
  for (
    const p of [...m.topics[0]!.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)
  ) {
    const c = await KafkaConnection.connect(byId.get(p.leaderId)!);
    try {
      const at = async (ts: number) => {
        const r = await c.request<ListOffsetsResponse>(
          ListOffsets,
          7,
          listOffsetsBody(TOPIC, ts, p.partitionIndex),
        );
        const x = r.topics[0]!.partitions[0]!;
        assertEquals(x.errorCode, 0, `ListOffsets ${TOPIC}-${p.partitionIndex}`);
        return Number(x.offset);
      };
      out.push([await at(-2), await at(-1)]);
    } finally {
      await c.close();
    }
  }
  return out;
}

/** DescribeGroups answered by the group's coordinator (the others say NOT_COORDINATOR). */
async function describeGroup(brokers: BrokerProcess[], group: string) {
  for (const b of brokers) {
    const c = await KafkaConnection.connect(b.bootstrap);
    try {
      const r = await c.request<DescribeGroupsResponse>(DescribeGroups, 5, {
        groups: [group],
        includeAuthorizedOperations: false,
      });
      if (r.groups[0]!.errorCode === 0) return r.groups[0]!;
    } finally {
      await c.close();
    }
  }
  throw new Error(`No broker coordinates ${group}`);
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  assertEquals(r.status, 200, url);
  return await r.json() as T;
}

Deno.test({
  name: "console: three brokers on etcd+s3, every page matches the admin APIs (headless Chromium)",
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  async fn() {
    requireTool(chromiumPath() ?? "/usr/bin/chromium");
    const python = requireTool(`${toolsDir()}/venv/bin/python`);
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    await withServices(async (etcd, s3) => {
      const brokers: BrokerProcess[] = [];
      let member: Deno.ChildProcess | null = null;
      let loading = true;
      let load: Promise<void> = Promise.resolve();
      const browser = await openBrowser();
      try {
        for (const id of [1, 2, 3]) {
          brokers.push(
            await startBroker({
              env: {
                ...backendEnv(etcd, s3, { brokerId: id }),
                KAFSCALE_LAG_SAMPLE_MS: "1000",
                KAFSCALE_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
              },
            }),
          );
        }
        const bootstrap = brokers.map((b) => b.bootstrap).join(",");
        const ui = `http://127.0.0.1:${brokers[0]!.metricsPort}`;
        await createTopic(brokers[0]!.bootstrap, TOPIC, PARTITIONS);
        // A producing load on every partition, through each partition's leader.
        const m = await metadata(brokers[0]!.bootstrap);
        const leaders = new Map(m.brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`]));
        load = (async () => {
          while (loading) {
            for (const p of m.topics[0]!.partitions) {
              await produceRecords(leaders.get(p.leaderId)!, TOPIC, p.partitionIndex, 5);
            }
          }
        })();
        await until(
          "records on every partition",
          () => offsets(brokers),
          (o) => o.every(([, end]) => end >= 10),
          90_000,
        );
        // Committed at the group's coordinator (the others answer NOT_COORDINATOR).
        await until("a commit at the coordinator", async () => {
          for (const b of brokers) {
            const ok = await commitOffsets(b.bootstrap, "lagging", TOPIC, Array(PARTITIONS).fill(1))
              .then(() => true, () => false);
            if (ok) return true;
          }
          return false;
        }, (ok) => ok);
        member = new Deno.Command(python, {
          args: [`${PY}group_member.py`, bootstrap, TOPIC, "live"],
          stdout: "null",
          stderr: "null",
        }).spawn();
        // Charts need samples from every broker while records flow.
        await until(
          "chart samples with produce traffic from three brokers",
          () =>
            getJson<{ brokers: number[]; points: { produceRps: number }[] }>(`${ui}/api/v1/series`),
          (s) => s.brokers.length === 3 && s.points.filter((p) => p.produceRps > 0).length >= 2,
          90_000,
        );
        await until(
          "the live group to be Stable",
          () => describeGroup(brokers, "live"),
          (g) => g.groupState === "Stable",
          90_000,
        );

        // Cluster page, while the load runs: brokers and charts.
        await browser.goto(`${ui}/ui/#/cluster`);
        await browser.waitFor(
          `document.querySelectorAll("#brokers-table tbody tr[data-broker-id]").length === 3`,
          "three brokers on the cluster page",
        );
        const shownBrokers = await browser.evaluate<number[]>(
          `[...document.querySelectorAll("#brokers-table tr[data-broker-id]")].map((r) => Number(r.dataset.brokerId))`,
        );
        assertEquals(shownBrokers, m.brokers.map((b) => b.nodeId).sort((a, b) => a - b));
        await browser.waitFor(
          `Number(document.querySelector('[data-chart="Produce rate"]').dataset.points) > 1`,
          "produce rate chart points",
        );
        for (
          const chart of [
            "Produce latency",
            "Consumer lag max",
            "Object store latency",
            "Admin requests",
          ]
        ) {
          const n = await browser.evaluate<number>(
            `Number(document.querySelector('[data-chart="${chart}"]').dataset.points)`,
          );
          assert(n > 0, `${chart} has data points`);
        }
        assert(
          await browser.evaluate<boolean>(`!document.querySelector("#open-banner").hidden`),
          "an open broker says so in the header",
        );
        await browser.screenshot(`${ARTIFACTS}cluster.png`);

        // A broker's page lists the partitions it leads, as Metadata says.
        for (const b of m.brokers) {
          const led = m.topics[0]!.partitions.filter((p) => p.leaderId === b.nodeId)
            .map((p) => `${TOPIC}-${p.partitionIndex}`).sort();
          await browser.goto(`${ui}/ui/#/brokers/${b.nodeId}`);
          await browser.waitFor(
            `document.body.dataset.rendered === "#/brokers/${b.nodeId}" && document.querySelector("#owned-partitions-table")`,
            `broker ${b.nodeId}'s page`,
          );
          const shown = await browser.evaluate<string[]>(
            `[...document.querySelectorAll("#owned-partitions-table tr[data-partition]")].map((r) => r.dataset.partition).sort()`,
          );
          assertEquals(shown, led, `partitions broker ${b.nodeId} leads`);
        }
        await browser.screenshot(`${ARTIFACTS}broker.png`);

        console.log("step: load stopping");
        // Stop the load so offsets hold still, then compare with ListOffsets.
        loading = false;
        await load;
        await until(
          "the live group to catch up",
          () =>
            getJson<{ maxLag: number; members: unknown[]; offsets: unknown[] }>(
              `${ui}/api/v1/groups/live`,
            ),
          (g) => g.maxLag === 0 && g.members.length === 1 && g.offsets.length === PARTITIONS,
          90_000,
        );
        const ends = await offsets(brokers);
        const held = ends.reduce((n, [s, e]) => n + e - s, 0);

        console.log("step: topics page");
        await browser.goto(`${ui}/ui/#/topics`);
        await browser.waitFor(
          `document.querySelector('#topics-table tr[data-topic="${TOPIC}"]')`,
          "topic row",
        );
        const topicRow = await browser.evaluate<string[]>(
          `[...document.querySelector('#topics-table tr[data-topic="${TOPIC}"]').cells].map((c) => c.textContent)`,
        );
        assertEquals(topicRow[0], TOPIC);
        assertEquals(topicRow[1], String(PARTITIONS));
        assertEquals(topicRow[2]!.replaceAll(",", ""), String(held));
        await browser.screenshot(`${ARTIFACTS}topics.png`);

        console.log("step: topic page");
        await browser.goto(`${ui}/ui/#/topics/${TOPIC}`);
        await browser.waitFor(
          `document.querySelectorAll("#partitions-table tr[data-partition]").length === ${PARTITIONS}`,
          "partition rows",
        );
        const rows = await browser.evaluate<string[][]>(
          `[...document.querySelectorAll("#partitions-table tr[data-partition]")].map((r) => [...r.cells].map((c) => c.textContent))`,
        );
        for (const [i, [start, end]] of ends.entries()) {
          const leader = m.topics[0]!.partitions.find((p) => p.partitionIndex === i)!.leaderId;
          assertEquals(rows[i]!.slice(0, 2), [String(i), `broker ${leader}`], `partition ${i}`);
          assertEquals(rows[i]![3]!.replaceAll(",", ""), String(start), `log start of ${i}`);
          assertEquals(rows[i]![4]!.replaceAll(",", ""), String(end), `log end of ${i}`);
        }
        await browser.screenshot(`${ARTIFACTS}topic.png`);

        console.log("step: groups page");
        await browser.goto(`${ui}/ui/#/groups`);
        await browser.waitFor(
          `document.querySelector('#groups-table tr[data-group="lagging"]')`,
          "groups",
        );
        const lagRow = await browser.evaluate<string[]>(
          `[...document.querySelector('#groups-table tr[data-group="lagging"]').cells].map((c) => c.textContent)`,
        );
        const expectedLag = ends.reduce((n, [, e]) => n + e - 1, 0);
        assertEquals(
          lagRow[5]!.replaceAll(",", ""),
          String(expectedLag),
          "lagging group's total lag",
        );
        await browser.screenshot(`${ARTIFACTS}groups.png`);

        console.log("step: group page");
        const described = await describeGroup(brokers, "live");
        await browser.goto(`${ui}/ui/#/groups/live`);
        await browser.waitFor(
          `document.querySelectorAll("#members-table tr[data-member]").length === 1`,
          "member",
        );
        const shownMember = await browser.evaluate<string[]>(
          `[...document.querySelector("#members-table tr[data-member]").cells].map((c) => c.textContent)`,
        );
        assertEquals(shownMember[0], described.members[0]!.memberId);
        assertEquals(shownMember[1], described.members[0]!.clientId);
        assertEquals(
          await browser.evaluate<string>(`document.querySelector("#group-state").textContent`),
          described.groupState,
        );
        assert(
          shownMember[3]!.startsWith(`${TOPIC}: 0,1,2,3,4,5`),
          `assignment: ${shownMember[3]}`,
        );
        await browser.screenshot(`${ARTIFACTS}group.png`);

        console.log("step: records page");
        // Records of a partition led by another broker than the one serving the page.
        const other = m.topics[0]!.partitions.find((p) => p.leaderId !== 1) ??
          m.topics[0]!.partitions[0]!;
        await browser.goto(
          `${ui}/ui/#/records?topic=${TOPIC}&partition=${other.partitionIndex}&from=offset&at=0&as=text`,
        );
        await browser.waitFor(
          `document.querySelectorAll("#records-table tr[data-offset]").length > 0`,
          "records",
        );
        const firstRecords = await browser.evaluate<string[][]>(
          `[...document.querySelectorAll("#records-table tr[data-offset]")].slice(0, 5).map((r) => [...r.cells].map((c) => c.textContent))`,
        );
        assertEquals(firstRecords.map((r) => r[0]), ["0", "1", "2", "3", "4"]);
        assertEquals(firstRecords.map((r) => r[3]), ["r0", "r1", "r2", "r3", "r4"]);
        await browser.screenshot(`${ARTIFACTS}records.png`);

        console.log("step: write methods");
        // Read-only: every write method is refused, on the API and the page.
        for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
          for (
            const path of [
              "/api/v1/topics",
              `/api/v1/topics/${TOPIC}`,
              "/api/v1/groups/live",
              "/ui/",
            ]
          ) {
            const r = await fetch(`${ui}${path}`, {
              method,
              body: method === "DELETE" ? undefined : "{}",
            });
            await r.body?.cancel();
            assertEquals(r.status, 405, `${method} ${path}`);
          }
        }
        const still = await getJson<{ items: unknown[] }>(`${ui}/api/v1/topics`);
        assertEquals(still.items.length, 1);
      } finally {
        loading = false;
        await load.catch(() => {});
        if (member) {
          try {
            member.kill("SIGKILL");
          } catch { /* gone */ }
          await member.status;
        }
        await browser.close();
        for (const b of brokers) {
          await b.stop("SIGKILL");
          await removeDir(b.dataDir);
        }
      }
    });
  },
});
