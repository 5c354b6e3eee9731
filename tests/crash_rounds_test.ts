/**
 * Crash rounds on real etcd and a real S3-compatible server (s3rver): plain producers (no
 * producer id, no retries) send acks=all batches to a three-partition topic, each on its own
 * connection, while the broker is killed with SIGKILL mid-load and restarted on the same port and
 * data directory, round after round. A round waits for its first acknowledgement (a loaded
 * machine may take seconds before a restarted broker takes writes) and kills 300-900 ms after it.
 * Then every partition is read from offset 0 to its high watermark: offsets are dense, every
 * acknowledged value is there exactly once at the offset its answer reported, no value appears
 * twice, and no value the broker refused with an error code appears. A value whose answer died
 * with the connection may appear (the kill can land between the commit and the answer), but only
 * once.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import { type BrokerProcess, removeDir, startBroker } from "./_harness.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { backendEnv, createTopic, readPartition, withServices } from "./_setup.ts";

const missing = etcdMissing() ?? s3Missing();
const TOPIC = "crash-rounds";
const PARTITIONS = 3;
const PRODUCERS = 4;
const ROUNDS = 10;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Where an acknowledged record must be. */
interface Place {
  partition: number;
  offset: number;
}

/** What the producers were told, over all rounds. */
interface Outcome {
  /** value -> the place its answer reported (base offset + index in its batch). */
  acked: Map<string, Place>;
  /** value -> the error code its answer carried. */
  refused: Map<string, number>;
  /** Values whose request was in flight when the connection died. */
  unanswered: Set<string>;
  /** Acknowledged records per round. */
  ackedPerRound: number[];
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** 300-900 ms after the round's first ack, different each round but the same in every run. */
function killDelayMs(round: number): number {
  return 300 + (round * 397 + 211) % 601;
}

/** How long a round waits for its first acknowledgement before it fails. */
const FIRST_ACK_DEADLINE_MS = 60_000;

/** Resolves "timeout" after `ms` unless `p` settles first (its timer is cleared either way). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends batches of unique values until the connection dies; records every answer. */
async function produceLoop(
  c: KafkaConnection,
  o: { round: number; producer: number; outcome: Outcome; onAck: () => void },
): Promise<void> {
  const { round, producer, outcome } = o;
  let seq = 0;
  for (let n = 0;; n++) {
    const partition = (producer + n) % PARTITIONS;
    const values = Array.from({ length: 1 + n % 4 }, () => `r${round}-p${producer}-${seq++}`);
    let answer: ProduceResponse;
    try {
      answer = await c.request<ProduceResponse>(Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 10_000,
        topicData: [{
          name: TOPIC,
          partitionData: [{
            index: partition,
            records: buildRecordBatch(values.map((v) => ({ value: encoder.encode(v) }))),
          }],
        }],
      });
    } catch {
      for (const v of values) outcome.unanswered.add(v);
      return;
    }
    const r = answer.responses[0]!.partitionResponses[0]!;
    assertEquals(r.index, partition);
    if (r.errorCode === 0) {
      values.forEach((v, i) => outcome.acked.set(v, { partition, offset: r.baseOffset + i }));
      outcome.ackedPerRound[round] = (outcome.ackedPerRound[round] ?? 0) + values.length;
      o.onAck();
    } else {
      for (const v of values) outcome.refused.set(v, r.errorCode);
      await delay(20); // e.g. while the restarted broker takes its partitions back
    }
  }
}

/**
 * One round: producers on fresh connections, then kill -9 mid-load: a varied delay after the
 * round's first acknowledgement, so every round kills a broker that is taking writes.
 */
async function crashRound(
  broker: BrokerProcess,
  o: { round: number; outcome: Outcome },
): Promise<void> {
  const conns = await Promise.all(
    Array.from({ length: PRODUCERS }, () => KafkaConnection.connect(broker.bootstrap)),
  );
  try {
    let onAck = () => {};
    const firstAck = new Promise<"acked">((r) => onAck = () => r("acked"));
    // Settled from the start, so a loop that fails before the kill is not an unhandled rejection.
    const loops = Promise.allSettled(
      conns.map((c, producer) => produceLoop(c, { ...o, producer, onAck })),
    );
    const first = await within(
      Promise.race([firstAck, loops.then(() => "ended" as const)]),
      FIRST_ACK_DEADLINE_MS,
    );
    if (first === "acked") await delay(killDelayMs(o.round));
    const code = await broker.stop("SIGKILL");
    for (const r of await loops) if (r.status === "rejected") throw r.reason;
    if (first !== "acked") {
      const codes = [...new Set(o.outcome.refused.values())];
      throw new Error(
        `Cannot run round ${o.round}: no acknowledgement ${
          first === "timeout"
            ? `within ${FIRST_ACK_DEADLINE_MS / 1000} s`
            : "before every producer's connection died"
        } (errors ${codes}); broker log:\n${broker.stderr()}`,
      );
    }
    assertEquals(code, 128 + 9, `round ${o.round}: the broker was alive until killed`);
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}

/**
 * Reads every partition back and checks it against what the producers were told; resolves how
 * many unanswered values were stored (their commit landed, their answer did not).
 */
async function verify(bootstrap: string, outcome: Outcome): Promise<number> {
  const c = await KafkaConnection.connect(bootstrap);
  const seen = new Map<string, Place>();
  try {
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const { highWatermark, records } = await readPartition(c, TOPIC, partition);
      assertEquals(records.length, highWatermark, `partition ${partition}: records below hw`);
      records.forEach((r, i) => {
        assertEquals(r.offset, i, `partition ${partition}: offsets are dense and unique`);
        const v = decoder.decode(r.value!);
        const before = seen.get(v);
        assert(
          before === undefined,
          `${v} appears twice: ${partition}/${r.offset} and ${before?.partition}/${before?.offset}`,
        );
        seen.set(v, { partition, offset: r.offset });
      });
    }
  } finally {
    await c.close();
  }
  const lost = [...outcome.acked].filter(([v, at]) => {
    const got = seen.get(v);
    return got?.partition !== at.partition || got.offset !== at.offset;
  }).map(([v, at]) => {
    const got = seen.get(v);
    const read = got ? `read at ${got.partition}/${got.offset}` : "missing";
    return `${v} acked at ${at.partition}/${at.offset}, ${read}`;
  });
  assert(
    lost.length === 0,
    `${lost.length} of ${outcome.acked.size} acknowledged values are not at their acknowledged ` +
      `place (partition/offset):\n${lost.slice(0, 20).join("\n")}`,
  );
  const extras = [...seen.keys()].filter((v) => !outcome.acked.has(v));
  const unexplained = extras.filter((v) => !outcome.unanswered.has(v))
    .map((v) =>
      `${v} (${outcome.refused.has(v) ? `error ${outcome.refused.get(v)}` : "never sent"})`
    );
  assert(
    unexplained.length === 0,
    `${unexplained.length} stored values were refused or never sent:\n` +
      unexplained.slice(0, 20).join("\n"),
  );
  return extras.length;
}

Deno.test({
  name:
    "etcd+s3: kill -9 under acks=all load, round after round, loses no acknowledged record and never gives an offset twice",
  ignore: missing !== undefined,
  async fn() {
    await withServices(async (etcd, s3) => {
      const env = backendEnv(etcd, s3);
      let broker = await startBroker({ env });
      const { port, dataDir } = broker;
      const outcome: Outcome = {
        acked: new Map(),
        refused: new Map(),
        unanswered: new Set(),
        ackedPerRound: [],
      };
      try {
        await createTopic(broker.bootstrap, TOPIC, PARTITIONS);
        for (let round = 0; round < ROUNDS; round++) {
          if (round > 0) broker = await startBroker({ port, dataDir, env });
          await crashRound(broker, { round, outcome });
          const codes = [...new Set(outcome.refused.values())];
          assert(
            (outcome.ackedPerRound[round] ?? 0) > 0,
            `round ${round}: nothing was acked (errors ${codes}); broker log:\n${broker.stderr()}`,
          );
        }
        broker = await startBroker({ port, dataDir, env });
        const landed = await verify(broker.bootstrap, outcome);
        console.log(
          `acked per round ${outcome.ackedPerRound.join(",")} (total ${outcome.acked.size}); ` +
            `refused ${outcome.refused.size}; unanswered ${outcome.unanswered.size}, ` +
            `of which stored ${landed}`,
        );
      } finally {
        await broker.stop();
        await removeDir(dataDir);
      }
    });
  },
});
