/**
 * Every group client consumes a topic fully, then a second run resumes from the committed
 * offsets and sees only what was produced since: kcat balanced consumer (-G), the Java
 * kafka-console-consumer --group (3.7 and 4), franz-go with eager (range) and
 * cooperative-sticky balancers.
 */
import { assertEquals } from "../src/testing/assert.ts";
import { removeDir, requireTool, run, startBroker, toolsDir } from "./_harness.ts";

const NODE_DIR = new URL("./clients/node/", import.meta.url).pathname;
import { createTopic, kcatGroupRead, produceValues } from "./_setup.ts";

const KAFKA = new URL("../scripts/kafka/", import.meta.url).pathname;

const range = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `v${from + i}`).sort();
const sortedLines = (s: string) => s.split("\n").filter((l) => /^v\d+$/.test(l)).sort();

async function scenario(
  name: string,
  consume: (b: string, topic: string, group: string, n: number) => Promise<string[] | number>,
) {
  const broker = await startBroker();
  try {
    const b = broker.bootstrap;
    const topic = `gc-${name}`;
    await createTopic(b, topic, 3);
    await produceValues(b, topic, 0, 300);
    const first = await consume(b, topic, "gc", 300);
    assertEquals(
      typeof first === "number" ? first : first.sort(),
      typeof first === "number" ? 300 : range(0, 300),
    );
    await produceValues(b, topic, 300, 30);
    const second = await consume(b, topic, "gc", 30);
    assertEquals(
      typeof second === "number" ? second : second.sort(),
      typeof second === "number" ? 30 : range(300, 30),
    );
  } finally {
    await broker.stop();
    await removeDir(broker.dataDir);
  }
}

Deno.test("group clients: kcat balanced consumer (-G) consumes fully and resumes from committed offsets", async () => {
  await scenario("kcat", async (b, topic, group) => {
    return sortedLines((await kcatGroupRead(b, group, topic)).join("\n"));
  });
});

for (const version of ["3.7", "4"]) {
  Deno.test(`group clients: Java ${version} kafka-console-consumer --group consumes fully and resumes`, async () => {
    await scenario(`java${version.replace(".", "")}`, async (b, topic, group, n) => {
      const r = await run(`${KAFKA}kafka-console-consumer.sh`, [
        "--bootstrap-server",
        b,
        "--topic",
        topic,
        "--group",
        group,
        "--from-beginning",
        "--max-messages",
        String(n),
        "--timeout-ms",
        "30000",
      ], { env: { KAFKA_VERSION: version }, timeoutMs: 90_000 });
      assertEquals(r.code, 0, r.stderr);
      return sortedLines(r.stdout);
    });
  });
}

for (const balancer of ["range", "cooperative-sticky"]) {
  Deno.test(`group clients: franz-go (${balancer}) consumes fully and resumes`, async () => {
    await scenario(`kgo-${balancer}`, async (b, topic, group, n) => {
      const r = await run(requireTool(`${toolsDir()}/kgoclient`), [
        "group",
        "-brokers",
        b,
        "-topic",
        topic,
        "-group",
        `${group}-${balancer}`,
        "-n",
        String(n),
        "-balancer",
        balancer,
      ]);
      assertEquals(r.code, 0, r.stdout + r.stderr);
      return Number(r.stdout.trim().split(" ")[1]);
    });
  });
}

Deno.test("group clients: kafkajs consumer group consumes fully and resumes", async () => {
  await scenario("kafkajs", async (b, topic, group, n) => {
    const r = await run("node", [`${NODE_DIR}group_consume.mjs`, b, topic, group, String(n)], {
      env: {
        KAFKAJS_DIR: requireTool(`${toolsDir()}/node/node_modules`),
        KAFKAJS_NO_PARTITIONER_WARNING: "1",
      },
      timeoutMs: 90_000,
    });
    assertEquals(r.code, 0, r.stdout + r.stderr);
    return sortedLines(r.stdout);
  });
});
