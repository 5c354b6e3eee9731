/**
 * The console's API on one in-process broker: every route answers from data a client wrote,
 * through stores that refuse writes (so the console is read-only by construction, not by
 * promise), write methods answer 405, bad parameters 400 and unknown names 404, and a console
 * with a login asks for one (401) and accepts only a valid user; records of every codec are
 * shown, and a batch that does not decompress is listed as a batch. The charts' arithmetic
 * (quantiles from bucket deltas, merging brokers) is checked on its own.
 * @module
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { inProcessBroker, type TestBroker } from "./_inprocess.ts";
import { consoleHandler, type ConsoleOptions } from "../src/console/api.ts";
import {
  bucketQuantile,
  mergeSeries,
  type SeriesPoint,
  SeriesSampler,
} from "../src/console/series.ts";
import { FilesystemObjectStore } from "../src/object_store/filesystem.ts";
import { SegmentCache } from "../src/log/segment_cache.ts";
import type { MetadataStore } from "../src/metadata/types.ts";
import type { ObjectStore } from "../src/object_store/types.ts";
import { commitOffsets, createTopic, produceRecords } from "./_setup.ts";
import { ALICE, startSecureBroker } from "./_secure.ts";
import { AclAuthorizer, AclIndex } from "../src/auth/authorizer.ts";

/** A console over an in-process broker's stores, open (tests set what they vary). */
function consoleOptions(b: TestBroker): ConsoleOptions {
  const s = b.broker.services;
  return {
    sources: {
      meta: s.meta,
      objects: new FilesystemObjectStore(`${b.dataDir}/objects`),
      topics: s.topics,
      cluster: s.cluster,
      config: s.config,
    },
    cache: new SegmentCache(1 << 20),
    sampler: new SeriesSampler(b.broker.metrics.registry),
    clusterId: s.broker.clusterId,
    self: () => s.cluster.self,
    health: () =>
      Promise.resolve({
        objectStore: { state: "healthy", latencyMs: 1 },
        metadataStore: { ok: true, secondsSinceAnswer: 0 },
        snapshotAgeSeconds: null,
      }),
    login: null,
  };
}

/** The client address requests come from. */
const LOCAL = { host: "127.0.0.1" };

/** A view of a store whose writing calls throw (and are counted). */
function readOnly<T extends object>(store: T, writes: string[], refused: string[]): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      if (writes.includes(String(prop))) {
        return () => {
          refused.push(String(prop));
          throw new Error(`the console called ${String(prop)}`);
        };
      }
      return v.bind(target);
    },
  });
}

Deno.test("console API: every route answers through stores that refuse writes", async () => {
  const b = await inProcessBroker();
  try {
    await createTopic(b.address, "orders", 3);
    for (let p = 0; p < 3; p++) await produceRecords(b.address, "orders", p, 4);
    await commitOffsets(b.address, "g1", "orders", [1, 2, 3]);
    const refused: string[] = [];
    const s = b.broker.services;
    const meta = readOnly(s.meta, ["put", "delete", "txn"], refused) as MetadataStore;
    const objects = readOnly(
      new FilesystemObjectStore(`${b.dataDir}/objects`),
      ["put", "delete"],
      refused,
    ) as ObjectStore;
    const sampler = new SeriesSampler(b.broker.metrics.registry, 1000);
    await sampler.sample(Date.now() - 1000);
    await sampler.sample();
    const handle = consoleHandler({
      ...consoleOptions(b),
      sources: { meta, objects, topics: s.topics, cluster: s.cluster, config: s.config },
      sampler,
    });
    const get = async (path: string, method = "GET") => {
      const r = await handle(new Request(`http://console${path}`, { method }), LOCAL);
      assert(r !== null, `${path} is a console route`);
      return r!;
    };
    const json = async (path: string) => {
      const r = await get(path);
      assertEquals(r.status, 200, path);
      return await r.json();
    };
    const topics = await json("/api/v1/topics?q=ORD");
    assertEquals(topics.total, 1);
    assertEquals(topics.items[0].endOffsets, 12);
    assertEquals((await json("/api/v1/topics?q=nothing")).total, 0);
    const topic = await json("/api/v1/topics/orders?limit=2&offset=1");
    assertEquals(topic.partitionPage.total, 3);
    assertEquals(topic.partitionPage.items.map((p: { partition: number }) => p.partition), [1, 2]);
    assert(topic.partitionPage.items.every((p: { bytes: number }) => p.bytes > 0), "sizes");
    const groups = await json("/api/v1/groups");
    assertEquals(groups.items[0].groupId, "g1");
    assertEquals(groups.items[0].totalLag, 3 + 2 + 1);
    const group = await json("/api/v1/groups/g1");
    assertEquals(group.offsets.map((o: { lag: number }) => o.lag), [3, 2, 1]);
    const last = await json("/api/v1/topics/orders/partitions/1/records?last=2");
    assertEquals(last.records.map((r: { offset: number }) => r.offset), [2, 3]);
    assertEquals(atob(last.records[1].value), "r3");
    const from = await json("/api/v1/topics/orders/partitions/2/records?offset=1&limit=2");
    assertEquals(from.records.map((r: { offset: number }) => r.offset), [1, 2]);
    const byTime = await json("/api/v1/topics/orders/partitions/0/records?timestamp=0");
    assertEquals(byTime.records.length, 4);
    assertEquals((await json("/api/v1/brokers"))[0].self, true);
    const self = (await json("/api/v1/brokers"))[0].nodeId;
    const owned = await json(`/api/v1/brokers/${self}`);
    assertEquals(owned.partitions.items, ["orders-0", "orders-1", "orders-2"]);
    assertEquals(owned.groups.items, ["g1"]);
    assertEquals((await get("/api/v1/brokers/99")).status, 404);
    assertEquals((await json("/api/v1/cluster")).open, true);
    assertEquals((await json("/api/v1/series?scope=local")).points.length, 1);
    assertEquals((await get("/ui/")).headers.get("content-type"), "text/html; charset=utf-8");
    assertEquals((await get("/ui")).status, 301);
    assertEquals(refused, [], "the console wrote nothing");

    // Wrong input and unknown names.
    assertEquals((await get("/api/v1/topics/nope")).status, 404);
    assertEquals((await get("/api/v1/groups/nope")).status, 404);
    assertEquals((await get("/api/v1/topics/orders/partitions/9/records")).status, 404);
    assertEquals((await get("/api/v1/topics/orders/partitions/x/records")).status, 400);
    assertEquals((await get("/api/v1/topics/orders/partitions/0/records?offset=abc")).status, 400);
    assertEquals((await get("/api/v1/nothing")).status, 404);
    assertEquals(
      await handle(new Request("http://console/metrics"), LOCAL),
      null,
      "not a console path",
    );
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      for (const path of ["/api/v1/topics", "/api/v1/groups/g1", "/ui/", "/api/v1/nothing"]) {
        const r = await get(path, method);
        assertEquals(r.status, 405, `${method} ${path}`);
        assertEquals(r.headers.get("allow"), "GET, HEAD");
      }
    }
  } finally {
    await b.close();
  }
});

Deno.test("console API: records of every codec are shown; a batch that does not decompress is listed", async () => {
  const b = await inProcessBroker();
  try {
    await createTopic(b.address, "packed", 1);
    for (const compression of [1, 2, 3, 4]) {
      await produceRecords(b.address, "packed", 0, 3, {}, { compression });
    }
    await produceRecords(b.address, "packed", 0, 2, {}, { attributes: 3 }); // labelled lz4 only
    const handle = consoleHandler(consoleOptions(b));
    const r = await handle(
      new Request("http://console/api/v1/topics/packed/partitions/0/records?offset=0&limit=100"),
      LOCAL,
    );
    assertEquals(r!.status, 200);
    const body = await r!.json();
    assertEquals(
      body.records.map((x: { offset: number; value: string }) => [x.offset, atob(x.value)]),
      Array.from({ length: 12 }, (_, i) => [i, `r${i % 3}`]),
    );
    assertEquals(body.unreadableBatches, [
      { baseOffset: 12, lastOffset: 13, compression: "lz4", records: 2 },
    ]);
  } finally {
    await b.close();
  }
});

Deno.test("console API: with a login, only a valid user gets in", async () => {
  const b = await inProcessBroker();
  try {
    const handle = consoleHandler({
      ...consoleOptions(b),
      login: (user, password) => Promise.resolve(user === "alice" && password === "s:e:cret"),
    });
    const ask = (auth?: string) =>
      handle(
        new Request("http://console/api/v1/cluster", {
          headers: auth === undefined ? {} : { authorization: auth },
        }),
        LOCAL,
      );
    const none = (await ask())!;
    assertEquals(none.status, 401);
    assert(none.headers.get("www-authenticate")?.startsWith("Basic"), "asks for Basic");
    assertEquals((await ask(`Basic ${btoa("alice:wrong")}`))!.status, 401);
    assertEquals((await ask(`Basic ${btoa("bob:s:e:cret")}`))!.status, 401);
    assertEquals((await ask("Basic !!!not-base64"))!.status, 401);
    assertEquals((await ask(`Bearer ${btoa("alice:s:e:cret")}`))!.status, 401);
    const ok = (await ask(`Basic ${btoa("alice:s:e:cret")}`))!;
    assertEquals(ok.status, 200);
    assertEquals((await ok.json()).open, false);
    assertEquals((await handle(new Request("http://console/ui/"), LOCAL))!.status, 401);
  } finally {
    await b.close();
  }
});

Deno.test("console API: with ACLs, a user sees what Kafka's APIs would show it", async () => {
  const b = await inProcessBroker();
  try {
    await createTopic(b.address, "orders", 2);
    await createTopic(b.address, "payroll", 1);
    await produceRecords(b.address, "orders", 0, 3);
    await produceRecords(b.address, "payroll", 0, 3);
    await commitOffsets(b.address, "shop", "orders", [1, 1]);
    await commitOffsets(b.address, "shop", "payroll", [2]);
    await commitOffsets(b.address, "hr", "payroll", [1]);
    const acl = (
      resourceType: "TOPIC" | "GROUP",
      resourceName: string,
      operation: "DESCRIBE" | "READ",
      host = "*",
    ) => ({
      resourceType,
      resourceName,
      patternType: "LITERAL" as const,
      principal: "User:alice",
      host,
      operation,
      permission: "ALLOW" as const,
    });
    // alice: describe and read orders, describe the shop group; bob: nothing; only from
    // 127.0.0.1 may alice describe payroll.
    const index = new AclIndex([
      acl("TOPIC", "orders", "READ"), // READ implies DESCRIBE
      acl("GROUP", "shop", "DESCRIBE"),
      acl("TOPIC", "payroll", "DESCRIBE", "10.0.0.9"),
    ]);
    const options: ConsoleOptions = {
      ...consoleOptions(b),
      login: (user, password) => Promise.resolve(password === `${user}-pw`),
      authorizer: new AclAuthorizer({
        superUsers: ["User:root"],
        allowEveryoneIfNoAclFound: false,
        acls: () => index,
      }),
    };
    const handle = consoleHandler(options);
    const as = async (user: string, path: string, client = LOCAL) => {
      const r = await handle(
        new Request(`http://console${path}`, {
          headers: { authorization: `Basic ${btoa(`${user}:${user}-pw`)}` },
        }),
        client,
      );
      return { status: r!.status, body: await r!.json() };
    };
    const names = (page: { items: { name?: string; groupId?: string }[] }) =>
      page.items.map((i) => i.name ?? i.groupId);

    // alice
    assertEquals(names((await as("alice", "/api/v1/topics")).body), ["orders"]);
    assertEquals((await as("alice", "/api/v1/cluster")).body.topics, 1);
    assertEquals((await as("alice", "/api/v1/cluster")).body.partitions, 2);
    assertEquals((await as("alice", "/api/v1/topics/orders")).status, 200);
    const payroll = await as("alice", "/api/v1/topics/payroll");
    assertEquals(payroll.status, 403);
    assert(payroll.body.error.includes("DESCRIBE on topic payroll"), payroll.body.error);
    assertEquals(
      (await as("alice", "/api/v1/topics/payroll", { host: "10.0.0.9" })).status,
      200,
      "the ACL's host is the HTTP client's address",
    );
    const read = await as("alice", "/api/v1/topics/orders/partitions/0/records?offset=0");
    assertEquals(read.status, 200);
    assertEquals(read.body.records.length, 3);
    assertEquals(
      (await as("alice", "/api/v1/topics/payroll/partitions/0/records?offset=0")).status,
      403,
    );
    assertEquals(names((await as("alice", "/api/v1/groups")).body), ["shop"]);
    const shop = await as("alice", "/api/v1/groups/shop");
    assertEquals(shop.status, 200);
    assertEquals(
      shop.body.offsets.map((o: { topic: string }) => o.topic),
      ["orders", "orders"],
      "offsets of topics alice may not describe are left out, as OffsetFetch leaves them",
    );
    assertEquals((await as("alice", "/api/v1/groups/hr")).status, 403);
    const brokers = (await as("alice", "/api/v1/brokers")).body;
    assertEquals(brokers[0].partitions, 2, "only the partitions alice may describe");
    assertEquals(brokers[0].groups, 1);
    const mine = (await as("alice", `/api/v1/brokers/${brokers[0].nodeId}`)).body;
    assertEquals(mine.partitions.items, ["orders-0", "orders-1"]);
    assertEquals(mine.groups.items, ["shop"]);

    // bob sees the cluster but no topic or group; a super user sees everything
    assertEquals((await as("bob", "/api/v1/topics")).body.total, 0);
    assertEquals((await as("bob", "/api/v1/groups")).body.total, 0);
    assertEquals((await as("bob", "/api/v1/cluster")).body.brokers, 1);
    assertEquals((await as("bob", "/api/v1/topics/orders/partitions/0/records")).status, 403);
    assertEquals(names((await as("root", "/api/v1/topics")).body), ["orders", "payroll"]);
    assertEquals(names((await as("root", "/api/v1/groups")).body), ["hr", "shop"]);

    // With no login (no SASL listener) the viewer is User:ANONYMOUS, as a PLAINTEXT client.
    const open = consoleHandler({ ...options, login: null });
    const anonymous = await open(new Request("http://console/api/v1/topics"), LOCAL);
    assertEquals((await anonymous!.json()).total, 0);
  } finally {
    await b.close();
  }
});

Deno.test("console charts: quantiles from bucket deltas and brokers merged per slot", () => {
  const buckets: [number, number][] = [[1, 0], [5, 10], [10, 20], [Infinity, 20]];
  assertEquals(bucketQuantile(0.5, buckets), 5);
  assertEquals(bucketQuantile(0.75, buckets), 7.5);
  assertEquals(bucketQuantile(0.5, [[1, 0], [Infinity, 0]]), null, "no observations");
  assertEquals(bucketQuantile(0.99, [[1, 0], [5, 0], [Infinity, 4]]), 5, "+Inf: highest bound");
  const point = (t: number, rps: number, p99: number | null, lag: number): SeriesPoint => ({
    t,
    produceRps: rps,
    produceP95Ms: p99,
    produceP99Ms: p99,
    lagMax: lag,
    objectStoreLatencyMs: 1,
    adminRps: 1,
    adminErrorRps: 0,
    bytesInPerSec: 10,
    bytesOutPerSec: 20,
    transactionsOpen: 1,
  });
  const merged = mergeSeries([
    [point(0, 100, 5, 7), point(5000, 50, null, 1)],
    [point(5000, 25, 9, 3), point(10000, 10, 2, 0)],
  ]);
  assertEquals(merged.map((p) => p.t), [0, 5000, 10000]);
  assertEquals(merged[1]!.produceRps, 75, "rates add up");
  assertEquals(merged[1]!.produceP99Ms, 9, "a missing quantile takes the other's");
  assertEquals(merged[1]!.lagMax, 3, "lag: the highest");
  assertEquals(merged[1]!.bytesInPerSec, 20);
  assertEquals(merged[1]!.transactionsOpen, 2, "open transactions of all coordinators");
});

Deno.test("console: a broker with a SASL listener asks for a user of its SCRAM store", async () => {
  const secure = await startSecureBroker();
  try {
    const url = `http://127.0.0.1:${secure.broker.metricsPort}/api/v1/cluster`;
    const ask = async (auth?: string) => {
      const r = await fetch(url, { headers: auth ? { authorization: auth } : {} });
      const body = r.status === 200 ? await r.json() : (await r.body?.cancel(), null);
      return { status: r.status, body };
    };
    assertEquals((await ask()).status, 401);
    assertEquals((await ask(`Basic ${btoa(`${ALICE.user}:wrong`)}`)).status, 401);
    assertEquals((await ask(`Basic ${btoa(`nobody:${ALICE.password}`)}`)).status, 401);
    const ok = await ask(`Basic ${btoa(`${ALICE.user}:${ALICE.password}`)}`);
    assertEquals(ok.status, 200);
    assertEquals(ok.body.open, false);
    // The metrics stay where Prometheus scrapes them.
    const metrics = await fetch(`http://127.0.0.1:${secure.broker.metricsPort}/metrics`);
    await metrics.body?.cancel();
    assertEquals(metrics.status, 200);
  } finally {
    await secure.stop();
  }
});

Deno.test("metrics listener: KAFSCALE_METRICS_TLS serves /metrics and the console over HTTPS only", async () => {
  const secure = await startSecureBroker({ env: { KAFSCALE_METRICS_TLS: "1" } });
  const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(secure.ca)] });
  try {
    const base = `https://localhost:${secure.broker.metricsPort}`;
    const health = await fetch(`${base}/healthz`, { client });
    assertEquals([health.status, await health.text()], [200, "ok\n"]);
    const metrics = await fetch(`${base}/metrics`, { client });
    assert((await metrics.text()).includes("kafscale_produce_rps"), "metrics over HTTPS");
    const page = await fetch(`${base}/ui/`, { client });
    await page.body?.cancel();
    assertEquals(page.status, 401, "the console still asks for a login");
    const plain = await fetch(`http://127.0.0.1:${secure.broker.metricsPort}/healthz`)
      .then((r) => r.body?.cancel().then(() => r.status), () => "refused");
    assert(plain !== 200, `plain HTTP is not served (${plain})`);
  } finally {
    client.close();
    await secure.stop();
  }
});
