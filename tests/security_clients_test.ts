/**
 * Real client libraries over TLS and SASL against one broker process: confluent-kafka
 * (librdkafka 2.6), kafka-python 2.0.2 (SaslHandshake v0 with raw tokens), kafkajs, franz-go
 * and the Apache Kafka 3.7 and 4.0 console producer and consumer each produce and consume over
 * SASL_SSL with SCRAM-SHA-512, over SASL_SSL with PLAIN, and over SSL, and are refused with a
 * wrong password (SASL_AUTHENTICATION_FAILED where the protocol can say it; kafka-python's v0
 * login can only see the connection close, as against Kafka). `kafka-configs.sh --entity-type
 * users` adds, describes and deletes SCRAM credentials, and the user it adds logs in.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { kgoClient, requireTool, run, toolsDir } from "./_harness.ts";
import {
  ALICE,
  javaProperties,
  kcatArgs,
  rdkafkaSettings,
  type SecureBroker,
  startSecureBroker,
  waitForLog,
} from "./_secure.ts";

const HERE = new URL("./clients/", import.meta.url).pathname;
const KAFKA = new URL("../scripts/kafka/", import.meta.url).pathname;
const WRONG = "not-the-password";
type Mode = "SCRAM-SHA-512" | "PLAIN" | "SSL";
const MODES: Mode[] = ["SCRAM-SHA-512", "PLAIN", "SSL"];

function listener(b: SecureBroker, mode: Mode): string {
  return mode === "SSL" ? b.at.SSL : b.at.SASL_SSL;
}

async function python(args: string[]) {
  return await run(requireTool(`${toolsDir()}/venv/bin/python`), [
    `${HERE}python/secure_produce_consume.py`,
    ...args,
  ], { timeoutMs: 90_000 });
}

async function java(tool: string, version: string, args: string[], stdin?: string) {
  return await run(`${KAFKA}kafka-${tool}.sh`, args, {
    env: { KAFKA_VERSION: version },
    stdin,
    timeoutMs: 120_000,
  });
}

Deno.test("security clients: confluent-kafka, kafka-python, kafkajs, franz-go and the Java 3.7/4.0 tools over SASL_SSL and SSL", async (t) => {
  const b = await startSecureBroker({ env: { KAFSCALE_LOG_LEVEL: "info" } });
  try {
    await t.step("confluent-kafka", async () => {
      for (const mode of MODES) {
        const s = mode === "SSL"
          ? rdkafkaSettings("SSL", { ca: b.ca })
          : rdkafkaSettings("SASL_SSL", { ca: b.ca, mechanism: mode, ...ALICE });
        const r = await python([
          "confluent",
          listener(b, mode),
          JSON.stringify(s),
          `ck-${mode}`,
          "500",
        ]);
        assertEquals([r.code, r.stdout.trim()], [0, "ok 500"], r.stderr);
      }
      const bad = rdkafkaSettings("SASL_SSL", {
        ca: b.ca,
        mechanism: "SCRAM-SHA-512",
        user: "alice",
        password: WRONG,
      });
      const r = await python(["confluent", b.at.SASL_SSL, JSON.stringify(bad), "ck-bad", "1"]);
      assertEquals(r.code, 3, r.stdout + r.stderr);
      assert(
        r.stdout.includes("Authentication failed during authentication due to invalid credentials"),
        r.stdout,
      );
    });

    await t.step("kafka-python 2.0.2 (SaslHandshake v0, raw tokens)", async () => {
      for (const mode of MODES) {
        const s = mode === "SSL" ? { security_protocol: "SSL", ssl_cafile: b.ca } : {
          security_protocol: "SASL_SSL",
          ssl_cafile: b.ca,
          sasl_mechanism: mode,
          sasl_plain_username: ALICE.user,
          sasl_plain_password: ALICE.password,
        };
        const r = await python([
          "kafka-python",
          listener(b, mode),
          JSON.stringify(s),
          `kp-${mode}`,
          "200",
        ]);
        assertEquals([r.code, r.stdout.trim()], [0, "ok 200"], r.stderr);
      }
      const bad = {
        security_protocol: "SASL_SSL",
        ssl_cafile: b.ca,
        sasl_mechanism: "SCRAM-SHA-512",
        sasl_plain_username: "alice",
        sasl_plain_password: WRONG,
      };
      const r = await python(["kafka-python", b.at.SASL_SSL, JSON.stringify(bad), "kp-bad", "1"]);
      assertEquals(r.code, 3, r.stdout + r.stderr);
    });

    await t.step("kafkajs", async () => {
      const dir = requireTool(`${toolsDir()}/node/node_modules`);
      const env = { KAFKAJS_DIR: dir, KAFKAJS_NO_PARTITIONER_WARNING: "1" };
      const kjs = (mode: Mode, topic: string, password: string) =>
        run("node", [
          `${HERE}node/secure_produce_consume.mjs`,
          listener(b, mode),
          topic,
          "300",
          b.ca,
          mode === "SSL" ? "-" : mode,
          ALICE.user,
          password,
        ], { env, timeoutMs: 90_000 });
      for (const mode of MODES) {
        const r = await kjs(mode, `kjs-${mode}`, ALICE.password);
        assertEquals([r.code, r.stdout.trim()], [0, "ok 300"], r.stderr);
      }
      const r = await kjs("SCRAM-SHA-512", "kjs-bad", WRONG);
      assertEquals(r.code, 3, r.stdout + r.stderr);
      assert(
        r.stdout.includes("Authentication failed during authentication due to invalid credentials"),
        r.stdout,
      );
    });

    await t.step("franz-go", async () => {
      const kgo = await kgoClient();
      const secure = (mode: Mode, topic: string, password: string) =>
        run(kgo, [
          "secure",
          "-brokers",
          listener(b, mode),
          "-topic",
          topic,
          "-n",
          "300",
          "-ca",
          b.ca,
          ...(mode === "SSL"
            ? []
            : ["-mechanism", mode, "-user", ALICE.user, "-password", password]),
        ], { timeoutMs: 90_000 });
      for (const mode of MODES) {
        const r = await secure(mode, `kgo-${mode}`, ALICE.password);
        assertEquals([r.code, r.stdout.trim()], [0, "ok 300"], r.stderr);
      }
      const r = await secure("SCRAM-SHA-512", "kgo-bad", WRONG);
      assertEquals(r.code, 1);
      assert(r.stderr.includes("SASL_AUTHENTICATION_FAILED"), r.stderr);
    });

    await t.step("Java 3.7 and 4.0 console producer and consumer", async () => {
      const props = {
        "SCRAM-SHA-512": await javaProperties(b.tlsDir, {
          protocol: "SASL_SSL",
          mechanism: "SCRAM-SHA-512",
          ...ALICE,
        }),
        PLAIN: await javaProperties(b.tlsDir, {
          protocol: "SASL_SSL",
          mechanism: "PLAIN",
          ...ALICE,
        }),
        SSL: await javaProperties(b.tlsDir, { protocol: "SSL" }),
      };
      // [mode, producer version, consumer version]: each mode with both releases on some side.
      const runs: [Mode, string, string][] = [
        ["SCRAM-SHA-512", "3.7", "4"],
        ["SCRAM-SHA-512", "4", "3.7"],
        ["PLAIN", "3.7", "4"],
        ["SSL", "4", "3.7"],
      ];
      for (const [mode, pv, cv] of runs) {
        const topic = `java-${mode}-${pv}`;
        const lines = Array.from({ length: 300 }, (_, i) => `${topic}-${i}`);
        const at = listener(b, mode);
        const p = await java("console-producer", pv, [
          "--bootstrap-server",
          at,
          "--topic",
          topic,
          "--producer.config",
          props[mode],
        ], lines.join("\n") + "\n");
        assertEquals(p.code, 0, `${topic} produce: ${p.stderr}`);
        const c = await java("console-consumer", cv, [
          "--bootstrap-server",
          at,
          "--topic",
          topic,
          "--consumer.config",
          props[mode],
          "--partition",
          "0",
          "--offset",
          "earliest",
          "--max-messages",
          "300",
          "--timeout-ms",
          "30000",
        ]);
        assertEquals(c.code, 0, `${topic} consume: ${c.stderr}`);
        assertEquals(c.stdout.split("\n").filter(Boolean), lines, topic);
      }
      const bad = await javaProperties(b.tlsDir, {
        protocol: "SASL_SSL",
        mechanism: "SCRAM-SHA-512",
        user: "alice",
        password: WRONG,
      });
      for (const v of ["3.7", "4"]) {
        const r = await java("topics", v, [
          "--bootstrap-server",
          b.at.SASL_SSL,
          "--list",
          "--command-config",
          bad,
        ]);
        assert(r.code !== 0, "a wrong password must fail");
        assert(
          (r.stdout + r.stderr).includes(
            "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512",
          ),
          r.stdout + r.stderr,
        );
      }
    });

    await t.step(
      "kafka-configs.sh adds, describes and deletes SCRAM users; the added user logs in",
      async () => {
        const admin = await javaProperties(b.tlsDir, {
          protocol: "SASL_SSL",
          mechanism: "SCRAM-SHA-512",
          ...ALICE,
        });
        const configs = (v: string, ...args: string[]) =>
          java("configs", v, [
            "--bootstrap-server",
            b.at.SASL_SSL,
            "--command-config",
            admin,
            ...args,
          ]);
        const add = await configs(
          "3.7",
          "--alter",
          "--add-config",
          "SCRAM-SHA-256=[iterations=8192,password=carol-secret]",
          "--entity-type",
          "users",
          "--entity-name",
          "carol",
        );
        assertEquals([add.code, add.stdout.trim()], [
          0,
          "Completed updating config for user carol.",
        ], add.stderr);
        await waitForLog(
          b.broker,
          (l) =>
            l.includes("SCRAM credentials altered") && l.includes('"user":"carol"') &&
            l.includes('"principal":"User:alice"') && l.includes('"remote":"127.0.0.1:'),
        );
        for (const v of ["3.7", "4"]) {
          const d = await configs(v, "--describe", "--entity-type", "users");
          assertEquals(d.code, 0, d.stderr);
          assert(
            d.stdout.includes(
              "SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-256=iterations=8192",
            ),
            d.stdout,
          );
          assert(
            d.stdout.includes(
              "user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=8192",
            ),
            d.stdout,
          );
        }
        const login = (password: string) =>
          run("kcat", [
            "-b",
            b.at.SASL_SSL,
            ...kcatArgs(
              rdkafkaSettings("SASL_SSL", {
                ca: b.ca,
                mechanism: "SCRAM-SHA-256",
                user: "carol",
                password,
              }),
            ),
            "-L",
            "-m",
            "5",
          ], { timeoutMs: 30_000 });
        assertEquals(
          (await login("carol-secret")).code,
          0,
          "carol logs in with the password kafka-configs set",
        );
        const del = await configs(
          "4",
          "--alter",
          "--delete-config",
          "SCRAM-SHA-256",
          "--entity-type",
          "users",
          "--entity-name",
          "carol",
        );
        assertEquals(del.code, 0, del.stderr);
        const after = await configs("4", "--describe", "--entity-type", "users");
        assert(!after.stdout.includes("'carol'"), after.stdout);
        assert((await login("carol-secret")).code !== 0, "a deleted user cannot log in");
        const again = await configs(
          "3.7",
          "--alter",
          "--delete-config",
          "SCRAM-SHA-256",
          "--entity-type",
          "users",
          "--entity-name",
          "carol",
        );
        assert(
          again.code !== 0 &&
            again.stderr.includes("Attempt to delete a user credential that does not exist"),
          again.stderr,
        );
        // The Java tool checks iterations itself; the broker's own checks are unit-tested.
        const few = await configs(
          "3.7",
          "--alter",
          "--add-config",
          "SCRAM-SHA-256=[iterations=1000,password=x]",
          "--entity-type",
          "users",
          "--entity-name",
          "dave",
        );
        const said = few.stdout + few.stderr;
        assert(said.includes("Iterations 1000 is less than the minimum 4096"), said);
      },
    );
  } finally {
    await b.stop();
  }
});
