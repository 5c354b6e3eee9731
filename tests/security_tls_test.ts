/**
 * TLS certificate reload and start-up settings against the real broker process: TLS 1.1 is
 * refused and TLS 1.2 served (openssl s_client); SIGHUP serves a new certificate to new
 * connections on both TLS listeners while a connection made before goes on, and a bad
 * certificate is refused and the last good one kept; the default broker is open and warns so,
 * once; bad listener and TLS settings stop start-up with one line.
 */
import { assert, assertEquals, assertRejects } from "../src/testing/assert.ts";
import { makeTestCerts } from "../src/testing/services.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { Metadata } from "../src/protocol/messages/03_metadata.ts";
import { ApiVersions } from "../src/protocol/messages/18_api_versions.ts";
import { removeDir, run, startBroker } from "./_harness.ts";
import { startSecureBroker, waitForLog } from "./_secure.ts";

const METADATA = {
  topics: null,
  allowAutoTopicCreation: false,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
};

Deno.test("security: SIGHUP serves a new certificate to new connections; open connections go on; a bad one is refused", async () => {
  const b = await startSecureBroker({ env: { KAFSCALE_LOG_LEVEL: "info" } });
  const next = await Deno.makeTempDir({ prefix: "kafscale-tls-next-" });
  try {
    await makeTestCerts(next);
    const oldCa = await Deno.readTextFile(b.ca);
    const newCa = await Deno.readTextFile(`${next}/ca.pem`);
    // TLS 1.2 is the oldest version served (Deno's rustls): openssl's TLS 1.1 handshake fails.
    const sClient = (version: string) =>
      run("openssl", ["s_client", version, "-connect", b.at.SSL, "-CAfile", b.ca], {
        timeoutMs: 20_000,
      });
    const v11 = await sClient("-tls1_1");
    assert((v11.stdout + v11.stderr).includes("Cipher is (NONE)"), v11.stdout + v11.stderr);
    const v12 = await sClient("-tls1_2");
    assert(/New, TLSv1\.2, Cipher is ECDHE/.test(v12.stdout), v12.stdout + v12.stderr);
    const open = await KafkaConnection.connect(b.at.SSL, "t", { tls: { caCerts: [oldCa] } });
    await Deno.copyFile(`${next}/server.pem`, `${b.tlsDir}/server.pem`);
    await Deno.copyFile(`${next}/server-key.pem`, `${b.tlsDir}/server-key.pem`);
    b.broker.signal("SIGHUP");
    await waitForLog(b.broker, (l) => l.includes("reloaded the TLS certificate"));
    for (const at of [b.at.SSL, b.at.SASL_SSL]) {
      const c = await KafkaConnection.connect(at, "t", { tls: { caCerts: [newCa] } });
      await c.request(ApiVersions, 3, { clientSoftwareName: "t", clientSoftwareVersion: "1" });
      await c.close();
      await assertRejects(() =>
        KafkaConnection.connect(at, "t", { tls: { caCerts: [oldCa] } }).then((c) =>
          c.request(ApiVersions, 0, {})
        )
      );
    }
    await open.request(Metadata, 12, METADATA); // the connection made before the reload

    await Deno.writeTextFile(`${b.tlsDir}/server.pem`, "not a certificate");
    b.broker.signal("SIGHUP");
    await waitForLog(
      b.broker,
      (l) => l.includes("Cannot reload the TLS certificate; still serving the old one"),
    );
    const still = await KafkaConnection.connect(b.at.SSL, "t", { tls: { caCerts: [newCa] } });
    await still.request(Metadata, 12, METADATA);
    await still.close();
    await open.close();
  } finally {
    await removeDir(next);
    await b.stop();
  }
});

Deno.test("security: the default broker is open and says so in one warning; bad settings stop start-up with one line", async () => {
  const open = await startBroker();
  try {
    assertEquals(await open.stop(), 0);
    const warnings = open.stderr().split("\n").filter((l) => l.includes("without authentication"));
    assertEquals(warnings.length, 1, open.stderr());
    assert(
      warnings[0]!.includes('"level":"warn"') && warnings[0]!.includes("PLAINTEXT://"),
      warnings[0],
    );
  } finally {
    await removeDir(open.dataDir);
  }
  const dataDir = await Deno.makeTempDir({ prefix: "kafscale-bad-" });
  const bad = await assertRejects(() =>
    startBroker({ dataDir, env: { KAFSCALE_LISTENERS: "SSL://127.0.0.1:0" } })
  );
  assert(
    bad.message.includes(
      'kafscale: Invalid KAFSCALE_LISTENERS="SSL://127.0.0.1:0": SSL need KAFSCALE_TLS_CERT_FILE and KAFSCALE_TLS_KEY_FILE',
    ),
    bad.message,
  );
  const missing = await assertRejects(() =>
    startBroker({
      dataDir,
      env: {
        KAFSCALE_LISTENERS: "SASL_SSL://127.0.0.1:0",
        KAFSCALE_TLS_CERT_FILE: "/nonexistent/cert.pem",
        KAFSCALE_TLS_KEY_FILE: "/nonexistent/key.pem",
      },
    })
  );
  assert(
    missing.message.includes(
      'kafscale: Cannot start broker: Cannot read KAFSCALE_TLS_CERT_FILE "/nonexistent/cert.pem"',
    ),
    missing.message,
  );
  await removeDir(dataDir);
});
