/**
 * ACLs with the real Kafka tools over SASL_SSL (SCRAM-SHA-512) against a broker with
 * KAFSCALE_AUTHORIZER=acl and `admin` as its super user: `kafka-acls.sh` of Kafka 3.7 and 4.0
 * adds, lists and removes literal and prefixed ACLs (`--consumer` included), and kcat as the
 * users finds them enforced at once, and lifted once removed; each change is logged with the
 * admin's principal and address and no secret. Without ALTER_CONFIGS `kafka-configs.sh --alter`
 * fails (and succeeds once granted); without DELETE on a group `kafka-consumer-groups.sh
 * --delete` fails with DeleteGroups' GROUP_AUTHORIZATION_FAILED.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { run } from "./_harness.ts";
import {
  ALICE,
  BOB,
  javaProperties,
  kcatArgs,
  rdkafkaSettings,
  type SecureBroker,
  startSecureBroker,
  waitForLog,
} from "./_secure.ts";

const KAFKA = new URL("../scripts/kafka/", import.meta.url).pathname;
const ADMIN = { user: "admin", password: "admin-secret-7" };

async function java(tool: string, version: string, args: string[]) {
  return await run(`${KAFKA}kafka-${tool}.sh`, args, {
    env: { KAFKA_VERSION: version },
    timeoutMs: 120_000,
  });
}

/** kcat as `who` over SASL_SSL with SCRAM-SHA-512. */
function kcat(
  b: SecureBroker,
  who: { user: string; password: string },
  args: string[],
  stdin?: string,
) {
  const s = rdkafkaSettings("SASL_SSL", { ca: b.ca, mechanism: "SCRAM-SHA-512", ...who });
  return run("kcat", ["-b", b.at.SASL_SSL, ...kcatArgs(s), ...args], {
    stdin,
    timeoutMs: 60_000,
  });
}

Deno.test("acl tools: kafka-acls.sh (3.7, 4.0) adds, lists and removes ACLs that kcat finds enforced; kafka-configs and kafka-consumer-groups are refused without ALTER_CONFIGS and DELETE", async (t) => {
  const b = await startSecureBroker({
    env: {
      KAFSCALE_AUTHORIZER: "acl",
      KAFSCALE_SUPER_USERS: "User:admin",
      KAFSCALE_LOG_LEVEL: "debug",
      KAFSCALE_AUTO_CREATE_TOPICS: "0",
    },
    users: [ADMIN, ALICE, BOB],
  });
  try {
    const props = async (who: { user: string; password: string }) =>
      await javaProperties(b.tlsDir, { protocol: "SASL_SSL", mechanism: "SCRAM-SHA-512", ...who });
    const [admin, bob] = [await props(ADMIN), await props(BOB)];
    const as = (
      config: string,
    ) => ["--bootstrap-server", b.at.SASL_SSL, "--command-config", config];
    const acls = async (version: string, ...args: string[]) => {
      const r = await java("acls", version, [...as(admin), ...args]);
      assertEquals(r.code, 0, `kafka-acls ${args.join(" ")}: ${r.stdout}${r.stderr}`);
      return r.stdout;
    };

    await t.step("the admin (super user) creates topics and writes", async () => {
      for (const topic of ["orders", "app-events"]) {
        const r = await java("topics", "4", [
          ...as(admin),
          "--create",
          "--topic",
          topic,
          "--partitions",
          "1",
        ]);
        assertEquals(r.code, 0, r.stderr);
      }
      const p = await kcat(b, ADMIN, ["-t", "orders", "-P"], "o1\no2\no3\n");
      assertEquals(p.code, 0, p.stderr);
    });

    await t.step("without ACLs alice and bob are refused", async () => {
      const r = await kcat(b, ALICE, ["-t", "orders", "-C", "-e", "-q"]);
      assert(r.code !== 0, "alice must not read");
      assert(r.stderr.includes("Topic authorization failed"), r.stderr);
    });

    await t.step(
      "kafka-acls.sh --add: literal (--consumer, Kafka 3.7) and prefixed (4.0)",
      async () => {
        const consumer = await acls(
          "3.7",
          "--add",
          "--allow-principal",
          "User:alice",
          "--consumer",
          "--topic",
          "orders",
          "--group",
          "g",
        );
        assert(
          consumer.includes(
            "Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`",
          ) &&
            consumer.includes(
              "(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)",
            ),
          consumer,
        );
        const prefixed = await acls(
          "4",
          "--add",
          "--allow-principal",
          "User:alice",
          "--operation",
          "Write",
          "--topic",
          "app-",
          "--resource-pattern-type",
          "prefixed",
        );
        assert(prefixed.includes("name=app-, patternType=PREFIXED"), prefixed);
        await waitForLog(
          b.broker,
          (l) =>
            l.includes('"msg":"ACL created"') && l.includes("TOPIC:PREFIXED:app-") &&
            l.includes('"principal":"User:admin"') && l.includes('"remote":"127.0.0.1:'),
        );
      },
    );

    await t.step(
      "kafka-acls.sh --list: everything (4.0), and what matches a topic (3.7)",
      async () => {
        const all = await acls("4", "--list");
        for (
          const resource of [
            "resourceType=TOPIC, name=orders, patternType=LITERAL",
            "resourceType=GROUP, name=g, patternType=LITERAL",
            "resourceType=TOPIC, name=app-, patternType=PREFIXED",
          ]
        ) assert(all.includes(resource), all);
        const match = await acls(
          "3.7",
          "--list",
          "--topic",
          "app-events",
          "--resource-pattern-type",
          "match",
        );
        assert(
          match.includes("name=app-, patternType=PREFIXED") && !match.includes("orders"),
          match,
        );
      },
    );

    await t.step("kcat finds the ACLs enforced at once", async () => {
      const read = await kcat(b, ALICE, [
        "-G",
        "g",
        "orders",
        "-e",
        "-q",
        "-X",
        "auto.offset.reset=earliest",
      ]);
      assertEquals(
        [read.code, read.stdout.split("\n").filter(Boolean)],
        [0, ["o1", "o2", "o3"]],
        read.stderr,
      );
      const write = await kcat(b, ALICE, ["-t", "app-events", "-P"], "e1\n");
      assertEquals(write.code, 0, write.stderr);
      const notThere = await kcat(b, ALICE, ["-t", "orders", "-P"], "x\n");
      assert(notThere.code !== 0, "READ is not WRITE");
      const bobRead = await kcat(b, BOB, ["-t", "orders", "-C", "-e", "-q"]);
      assert(bobRead.stderr.includes("Topic authorization failed"), bobRead.stderr);
    });

    await t.step(
      "kafka-acls.sh --remove: prefixed (3.7) and literal (4.0); the access goes",
      async () => {
        await acls(
          "3.7",
          "--remove",
          "--allow-principal",
          "User:alice",
          "--operation",
          "Write",
          "--topic",
          "app-",
          "--resource-pattern-type",
          "prefixed",
          "--force",
        );
        const write = await kcat(b, ALICE, ["-t", "app-events", "-P"], "e2\n");
        assert(
          write.code !== 0 && write.stderr.includes("Topic authorization failed"),
          write.stderr,
        );
        await acls(
          "4",
          "--remove",
          "--allow-principal",
          "User:alice",
          "--consumer",
          "--topic",
          "orders",
          "--group",
          "g",
          "--force",
        );
        assertEquals((await acls("4", "--list")).trim(), "");
        await waitForLog(
          b.broker,
          (l) =>
            l.includes('"msg":"ACL deleted"') && l.includes("GROUP:LITERAL:g") &&
            l.includes('"principal":"User:admin"'),
        );
        const read = await kcat(b, ALICE, ["-t", "orders", "-C", "-e", "-q"]);
        assert(read.code !== 0 && read.stderr.includes("Topic authorization failed"), read.stderr);
      },
    );

    await t.step(
      "without ALTER_CONFIGS kafka-configs.sh --alter fails; with it, it works",
      async () => {
        await acls(
          "4",
          "--add",
          "--allow-principal",
          "User:bob",
          "--operation",
          "DescribeConfigs",
          "--topic",
          "orders",
        );
        const alter = (v: string) =>
          java("configs", v, [
            ...as(bob),
            "--alter",
            "--entity-type",
            "topics",
            "--entity-name",
            "orders",
            "--add-config",
            "retention.ms=3600000",
          ]);
        for (const v of ["3.7", "4"]) {
          const r = await alter(v);
          assert(r.code !== 0, `Kafka ${v}: the alter must fail`);
          assert(
            (r.stdout + r.stderr).includes("TopicAuthorizationException"),
            r.stdout + r.stderr,
          );
        }
        await waitForLog(
          b.broker,
          (l) =>
            l.includes('"msg":"authorization denied"') && l.includes('"principal":"User:bob"') &&
            l.includes('"api":"IncrementalAlterConfigs"') &&
            l.includes('"operation":"ALTER_CONFIGS"'),
        );
        await acls(
          "3.7",
          "--add",
          "--allow-principal",
          "User:bob",
          "--operation",
          "AlterConfigs",
          "--topic",
          "orders",
        );
        const ok = await alter("4");
        assertEquals([ok.code, ok.stdout.trim()], [
          0,
          "Completed updating config for topic orders.",
        ]);
      },
    );

    await t.step(
      "without DELETE on the group kafka-consumer-groups.sh --delete is refused by DeleteGroups",
      async () => {
        // DESCRIBE lets FindCoordinator through; DeleteGroups itself must refuse.
        await acls(
          "4",
          "--add",
          "--allow-principal",
          "User:bob",
          "--operation",
          "Describe",
          "--group",
          "g",
        );
        for (const v of ["3.7", "4"]) {
          const r = await java("consumer-groups", v, [...as(bob), "--delete", "--group", "g"]);
          const out = r.stdout + r.stderr;
          assert(
            out.includes("Group 'g' could not be deleted due to:") &&
              out.includes("GroupAuthorizationException: Group authorization failed."),
            `Kafka ${v}: ${out}`,
          );
        }
        await waitForLog(
          b.broker,
          (l) =>
            l.includes('"msg":"authorization denied"') && l.includes('"api":"DeleteGroups"') &&
            l.includes('"resource":"GROUP:g"'),
        );
      },
    );

    for (const secret of [ADMIN.password, ALICE.password, BOB.password]) {
      assert(!b.broker.stderr().includes(secret), "no password is ever logged");
    }
  } finally {
    await b.stop();
  }
});
