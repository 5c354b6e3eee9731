/**
 * Listener, TLS and SASL settings: Kafka's listener syntax, advertised addresses, the old
 * single-address variables, and one clear line for every mistake.
 */
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { ConfigError, parseConfig } from "./config.ts";
import { advertisedListeners } from "./security.ts";

const TLS = { KAFSCALE_TLS_CERT_FILE: "/etc/kafscale/tls.pem", KAFSCALE_TLS_KEY_FILE: "/k.pem" };

Deno.test("listeners: unset, KAFSCALE_BROKER_ADDR is the one PLAINTEXT listener as before", () => {
  const c = parseConfig({});
  assertEquals(c.listeners, [{
    name: "PLAINTEXT",
    host: "0.0.0.0",
    port: 9092,
    advertisedHost: "localhost",
    advertisedPort: 9092,
    tls: false,
    sasl: false,
  }]);
  const old = parseConfig({
    KAFSCALE_BROKER_ADDR: "10.0.0.5:19092",
    KAFSCALE_BROKER_HOST: "kafka.example.com",
    KAFSCALE_BROKER_PORT: "9092",
  });
  assertEquals(
    [old.listenHost, old.listenPort, old.advertisedHost, old.advertisedPort],
    ["10.0.0.5", 19092, "kafka.example.com", 9092],
  );
  assertEquals(advertisedListeners(old.listeners), "PLAINTEXT://kafka.example.com:9092");
  assertEquals(parseConfig({}).saslMechanisms, ["SCRAM-SHA-256", "SCRAM-SHA-512"]);
  assertEquals(parseConfig({}).saslSessionLifetimeMs, 0);
});

Deno.test("listeners: several at once, each advertised as told or by default", () => {
  const c = parseConfig({
    ...TLS,
    KAFSCALE_LISTENERS: "SASL_SSL://0.0.0.0:9094, plaintext://127.0.0.1:9092,SSL://[::1]:9095",
    KAFSCALE_ADVERTISED_LISTENERS: "SASL_SSL://kafka.example.com:443",
    KAFSCALE_BROKER_HOST: "b1.internal",
  });
  assertEquals(
    c.listeners.map((
      l,
    ) => [l.name, l.host, l.port, l.advertisedHost, l.advertisedPort, l.tls, l.sasl]),
    [
      ["SASL_SSL", "0.0.0.0", 9094, "kafka.example.com", 443, true, true],
      ["PLAINTEXT", "127.0.0.1", 9092, "b1.internal", 9092, false, false],
      ["SSL", "::1", 9095, "b1.internal", 9095, true, false],
    ],
  );
  assertEquals(
    advertisedListeners(c.listeners),
    "SASL_SSL://kafka.example.com:443,PLAINTEXT://b1.internal:9092,SSL://b1.internal:9095",
  );
  assertEquals(c.advertisedPort, 443, "the first listener is the primary one");
  const noHost = parseConfig({
    KAFSCALE_LISTENERS: "SASL_PLAINTEXT://:9093,PLAINTEXT://10.1.1.1:0",
  });
  assertEquals(noHost.listeners.map((l) => `${l.host} ${l.advertisedHost}:${l.advertisedPort}`), [
    "0.0.0.0 localhost:9093",
    "10.1.1.1 10.1.1.1:0",
  ]);
});

Deno.test("listeners: every mistake stops start-up with one line naming the variable", () => {
  const bad = (vars: Record<string, string>, message: string) =>
    assertThrows(() => parseConfig(vars), ConfigError, message);
  bad(
    { KAFSCALE_LISTENERS: "TLS://:9092" },
    'Invalid KAFSCALE_LISTENERS="TLS://:9092": unknown listener TLS (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)',
  );
  bad({ KAFSCALE_LISTENERS: "PLAINTEXT:9092" }, '"PLAINTEXT:9092" is not NAME://host:port');
  bad({ KAFSCALE_LISTENERS: "PLAINTEXT://:99999" }, "port 99999 is above 65535");
  bad({ KAFSCALE_LISTENERS: "PLAINTEXT://:1,PLAINTEXT://:2" }, "PLAINTEXT is listed twice");
  bad({ KAFSCALE_LISTENERS: ",," }, "names no listener");
  bad(
    { KAFSCALE_LISTENERS: "PLAINTEXT://:9092,SASL_PLAINTEXT://127.0.0.1:9092" },
    "port 9092 is used twice",
  );
  bad(
    { KAFSCALE_LISTENERS: "SSL://:9093" },
    'Invalid KAFSCALE_LISTENERS="SSL://:9093": SSL need KAFSCALE_TLS_CERT_FILE and KAFSCALE_TLS_KEY_FILE',
  );
  bad(
    { KAFSCALE_LISTENERS: "PLAINTEXT://:9092", KAFSCALE_ADVERTISED_LISTENERS: "SSL://a:1" },
    'Invalid KAFSCALE_ADVERTISED_LISTENERS="SSL://a:1": SSL is not a listener',
  );
  bad(
    {
      KAFSCALE_LISTENERS: "PLAINTEXT://:9092",
      KAFSCALE_ADVERTISED_LISTENERS: "PLAINTEXT://0.0.0.0:1",
    },
    "PLAINTEXT must name a host clients can reach",
  );
  bad(
    { KAFSCALE_LISTENERS: "PLAINTEXT://:9092", KAFSCALE_BROKER_ADDR: "0.0.0.0:9092" },
    "Invalid KAFSCALE_BROKER_ADDR: it is for a broker without KAFSCALE_LISTENERS",
  );
  bad(
    { KAFSCALE_LISTENERS: "PLAINTEXT://:9092", KAFSCALE_BROKER_PORT: "1" },
    "Invalid KAFSCALE_BROKER_PORT: it is for a broker without KAFSCALE_LISTENERS",
  );
  bad(
    { KAFSCALE_TLS_CERT_FILE: "/c.pem" },
    'Invalid KAFSCALE_TLS_CERT_FILE="/c.pem": needs KAFSCALE_TLS_KEY_FILE too (a certificate goes with its key)',
  );
  bad({ KAFSCALE_TLS_KEY_FILE: "/k.pem" }, "needs KAFSCALE_TLS_CERT_FILE too");
  bad(
    { KAFSCALE_TLS_CA_FILE: "/ca.pem" },
    'Invalid KAFSCALE_TLS_CA_FILE="/ca.pem": client certificates (mutual TLS) are not supported',
  );
  bad(
    { KAFSCALE_SASL_MECHANISMS: "SCRAM-SHA-256,GSSAPI" },
    'Invalid KAFSCALE_SASL_MECHANISMS="SCRAM-SHA-256,GSSAPI": unknown mechanism GSSAPI (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)',
  );
  bad({ KAFSCALE_SASL_MECHANISMS: " , " }, "must name at least one mechanism");
  bad({ KAFSCALE_SASL_SESSION_LIFETIME_MS: "-1" }, "must be at least 0");
});

Deno.test("listeners: SASL mechanisms are trimmed and deduplicated; PLAIN only when listed", () => {
  assertEquals(
    parseConfig({ KAFSCALE_SASL_MECHANISMS: " PLAIN,SCRAM-SHA-512,PLAIN " }).saslMechanisms,
    ["PLAIN", "SCRAM-SHA-512"],
  );
  assertEquals(
    parseConfig({ ...TLS, KAFSCALE_LISTENERS: "SSL://:1" }).tlsCertFile,
    TLS.KAFSCALE_TLS_CERT_FILE,
  );
});

Deno.test("authorizer settings: none by default; acl with super users in Kafka's form", () => {
  const open = parseConfig({});
  assertEquals([open.authorizer, open.superUsers, open.allowEveryoneIfNoAclFound], [
    "none",
    [],
    false,
  ]);
  const acl = parseConfig({
    KAFSCALE_AUTHORIZER: "acl",
    KAFSCALE_SUPER_USERS: "User:admin; User:ops;;User:admin",
    KAFSCALE_ALLOW_EVERYONE_IF_NO_ACL_FOUND: "true",
  });
  assertEquals([acl.authorizer, acl.superUsers, acl.allowEveryoneIfNoAclFound], [
    "acl",
    ["User:admin", "User:ops"],
    true,
  ]);
  const fails = (vars: Record<string, string>, message: string) =>
    assertThrows(() => parseConfig(vars), ConfigError, message);
  fails({ KAFSCALE_AUTHORIZER: "simple" }, "Invalid KAFSCALE_AUTHORIZER=");
  fails(
    { KAFSCALE_AUTHORIZER: "acl", KAFSCALE_SUPER_USERS: "admin" },
    'Invalid KAFSCALE_SUPER_USERS="admin": "admin" is not a principal (User:<name>)',
  );
  fails(
    { KAFSCALE_SUPER_USERS: "User:admin" },
    'Invalid KAFSCALE_SUPER_USERS="User:admin": it has no effect without KAFSCALE_AUTHORIZER=acl',
  );
  fails(
    { KAFSCALE_ALLOW_EVERYONE_IF_NO_ACL_FOUND: "1" },
    "it has no effect without KAFSCALE_AUTHORIZER=acl",
  );
});

Deno.test("config: KAFSCALE_METRICS_TLS needs the certificate and key files", () => {
  assertThrows(
    () => parseConfig({ KAFSCALE_METRICS_TLS: "1" }),
    ConfigError,
    "KAFSCALE_METRICS_TLS=1: HTTPS needs KAFSCALE_TLS_CERT_FILE",
  );
  assertEquals(parseConfig({ ...TLS, KAFSCALE_METRICS_TLS: "1" }).metricsTls, true);
  assertEquals(parseConfig({}).metricsTls, false);
});
