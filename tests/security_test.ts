/**
 * Listeners, TLS and SASL over real sockets: kcat (librdkafka) and our own client against a
 * broker with SASL_SSL, SSL, SASL_PLAINTEXT and PLAINTEXT listeners. Each listener answers
 * Metadata with its own addresses; wrong passwords are SASL_AUTHENTICATION_FAILED, counted and
 * logged without the password; a plaintext client on a TLS port fails alone; requests before
 * authentication close the connection; sessions expire (KIP-368) and re-authenticate.
 * (Certificate reload and start-up settings: tests/security_tls_test.ts.)
 */
import { assert, assertEquals, assertRejects } from "../src/testing/assert.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { ErrorCode } from "../src/protocol/errors.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { ApiVersions, type ApiVersionsResponse } from "../src/protocol/messages/18_api_versions.ts";
import {
  SaslHandshake,
  type SaslHandshakeResponse,
} from "../src/protocol/messages/17_sasl_handshake.ts";
import {
  SaslAuthenticate,
  type SaslAuthenticateResponse,
} from "../src/protocol/messages/36_sasl_authenticate.ts";
import { requireTool, run, toolsDir } from "./_harness.ts";
import {
  ALICE,
  kcatArgs,
  rdkafkaSettings,
  type SecureBroker,
  startSecureBroker,
  waitForLog,
} from "./_secure.ts";

const METADATA = {
  topics: null,
  allowAutoTopicCreation: false,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
};
const WRONG = "wrong-password-x9";

async function kcatRoundTrip(
  b: SecureBroker,
  listener: keyof SecureBroker["at"],
  s: Record<string, string>,
  topic: string,
) {
  const lines = Array.from({ length: 200 }, (_, i) => `${topic}-${i}`);
  const p = await run("kcat", [
    "-b",
    b.at[listener],
    ...kcatArgs(s),
    "-t",
    topic,
    "-P",
    "-X",
    "acks=all",
  ], {
    stdin: lines.join("\n") + "\n",
    timeoutMs: 60_000,
  });
  assertEquals(p.code, 0, `${topic} produce: ${p.stderr}`);
  const c = await run(
    "kcat",
    ["-b", b.at[listener], ...kcatArgs(s), "-t", topic, "-C", "-e", "-q"],
    {
      timeoutMs: 60_000,
    },
  );
  assertEquals(c.code, 0, `${topic} consume: ${c.stderr}`);
  assertEquals(c.stdout.split("\n").filter(Boolean), lines, topic);
}

async function metric(b: SecureBroker, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${b.broker.metricsPort}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

/** Resolves once the peer closes `c` (a request on it fails) or throws after `ms`. */
async function closedWithin(c: KafkaConnection, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      c.closedByPeer(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the broker did not close within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("security: every listener with kcat and our client", async (t) => {
  const b = await startSecureBroker({ env: { KAFSCALE_LOG_LEVEL: "info" } });
  const ca = await Deno.readTextFile(b.ca);
  try {
    await t.step(
      "kcat produces and consumes over SASL_SSL (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN), SASL_PLAINTEXT and SSL",
      async () => {
        const login = (mechanism: string) => ({ ca: b.ca, mechanism, ...ALICE });
        await kcatRoundTrip(
          b,
          "SASL_SSL",
          rdkafkaSettings("SASL_SSL", login("SCRAM-SHA-512")),
          "k-scram512",
        );
        await kcatRoundTrip(
          b,
          "SASL_SSL",
          rdkafkaSettings("SASL_SSL", login("SCRAM-SHA-256")),
          "k-scram256",
        );
        await kcatRoundTrip(b, "SASL_SSL", rdkafkaSettings("SASL_SSL", login("PLAIN")), "k-plain");
        await kcatRoundTrip(
          b,
          "SASL_PLAINTEXT",
          rdkafkaSettings("SASL_PLAINTEXT", { mechanism: "SCRAM-SHA-512", ...ALICE }),
          "k-saslplain",
        );
        await kcatRoundTrip(b, "SSL", rdkafkaSettings("SSL", { ca: b.ca }), "k-ssl");
      },
    );

    await t.step("each listener's clients are told that listener's address", async () => {
      const settings = {
        SASL_SSL: rdkafkaSettings("SASL_SSL", { ca: b.ca, mechanism: "SCRAM-SHA-512", ...ALICE }),
        SSL: rdkafkaSettings("SSL", { ca: b.ca }),
        SASL_PLAINTEXT: rdkafkaSettings("SASL_PLAINTEXT", { mechanism: "PLAIN", ...ALICE }),
        PLAINTEXT: rdkafkaSettings("PLAINTEXT"),
      };
      for (const [name, s] of Object.entries(settings)) {
        const at = b.at[name as keyof typeof settings];
        const r = await run("kcat", ["-b", at, ...kcatArgs(s), "-L"], { timeoutMs: 30_000 });
        assertEquals(r.code, 0, r.stderr);
        assert(r.stdout.includes(`broker 0 at ${at} (controller)`), `${name}: ${r.stdout}`);
      }
    });

    await t.step(
      "a wrong password or unknown user is SASL_AUTHENTICATION_FAILED, counted, and logged without the password",
      async () => {
        const before = await metric(
          b,
          'kafscale_sasl_authentications_total{mechanism="SCRAM-SHA-512",outcome="failure"}',
        );
        for (const user of ["alice", "mallory"]) {
          const s = rdkafkaSettings("SASL_SSL", {
            ca: b.ca,
            mechanism: "SCRAM-SHA-512",
            user,
            password: WRONG,
          });
          const r = await run("kcat", ["-b", b.at.SASL_SSL, ...kcatArgs(s), "-L", "-m", "3"], {
            timeoutMs: 30_000,
          });
          assert(r.code !== 0, "kcat must fail");
          assert(
            r.stderr.includes(
              "SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512",
            ),
            r.stderr,
          );
        }
        const line = await waitForLog(
          b.broker,
          (l) => l.includes("SASL authentication failed") && l.includes('"user":"mallory"'),
        );
        assert(
          line.includes('"remote":"127.0.0.1:') && line.includes('"reason":"unknown user"'),
          line,
        );
        await waitForLog(
          b.broker,
          (l) => l.includes("SASL authentication failed") && l.includes('"user":"alice"'),
        );
        assert(!b.broker.stderr().includes(WRONG), "the password is never logged");
        const after = await metric(
          b,
          'kafscale_sasl_authentications_total{mechanism="SCRAM-SHA-512",outcome="failure"}',
        );
        assert(after >= before + 2, `failures counted: ${before} -> ${after}`);
        assert(
          await metric(
            b,
            'kafscale_sasl_authentications_total{mechanism="SCRAM-SHA-512",outcome="success"}',
          ) >= 1,
        );

        const wrong = await assertRejects(
          () =>
            KafkaConnection.connect(b.at.SASL_SSL, "t", {
              tls: { caCerts: [ca] },
              sasl: { mechanism: "PLAIN", user: "alice", password: WRONG },
            }),
          Error,
        );
        assert(wrong.message.includes("SASL_AUTHENTICATION_FAILED"), wrong.message);
      },
    );

    await t.step(
      "a plaintext client on a TLS port fails cleanly while the broker keeps serving others",
      async () => {
        const tls = await KafkaConnection.connect(b.at.SSL, "t", { tls: { caCerts: [ca] } });
        try {
          const plain = await KafkaConnection.connect(b.at.SSL);
          await assertRejects(() =>
            plain.request(ApiVersions, 3, { clientSoftwareName: "x", clientSoftwareVersion: "1" })
          );
          await closedWithin(plain, 10_000);
          const k = await run("kcat", ["-b", b.at.SASL_SSL, "-L", "-m", "3"], {
            timeoutMs: 30_000,
          });
          assert(k.code !== 0, "kcat in plaintext on SASL_SSL must fail");
          await assertRejects(() =>
            Deno.connectTls({
              hostname: "127.0.0.1",
              port: Number(b.at.PLAINTEXT.split(":")[1]),
              caCerts: [ca],
            }).then(async (c) => {
              try {
                await c.handshake();
              } finally {
                c.close();
              }
            })
          );
          const md = await tls.request<MetadataResponse>(Metadata, 12, METADATA);
          assertEquals(
            md.brokers.map((x) => `${x.host}:${x.port}`),
            [b.at.SSL],
            "the open TLS connection goes on",
          );
          const fresh = await KafkaConnection.connect(b.at.SSL, "t", { tls: { caCerts: [ca] } });
          await fresh.request(Metadata, 12, METADATA);
          await fresh.close();
        } finally {
          await tls.close();
        }
      },
    );

    await t.step(
      "before authentication only ApiVersions and the SASL APIs are served; anything else closes the connection",
      async () => {
        for (const listener of ["SASL_PLAINTEXT", "SASL_SSL"] as const) {
          const c = await KafkaConnection.connect(
            b.at[listener],
            "t",
            listener === "SASL_SSL" ? { tls: { caCerts: [ca] } } : {},
          );
          const v = await c.request<ApiVersionsResponse>(ApiVersions, 3, {
            clientSoftwareName: "t",
            clientSoftwareVersion: "1",
          });
          const keys = v.apiKeys.map((k) => k.apiKey);
          assert(
            keys.includes(17) && keys.includes(36) && keys.includes(50) && keys.includes(51),
            `${keys}`,
          );
          await assertRejects(() => c.request(Metadata, 12, METADATA), Error, "connection closed");
          await closedWithin(c, 10_000);
        }
        await waitForLog(
          b.broker,
          (l) => l.includes("Cannot serve Metadata before SASL authentication completes"),
        );

        const early = await KafkaConnection.connect(b.at.SASL_PLAINTEXT);
        const r = await early.request<SaslAuthenticateResponse>(SaslAuthenticate, 2, {
          authBytes: new Uint8Array(),
        });
        assertEquals(
          r.errorCode,
          ErrorCode.ILLEGAL_SASL_STATE,
          "SaslAuthenticate before SaslHandshake",
        );
        await closedWithin(early, 10_000);

        const gssapi = await KafkaConnection.connect(b.at.SASL_PLAINTEXT);
        const h = await gssapi.request<SaslHandshakeResponse>(SaslHandshake, 1, {
          mechanism: "GSSAPI",
        });
        assertEquals(h, {
          errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
          mechanisms: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"],
        });
        await closedWithin(gssapi, 10_000);

        const open = await KafkaConnection.connect(b.at.PLAINTEXT);
        const ph = await open.request<SaslHandshakeResponse>(SaslHandshake, 1, {
          mechanism: "PLAIN",
        });
        assertEquals(ph, { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] });
        await open.request(Metadata, 12, METADATA); // still open
        await open.close();

        // Before login a frame may not exceed 512 KiB (Kafka's sasl.server.max.receive.size);
        // after it the usual limit holds.
        const big = await KafkaConnection.connect(b.at.SASL_PLAINTEXT);
        await big.writeRaw(new Uint8Array([0, 9, 0x27, 0xc0])); // announces 600,000 bytes
        await closedWithin(big, 10_000);
        await waitForLog(b.broker, (l) => l.includes("larger than the limit of 524288 bytes"));
        const loggedIn = await KafkaConnection.connect(b.at.SASL_PLAINTEXT, "t", {
          sasl: { mechanism: "SCRAM-SHA-512", ...ALICE },
        });
        const produced = await loggedIn.request<ProduceResponse>(Produce, 9, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 10_000,
          topicData: [{
            name: "big-after-login",
            partitionData: [{
              index: 0,
              records: buildRecordBatch([{ value: new Uint8Array(600_000) }]),
            }],
          }],
        });
        assertEquals(produced.responses[0]!.partitionResponses[0]!.errorCode, 0);
        await loggedIn.close();

        const done = await KafkaConnection.connect(b.at.SASL_PLAINTEXT, "t", {
          sasl: { mechanism: "SCRAM-SHA-256", ...ALICE },
        });
        const again = await done.request<SaslAuthenticateResponse>(SaslAuthenticate, 2, {
          authBytes: new Uint8Array(),
        });
        assertEquals(
          again.errorCode,
          ErrorCode.ILLEGAL_SASL_STATE,
          "SaslAuthenticate after logging in",
        );
        await done.request(Metadata, 12, METADATA); // still open
        await done.close();
      },
    );
  } finally {
    await b.stop();
  }
});

Deno.test("security: sessions expire after KAFSCALE_SASL_SESSION_LIFETIME_MS unless re-authenticated, and librdkafka re-authenticates (KIP-368)", async () => {
  const b = await startSecureBroker({
    env: { KAFSCALE_SASL_SESSION_LIFETIME_MS: "1500", KAFSCALE_LOG_LEVEL: "debug" },
  });
  try {
    const login = { mechanism: "SCRAM-SHA-512" as const, ...ALICE };
    const renewing = await KafkaConnection.connect(b.at.SASL_PLAINTEXT, "t");
    const lazy = await KafkaConnection.connect(b.at.SASL_PLAINTEXT, "t");
    assertEquals(await renewing.authenticate(login), 1500);
    assertEquals(await lazy.authenticate(login), 1500);
    // The lazy connection is closed at its first request past its lifetime; the other renews
    // its session each time it learns the lazy one's fate.
    const deadline = Date.now() + 15_000;
    for (;;) {
      assertEquals(
        await renewing.authenticate(login),
        1500,
        "re-authentication on the same connection",
      );
      try {
        await lazy.request(Metadata, 12, METADATA);
      } catch {
        break;
      }
      assert(Date.now() < deadline, "the expired session was never closed");
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitForLog(
      b.broker,
      (l) => l.includes("the SASL session expired and the client did not re-authenticate"),
    );
    await renewing.request(Metadata, 12, METADATA);
    await renewing.close();
    await lazy.close();

    const py = requireTool(`${toolsDir()}/venv/bin/python`);
    const r = await run(py, [
      new URL("./clients/python/secure_produce_consume.py", import.meta.url).pathname,
      "confluent",
      b.at.SASL_SSL,
      JSON.stringify(
        rdkafkaSettings("SASL_SSL", { ca: b.ca, ...login, mechanism: "SCRAM-SHA-512" }),
      ),
      "reauth",
      "16",
      "250",
    ], { timeoutMs: 90_000 });
    assertEquals(r.code, 0, r.stdout + r.stderr);
    await waitForLog(
      b.broker,
      (l) => l.includes("SASL authentication succeeded") && l.includes('"reauthentication":true'),
    );
  } finally {
    await b.stop();
  }
});
