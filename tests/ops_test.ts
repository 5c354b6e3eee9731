/**
 * Ops API v1, proven by the spec's own examples against the real broker process: the franz-go
 * kmsg requests at their exact versions, the confluent-kafka script, kafka-python's admin
 * client, and the Kafka CLI tools (3.7 and 4) with assertions on what they print.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { removeDir, requireTool, run, startBroker, toolsDir } from "./_harness.ts";
import { commitOffsets, createTopic, produceRecords } from "./_setup.ts";
import { ALICE, BOB, rdkafkaSettings, startSecureBroker } from "./_secure.ts";

const HERE = new URL("./clients/", import.meta.url).pathname;
const KAFKA = new URL("../scripts/kafka/", import.meta.url).pathname;

async function withBroker(fn: (bootstrap: string) => Promise<void>) {
  const broker = await startBroker();
  try {
    await fn(broker.bootstrap);
  } finally {
    await broker.stop();
    await removeDir(broker.dataDir);
  }
}

Deno.test("ops: the spec's franz-go program (kmsg at ListGroups v5, DescribeGroups v5, OffsetForLeaderEpoch v3, DescribeConfigs v4, AlterConfigs v1, CreatePartitions v3, DeleteGroups v2)", async () => {
  await withBroker(async (b) => {
    await createTopic(b, "orders", 3);
    await produceRecords(b, "orders", 0, 10);
    await commitOffsets(b, "my-group", "orders", [5, 0, 0]);
    const r = await run(requireTool(`${toolsDir()}/kgoclient`), ["ops", "-brokers", b]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
  });
});

Deno.test("ops: the spec's confluent-kafka script, run as written", async () => {
  await withBroker(async (b) => {
    await createTopic(b, "orders", 3);
    await commitOffsets(b, "my-group", "orders", [1, 2, 3]);
    const r = await run(requireTool(`${toolsDir()}/venv/bin/python`), [
      `${HERE}python/spec_ops_example.py`,
      b,
    ]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
  });
});

Deno.test("ops: the spec's confluent-kafka script over SASL_SSL as an admin (super user) with ACLs on", async () => {
  const secure = await startSecureBroker({
    env: { KAFSCALE_AUTHORIZER: "acl", KAFSCALE_SUPER_USERS: `User:${ALICE.user}` },
    users: [ALICE, BOB],
  });
  try {
    const b = secure.at.SASL_SSL;
    const as = {
      tls: { caCerts: [await Deno.readTextFile(secure.ca)] },
      sasl: { mechanism: "SCRAM-SHA-512" as const, ...ALICE },
    };
    await createTopic(b, "orders", 3, as);
    await commitOffsets(b, "my-group", "orders", [1, 2, 3], as);
    const settings = rdkafkaSettings("SASL_SSL", {
      ca: secure.ca,
      mechanism: "SCRAM-SHA-512",
      ...ALICE,
    });
    const r = await run(requireTool(`${toolsDir()}/venv/bin/python`), [
      `${HERE}python/spec_ops_example.py`,
      b,
      ...Object.entries(settings).map(([k, v]) => `${k}=${v}`),
    ]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    // The same script as a user without ACLs is refused.
    const denied = await run(requireTool(`${toolsDir()}/venv/bin/python`), [
      `${HERE}python/spec_ops_example.py`,
      b,
      ...Object.entries(rdkafkaSettings("SASL_SSL", {
        ca: secure.ca,
        mechanism: "SCRAM-SHA-512",
        ...BOB,
      })).map(([k, v]) => `${k}=${v}`),
    ]);
    assert(denied.code !== 0, "a user without ACLs cannot run the admin script");
    // ListGroups leaves out groups the principal may not describe, as Kafka's does.
    assert(denied.stdout.includes("Groups: []"), denied.stdout + denied.stderr);
  } finally {
    await secure.stop();
  }
});

Deno.test("ops: kafka-python 2.0.2 KafkaAdminClient (list/describe groups, describe/alter configs, create partitions)", async () => {
  await withBroker(async (b) => {
    await createTopic(b, "pyops", 2);
    await commitOffsets(b, "py-group", "pyops", [0, 0]);
    const r = await run(requireTool(`${toolsDir()}/venv/bin/python`), [
      `${HERE}python/kafka_python_admin.py`,
      b,
    ]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
  });
});

for (const version of ["3.7", "4"]) {
  Deno.test(`ops: Kafka ${version} CLI (kafka-topics, kafka-configs, kafka-consumer-groups) print what they print against Kafka`, async () => {
    await withBroker(async (b) => {
      const cli = async (tool: string, ...args: string[]) => {
        const r = await run(`${KAFKA}kafka-${tool}.sh`, ["--bootstrap-server", b, ...args], {
          env: { KAFKA_VERSION: version },
        });
        return {
          ...r,
          out: r.stdout.split("\n").filter((l) => l && !l.startsWith("SLF4J")).join("\n"),
        };
      };
      let r = await cli("topics", "--create", "--topic", "orders", "--partitions", "3");
      assertEquals([r.code, r.out], [0, "Created topic orders."], r.stderr);
      r = await cli("topics", "--list");
      assertEquals(r.out, "orders");
      r = await cli("topics", "--alter", "--topic", "orders", "--partitions", "5");
      assertEquals(r.code, 0, r.stderr);
      r = await cli("topics", "--alter", "--topic", "orders", "--partitions", "2");
      assert(
        r.code !== 0 && /partition/i.test(r.stdout + r.stderr),
        "reducing partitions must fail",
      );
      r = await cli("topics", "--describe", "--topic", "orders");
      assert(
        r.out.includes("PartitionCount: 5") && r.out.includes("Partition: 4\tLeader: 0"),
        r.out,
      );
      r = await cli(
        "configs",
        "--alter",
        "--entity-type",
        "topics",
        "--entity-name",
        "orders",
        "--add-config",
        "retention.ms=604800000",
      );
      assertEquals([r.code, r.out], [0, "Completed updating config for topic orders."], r.stderr);
      r = await cli("configs", "--describe", "--entity-type", "topics", "--entity-name", "orders");
      assert(
        r.out.includes(
          "retention.ms=604800000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=604800000",
        ),
        r.out,
      );
      r = await cli(
        "configs",
        "--alter",
        "--entity-type",
        "topics",
        "--entity-name",
        "orders",
        "--add-config",
        "min.insync.replicas=2",
      );
      assert(
        r.code !== 0 && (r.stdout + r.stderr).includes("min.insync.replicas"),
        "a key outside the whitelist must be refused",
      );
      r = await cli(
        "configs",
        "--alter",
        "--entity-type",
        "topics",
        "--entity-name",
        "orders",
        "--delete-config",
        "retention.ms",
      );
      assertEquals(r.code, 0, r.stderr);
      r = await cli("configs", "--describe", "--entity-type", "topics", "--entity-name", "orders");
      assert(!r.out.includes("retention.ms="), r.out);
      await produceRecords(b, "orders", 0, 20);
      await commitOffsets(b, "ops-group", "orders", [15, 0, 0, 0, 0]);
      r = await cli("consumer-groups", "--list");
      assertEquals(r.out, "ops-group");
      r = await cli("consumer-groups", "--describe", "--group", "ops-group");
      assert(/ops-group\s+orders\s+0\s+15\s+20\s+5/.test(r.out), r.out);
      r = await cli(
        "consumer-groups",
        "--reset-offsets",
        "--group",
        "ops-group",
        "--topic",
        "orders",
        "--to-earliest",
        "--execute",
      );
      assertEquals(r.code, 0, r.stderr);
      r = await cli("consumer-groups", "--describe", "--group", "ops-group");
      assert(/ops-group\s+orders\s+0\s+0\s+20\s+20/.test(r.out), r.out);
      r = await cli("consumer-groups", "--delete", "--group", "ops-group");
      assert(r.out.includes("successful"), r.out);
      r = await cli("consumer-groups", "--delete", "--group", "ops-group");
      assert(
        (r.stdout + r.stderr).includes("does not exist") ||
          (r.stdout + r.stderr).includes("GroupIdNotFound"),
        r.stdout + r.stderr,
      );
      r = await cli("topics", "--delete", "--topic", "orders");
      assertEquals(r.code, 0, r.stderr);
      r = await cli("topics", "--list");
      assertEquals(r.out, "");
    });
  });
}
