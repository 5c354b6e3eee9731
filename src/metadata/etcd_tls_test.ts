/**
 * etcd over TLS against a real etcd serving a throwaway CA's certificate and requiring client
 * certificates (mutual TLS): the store works with the CA and client certificate, the broker's
 * settings reach it, password auth still works over it, and a missing CA or client certificate
 * fails at once rather than at the call deadline.
 * @module
 */
import { Etcd3 } from "etcd3";
import { Buffer } from "node:buffer";
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { etcdTlsMissing, type Service, startEtcd } from "../testing/services.ts";
import { parseConfig } from "../config/config.ts";
import { openStores } from "../cli/stores.ts";
import { BrokerMetrics } from "../metrics/metrics.ts";
import { createLogger } from "../metrics/logger.ts";
import { EtcdMetadataStore, readEtcdTls } from "./etcd.ts";
import { metadataConformance } from "./conformance.ts";
import { MetadataUnavailableError } from "./types.ts";

const ignore = etcdTlsMissing();
const b = (s: string) => new TextEncoder().encode(s);
const s = (x: Uint8Array | undefined) => (x ? new TextDecoder().decode(x) : undefined);

metadataConformance("etcd over mutual TLS", async () => {
  const etcd = await startEtcd({ tls: "mutual" });
  const store = await EtcdMetadataStore.open({
    endpoints: [etcd.endpoint],
    prefix: "/test",
    tls: await readEtcdTls(etcd.tls!),
  });
  return { store, cleanup: () => etcd.destroy() };
}, ignore);

function tlsTest(name: string, fn: (etcd: Service) => Promise<void>): void {
  Deno.test({
    name: `etcd TLS: ${name}`,
    ignore: ignore !== undefined,
    async fn() {
      const etcd = await startEtcd({ tls: "mutual" });
      try {
        await fn(etcd);
      } finally {
        await etcd.destroy();
      }
    },
  });
}

tlsTest("the broker's settings open it; put, get and txn work", async (etcd) => {
  const config = parseConfig({
    KAFSCALE_USE_MEMORY_S3: "1",
    KAFSCALE_ETCD_ENDPOINTS: etcd.endpoint,
    KAFSCALE_ETCD_PREFIX: "/tls",
    KAFSCALE_ETCD_TLS_CA_FILE: etcd.tls!.caFile,
    KAFSCALE_ETCD_TLS_CERT_FILE: etcd.tls!.certFile,
    KAFSCALE_ETCD_TLS_KEY_FILE: etcd.tls!.keyFile,
  });
  const { meta, describe } = await openStores(config, new BrokerMetrics(), createLogger("error"));
  try {
    assertEquals(describe.metadata, `etcd ${etcd.endpoint}`);
    const rev = await meta.put("k", b("v1"));
    assertEquals(s((await meta.get("k"))?.value), "v1");
    const won = await meta.txn({
      compares: [{ key: "k", modRevision: rev }],
      success: [{ type: "put", key: "k", value: b("v2") }],
    });
    assert(won.succeeded, "txn on the current revision succeeds");
    const lost = await meta.txn({
      compares: [{ key: "k", modRevision: rev }],
      success: [{ type: "put", key: "k", value: b("v3") }],
    });
    assert(!lost.succeeded, "txn on a stale revision fails");
    assertEquals(s((await meta.get("k"))?.value), "v2");
  } finally {
    await meta.close();
  }
});

tlsTest("username and password still work over TLS; a wrong password is refused", async (etcd) => {
  const tls = (await readEtcdTls(etcd.tls!))!;
  const admin = new Etcd3({
    hosts: etcd.endpoint,
    credentials: {
      rootCertificate: Buffer.from(tls.ca!),
      certChain: Buffer.from(tls.cert!),
      privateKey: Buffer.from(tls.key!),
    },
  });
  try {
    await admin.role("root").create();
    await (await admin.user("root").create("root-pw")).addRole("root");
    await admin.auth.authEnable();
  } finally {
    admin.close();
  }
  const login = (password: string) =>
    EtcdMetadataStore.open({
      endpoints: [etcd.endpoint],
      prefix: "/tls",
      tls,
      username: "root",
      password,
      timeoutMs: 3000,
    });
  const store = await login("root-pw");
  try {
    await store.put("k", b("v"));
    assertEquals(s((await store.get("k"))?.value), "v");
  } finally {
    await store.close();
  }
  await assertRejects(() => login("wrong"), MetadataUnavailableError, "authentication failed");
});

// The deadline is far above the few milliseconds a refused handshake takes: the error below is
// the handshake's, not "no answer within".
const open = (etcd: Service, tls: Parameters<typeof EtcdMetadataStore.open>[0]["tls"]) =>
  EtcdMetadataStore.open({ endpoints: [etcd.endpoint], prefix: "/tls", tls, timeoutMs: 3000 });

tlsTest(
  "without the CA, open fails at once: the server certificate is unverified",
  async (etcd) => {
    const { cert, key } = (await readEtcdTls(etcd.tls!))!;
    const e = await assertRejects(() => open(etcd, { cert, key }), MetadataUnavailableError);
    assert(/Cannot read cluster\/id in etcd: .*certificate/.test(e.message), e.message);
    assert(!e.message.includes("no answer within"), e.message);
  },
);

// Under TLS 1.3 the client may see etcd's refusal as its alert ("BadCertificate") or only as the
// connection closing ("write EPIPE"), so the reason is not asserted here, only the prompt failure.
tlsTest("without a client certificate, etcd refuses the connection at once", async (etcd) => {
  const { ca } = (await readEtcdTls(etcd.tls!))!;
  const e = await assertRejects(() => open(etcd, { ca }), MetadataUnavailableError);
  assert(/^Cannot read cluster\/id in etcd: .*UNAVAILABLE/.test(e.message), e.message);
  assert(!e.message.includes("no answer within"), e.message);
});

Deno.test("etcd TLS: a missing file is named with its setting", async () => {
  await assertRejects(
    () => readEtcdTls({ caFile: "/nonexistent/ca.pem" }),
    Error,
    'Cannot read KAFSCALE_ETCD_TLS_CA_FILE "/nonexistent/ca.pem": ',
  );
  assertEquals(await readEtcdTls({}), undefined);
});

Deno.test("etcd TLS: endpoints etcd3 cannot dial over TLS are refused before connecting", async () => {
  const tls = { ca: b("unused") };
  await assertRejects(
    () => EtcdMetadataStore.open({ endpoints: ["https://127.0.0.1:2379"], prefix: "/" }),
    TypeError,
    "Cannot use etcd endpoint https://127.0.0.1:2379 over TLS: give a host name",
  );
  await assertRejects(
    () => EtcdMetadataStore.open({ endpoints: ["[::1]:2379"], prefix: "/", tls }),
    TypeError,
    "instead of an IP address",
  );
  await assertRejects(
    () =>
      EtcdMetadataStore.open({
        endpoints: ["https://etcd-1:2379", "http://etcd-2:2379"],
        prefix: "/",
      }),
    TypeError,
    "Cannot use etcd endpoint http://etcd-2:2379 without TLS while TLS is in use",
  );
  await assertRejects(
    () => EtcdMetadataStore.open({ endpoints: ["etcd:2379"], prefix: "/", tls: { cert: tls.ca } }),
    TypeError,
    "Cannot use an etcd client certificate without its key",
  );
});
