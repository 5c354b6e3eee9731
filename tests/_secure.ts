/**
 * A broker with every kind of listener for the security suites: SASL_SSL, SSL, SASL_PLAINTEXT
 * and PLAINTEXT on free ports, a throwaway CA (src/testing/services.ts), PLAIN and both SCRAM
 * mechanisms enabled, and users created with `kafscale users add` before it starts (the CLI
 * writes the metadata store directly). Plus the client settings each tool needs.
 * @module
 */
import { makeTestCerts } from "../src/testing/services.ts";
import {
  brokerPermissions,
  type BrokerProcess,
  freePort,
  removeDir,
  run,
  startBroker,
} from "./_harness.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** Users every secure broker starts with. */
export const ALICE = { user: "alice", password: "alice-secret" };
export const BOB = { user: "bob", password: "bob-secret" };

/** A running secure broker and where to reach each listener. */
export interface SecureBroker {
  broker: BrokerProcess;
  /** host:port of each listener by name. */
  at: Record<"SASL_SSL" | "SSL" | "SASL_PLAINTEXT" | "PLAINTEXT", string>;
  /** PEM files: ca.pem trusts the broker's certificate (server.pem, server-key.pem). */
  tlsDir: string;
  ca: string;
  /** The broker's environment (to start it again, or a CLI against its store). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Runs `kafscale` (main.ts) with the broker's permission flags. */
export function kafscale(
  args: string[],
  o: { dataDir: string; stdin?: string; env?: Record<string, string>; readOnly?: string[] },
) {
  return run(`${ROOT}scripts/deno`, [
    "run",
    ...brokerPermissions(o.dataDir, o.readOnly),
    `${ROOT}main.ts`,
    ...args,
  ], { stdin: o.stdin, env: o.env });
}

/** Adds a user with the CLI (both SCRAM mechanisms) to the store of `dataDir` / `env`. */
export async function addUser(
  u: { user: string; password: string },
  o: { dataDir: string; env?: Record<string, string> },
): Promise<void> {
  const r = await kafscale(["users", "add", u.user, "--password-stdin"], {
    dataDir: o.dataDir,
    env: { KAFSCALE_DATA_DIR: o.dataDir, ...o.env },
    stdin: `${u.password}\n`,
  });
  if (r.code !== 0) throw new Error(`Cannot add ${u.user}: ${r.stderr}`);
}

/** Starts a broker with all four listeners; `env` adds or overrides settings. */
export async function startSecureBroker(
  o: { env?: Record<string, string>; users?: { user: string; password: string }[] } = {},
): Promise<SecureBroker> {
  const tlsDir = await Deno.makeTempDir({ prefix: "kafscale-tls-" });
  const dataDir = await Deno.makeTempDir({ prefix: "kafscale-secure-" });
  try {
    await makeTestCerts(tlsDir);
    const tlsFiles = {
      KAFSCALE_TLS_CERT_FILE: `${tlsDir}/server.pem`,
      KAFSCALE_TLS_KEY_FILE: `${tlsDir}/server-key.pem`,
    };
    // The CLI checks the same settings as the broker (a setting may need the TLS files).
    for (const u of o.users ?? [ALICE]) {
      await addUser(u, { dataDir, env: { ...tlsFiles, ...o.env } });
    }
    const ports = {
      SASL_SSL: freePort(),
      SSL: freePort(),
      SASL_PLAINTEXT: freePort(),
      PLAINTEXT: freePort(),
    };
    const env = {
      KAFSCALE_LISTENERS: Object.entries(ports).map(([n, p]) => `${n}://127.0.0.1:${p}`).join(","),
      ...tlsFiles,
      KAFSCALE_SASL_MECHANISMS: "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
      KAFSCALE_AUTO_CREATE_PARTITIONS: "1",
      ...o.env,
    };
    const broker = await startBroker({ dataDir, port: ports.SASL_SSL, env, readOnly: [tlsDir] });
    const at = Object.fromEntries(
      Object.entries(ports).map(([n, p]) => [n, `127.0.0.1:${p}`]),
    ) as SecureBroker["at"];
    return {
      broker,
      at,
      tlsDir,
      ca: `${tlsDir}/ca.pem`,
      env,
      async stop() {
        await broker.stop();
        await removeDir(dataDir);
        await removeDir(tlsDir);
      },
    };
  } catch (e) {
    await removeDir(dataDir);
    await removeDir(tlsDir);
    throw e;
  }
}

/** librdkafka (kcat, confluent-kafka) settings for a listener, as `-X key=value` pairs. */
export function rdkafkaSettings(
  protocol: "SASL_SSL" | "SSL" | "SASL_PLAINTEXT" | "PLAINTEXT",
  o: { ca?: string; mechanism?: string; user?: string; password?: string } = {},
): Record<string, string> {
  return {
    "security.protocol": protocol,
    ...(o.ca ? { "ssl.ca.location": o.ca } : {}),
    ...(o.mechanism
      ? { "sasl.mechanisms": o.mechanism, "sasl.username": o.user!, "sasl.password": o.password! }
      : {}),
  };
}

/** kcat's `-X` arguments for settings. */
export function kcatArgs(settings: Record<string, string>): string[] {
  return Object.entries(settings).flatMap(([k, v]) => ["-X", `${k}=${v}`]);
}

/** A Java client properties file (SASL_SSL or SSL with a PEM truststore); returns its path. */
export async function javaProperties(
  dir: string,
  o: { protocol: "SASL_SSL" | "SSL"; mechanism?: string; user?: string; password?: string },
): Promise<string> {
  const module = o.mechanism === "PLAIN"
    ? "org.apache.kafka.common.security.plain.PlainLoginModule"
    : "org.apache.kafka.common.security.scram.ScramLoginModule";
  const lines = [
    `security.protocol=${o.protocol}`,
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${dir}/ca.pem`,
    ...(o.mechanism
      ? [
        `sasl.mechanism=${o.mechanism}`,
        `sasl.jaas.config=${module} required username="${o.user}" password="${o.password}";`,
      ]
      : []),
  ];
  const path = `${dir}/${o.protocol}-${o.mechanism ?? "none"}-${o.user ?? ""}-${
    o.password ?? ""
  }.properties`;
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

/** Waits until the broker's log has a line matching `what` (checked as lines arrive). */
export async function waitForLog(
  broker: BrokerProcess,
  what: (line: string) => boolean,
  ms = 20_000,
): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const line = broker.stderr().split("\n").find(what);
    if (line) return line;
    if (Date.now() > deadline) {
      throw new Error(
        `The broker did not log the awaited line within ${ms} ms:\n${broker.stderr()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
