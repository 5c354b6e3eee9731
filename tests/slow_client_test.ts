/**
 * A client that pipelines far more requests than a connection's in-flight limit and never reads
 * a response must not stall the broker. Regression test for the reader that, once the limit was
 * reached, waited on already-settled promises while the writer was stuck on the full socket:
 * the event loop never reached I/O again and every connection, and /metrics, froze.
 *
 * The broker runs as a child process (a frozen broker cannot freeze the test). The stalled client
 * sends Produce (acks=1) and Fetch requests whose responses (about 1 MiB each) fill the socket
 * buffers; meanwhile a second client's ApiVersions, Metadata, Produce and Fetch must be answered,
 * and the broker must close the stalled connection after KAFSCALE_SEND_TIMEOUT_MS.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { DEFAULT_MAX_IN_FLIGHT } from "../src/server/connection.ts";
import { ApiVersions, type ApiVersionsResponse } from "../src/protocol/messages/18_api_versions.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import { type BrokerProcess, removeDir, startBroker } from "./_harness.ts";
import { backendEnv, createTopic, fetchBody, withServices } from "./_setup.ts";

const SEND_TIMEOUT_MS = 2000;
/** How long any one answer to the healthy client may take (generous: the machine is shared). */
const ANSWER_MS = 30_000;
const CLOSED_REASON = `Cannot send a response within ${SEND_TIMEOUT_MS} ms`;

/** Resolves `p`, or throws once `ms` have passed. */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Cannot ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

function produceBody(topic: string, acks: number, values: Uint8Array[]) {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{
      name: topic,
      partitionData: [{ index: 0, records: buildRecordBatch(values.map((value) => ({ value }))) }],
    }],
  };
}

/** Puts about 1 MiB into partition 0 of `topic`, so every fetch from offset 0 answers ~1 MiB. */
async function fillTopic(c: KafkaConnection, topic: string): Promise<void> {
  const value = new Uint8Array(1024).fill(7);
  for (let i = 0; i < 8; i++) {
    const r = await c.request<ProduceResponse>(
      Produce,
      9,
      produceBody(topic, -1, Array.from({ length: 128 }, () => value)),
    );
    assertEquals(r.responses[0]!.partitionResponses[0]!.errorCode, 0);
  }
}

/** Ten times the in-flight limit each of Produce (acks=1) and Fetch (4 MiB), interleaved. */
function stallingRequests(encoder: KafkaConnection): Uint8Array {
  const frames: Uint8Array[] = [];
  const small = new TextEncoder().encode("x".repeat(100));
  for (let i = 0; i < 10 * DEFAULT_MAX_IN_FLIGHT; i++) {
    frames.push(encoder.encode(Produce, 9, produceBody("small", 1, [small]), 2 * i + 1));
    frames.push(encoder.encode(Fetch, 11, fetchBody("big", 0, { maxBytes: 4 << 20 }), 2 * i + 2));
  }
  const out = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.byteLength;
  }
  return out;
}

/** One of everything a healthy client does, each answered within ANSWER_MS. */
async function healthyRound(c: KafkaConnection, round: number): Promise<void> {
  const v = await within(
    ANSWER_MS,
    "answer ApiVersions",
    c.request<ApiVersionsResponse>(ApiVersions, 3, {}),
  );
  assertEquals(v.errorCode, 0);
  const m = await within(
    ANSWER_MS,
    "answer Metadata",
    c.request<MetadataResponse>(Metadata, 12, {
      topics: [{ name: "other", topicId: new Uint8Array(16) }],
      allowAutoTopicCreation: false,
    }),
  );
  assertEquals(m.topics[0]!.errorCode, 0);
  const value = new TextEncoder().encode(`r${round}`);
  const p = await within(
    ANSWER_MS,
    "answer Produce",
    c.request<ProduceResponse>(Produce, 9, produceBody("other", -1, [value])),
  );
  const part = p.responses[0]!.partitionResponses[0]!;
  assertEquals(part.errorCode, 0);
  const f = await within(
    ANSWER_MS,
    "answer Fetch",
    c.request<FetchResponse>(Fetch, 11, fetchBody("other", part.baseOffset)),
  );
  assertEquals(f.responses[0]!.partitions[0]!.errorCode, 0);
  assert((f.responses[0]!.partitions[0]!.records?.byteLength ?? 0) > 0, "fetched the record");
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.byteLength) at += await conn.write(bytes.subarray(at));
}

/** Reads until the broker's close shows (end of stream or reset); the bytes read. */
async function readToClose(conn: Deno.Conn): Promise<number> {
  const buf = new Uint8Array(1 << 16);
  let total = 0;
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) return total;
      total += n;
    }
  } catch {
    return total; // reset by the broker
  }
}

async function stalledClientScenario(broker: BrokerProcess): Promise<void> {
  const good = await KafkaConnection.connect(broker.bootstrap, "healthy");
  const stalled = await Deno.connect({ hostname: "127.0.0.1", port: broker.port });
  let writing: Promise<void> = Promise.resolve();
  try {
    for (const t of ["big", "small", "other"]) await createTopic(broker.bootstrap, t, 1);
    await fillTopic(good, "big");
    // Never read: the writes themselves may block once the broker stops reading.
    writing = writeAll(stalled, stallingRequests(good)).catch(() => {});
    const deadline = Date.now() + 120_000;
    let rounds = 0;
    while (!broker.stderr().includes(CLOSED_REASON)) {
      assert(Date.now() < deadline, `the stalled connection was not closed:\n${broker.stderr()}`);
      await healthyRound(good, rounds++);
    }
    assert(rounds > 0, "the healthy client was served while the other one stalled");
    const line = broker.stderr().split("\n").find((l) => l.includes(CLOSED_REASON))!;
    assert(line.includes('"remote":"127.0.0.1:'), line);
    // What the socket buffers held arrives, then the end of the stream (or a reset).
    await within(ANSWER_MS, "see the stalled connection closed", readToClose(stalled));
    await healthyRound(good, rounds);
    const base = `http://127.0.0.1:${broker.metricsPort}`;
    const metrics = await within(
      ANSWER_MS,
      "scrape",
      fetch(`${base}/metrics`).then((r) => r.text()),
    );
    assert(metrics.includes("kafscale_event_loop_lag_seconds_count"), "lag metric exported");
    const ready = await within(ANSWER_MS, "answer /readyz", fetch(`${base}/readyz`));
    assertEquals(ready.status, 200, await ready.text());
  } finally {
    await good.close();
    try {
      stalled.close();
    } catch { /* closed */ }
    await writing;
  }
}

async function withBroker(env: Record<string, string>, fn: (b: BrokerProcess) => Promise<void>) {
  const broker = await startBroker({
    env: { KAFSCALE_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS), ...env },
  });
  let ok = false;
  try {
    await fn(broker);
    ok = true;
  } finally {
    // A frozen broker cannot act on SIGTERM.
    await broker.stop(ok ? "SIGTERM" : "SIGKILL");
    await removeDir(broker.dataDir);
  }
}

Deno.test("slow client: a client that never reads does not stall others and is closed after the send timeout", async () => {
  await withBroker({}, stalledClientScenario);
});

const missing = etcdMissing() ?? s3Missing();

Deno.test({
  name: "slow client on etcd+s3: others are served and the stalled connection is closed",
  ignore: missing !== undefined,
  async fn() {
    await withServices(async (etcd, s3) => {
      await withBroker(backendEnv(etcd, s3), stalledClientScenario);
    });
  },
});
