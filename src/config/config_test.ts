import { assertEquals, assertThrows } from "../testing/assert.ts";
import { ConfigError, parseConfig, settingDocs } from "./config.ts";

Deno.test("config: etcd TLS files default to unset and are documented", () => {
  const c = parseConfig({});
  assertEquals([c.etcdTlsCaFile, c.etcdTlsCertFile, c.etcdTlsKeyFile], ["", "", ""]);
  const envs = settingDocs().map((d) => d.env);
  for (const env of ["CA", "CERT", "KEY"]) {
    assertEquals(envs.includes(`KAFSCALE_ETCD_TLS_${env}_FILE`), true, env);
  }
});

Deno.test("config: etcd client certificate and key are set together", () => {
  const c = parseConfig({
    KAFSCALE_ETCD_TLS_CA_FILE: "/etc/kafscale/ca.pem",
    KAFSCALE_ETCD_TLS_CERT_FILE: "/etc/kafscale/client.pem",
    KAFSCALE_ETCD_TLS_KEY_FILE: "/etc/kafscale/client-key.pem",
  });
  assertEquals(c.etcdTlsCertFile, "/etc/kafscale/client.pem");
  assertEquals(c.etcdTlsKeyFile, "/etc/kafscale/client-key.pem");
  assertEquals(parseConfig({ KAFSCALE_ETCD_TLS_CA_FILE: "/ca.pem" }).etcdTlsCaFile, "/ca.pem");
});

Deno.test("config: an etcd client certificate without its key stops start-up naming both", () => {
  const e = assertThrows(
    () => parseConfig({ KAFSCALE_ETCD_TLS_CERT_FILE: "/etc/kafscale/client.pem" }),
    ConfigError,
  );
  assertEquals(
    e.message,
    'Invalid KAFSCALE_ETCD_TLS_CERT_FILE="/etc/kafscale/client.pem": needs ' +
      "KAFSCALE_ETCD_TLS_KEY_FILE too (a client certificate goes with its key)",
  );
  assertThrows(
    () => parseConfig({ KAFSCALE_ETCD_TLS_KEY_FILE: "/k.pem" }),
    ConfigError,
    'Invalid KAFSCALE_ETCD_TLS_KEY_FILE="/k.pem": needs KAFSCALE_ETCD_TLS_CERT_FILE too',
  );
});

Deno.test("config: KAFSCALE_SEND_TIMEOUT_MS defaults to 30 s, is documented and has a floor", () => {
  assertEquals(parseConfig({}).sendTimeoutMs, 30_000);
  assertEquals(parseConfig({ KAFSCALE_SEND_TIMEOUT_MS: "2000" }).sendTimeoutMs, 2000);
  assertEquals(settingDocs().some((d) => d.env === "KAFSCALE_SEND_TIMEOUT_MS"), true);
  assertThrows(
    () => parseConfig({ KAFSCALE_SEND_TIMEOUT_MS: "5" }),
    ConfigError,
    'Invalid KAFSCALE_SEND_TIMEOUT_MS="5": must be at least 100',
  );
});

Deno.test("config: message timestamp bounds default to no limit in the past and one hour ahead", () => {
  const c = parseConfig({});
  assertEquals(c.messageTimestampBeforeMaxMs, Number.MAX_SAFE_INTEGER); // Long.MAX: no limit
  assertEquals(c.messageTimestampAfterMaxMs, 3_600_000);
  const envs = settingDocs().map((d) => d.env);
  for (const when of ["BEFORE", "AFTER"]) {
    assertEquals(envs.includes(`KAFSCALE_MESSAGE_TIMESTAMP_${when}_MAX_MS`), true, when);
  }
  const set = parseConfig({
    KAFSCALE_MESSAGE_TIMESTAMP_BEFORE_MAX_MS: "604800000",
    KAFSCALE_MESSAGE_TIMESTAMP_AFTER_MAX_MS: "9223372036854775807",
  });
  assertEquals(set.messageTimestampBeforeMaxMs, 604_800_000);
  assertEquals(set.messageTimestampAfterMaxMs, Number.MAX_SAFE_INTEGER);
  assertThrows(
    () => parseConfig({ KAFSCALE_MESSAGE_TIMESTAMP_AFTER_MAX_MS: "-5" }),
    ConfigError,
    'Invalid KAFSCALE_MESSAGE_TIMESTAMP_AFTER_MAX_MS="-5": must be at least 0',
  );
  assertThrows(
    () => parseConfig({ KAFSCALE_MESSAGE_TIMESTAMP_BEFORE_MAX_MS: "9223372036854775808" }),
    ConfigError,
    "must be a whole number up to 9223372036854775807",
  );
});

Deno.test("config: KAFSCALE_FLUSH_INTERVAL_MS defaults to 0 embedded and 10 ms with S3 or etcd", () => {
  assertEquals(parseConfig({}).flushIntervalMs, 0);
  assertEquals(parseConfig({ KAFSCALE_USE_MEMORY_S3: "1" }).flushIntervalMs, 0);
  assertEquals(parseConfig({ KAFSCALE_S3_BUCKET: "b" }).flushIntervalMs, 10);
  assertEquals(parseConfig({ KAFSCALE_ETCD_ENDPOINTS: "127.0.0.1:2379" }).flushIntervalMs, 10);
  const both = { KAFSCALE_S3_BUCKET: "b", KAFSCALE_ETCD_ENDPOINTS: "127.0.0.1:2379" };
  assertEquals(parseConfig(both).flushIntervalMs, 10);
  assertEquals(parseConfig({ ...both, KAFSCALE_FLUSH_INTERVAL_MS: "0" }).flushIntervalMs, 0);
  assertEquals(parseConfig({ KAFSCALE_FLUSH_INTERVAL_MS: "25" }).flushIntervalMs, 25);
  const doc = settingDocs().find((d) => d.env === "KAFSCALE_FLUSH_INTERVAL_MS");
  assertEquals(doc?.default, "0 embedded, 10 with S3 or etcd");
  assertThrows(
    () => parseConfig({ KAFSCALE_FLUSH_INTERVAL_MS: "-1" }),
    ConfigError,
    'Invalid KAFSCALE_FLUSH_INTERVAL_MS="-1": must be at least 0',
  );
});
