/**
 * Soak under chaos (DESIGN.md invariant 8): confluent-kafka idempotent producers write steadily
 * to six partitions while brokers are killed (SIGKILL, then restarted) and paused (SIGSTOP past
 * the lease, then woken), on the embedded default (one broker) and on etcd + s3rver (three
 * brokers). Throughout, the segment keys in the metadata store stay within the per-partition
 * budget; no broker logs an etcd limit error or a listener leak; afterwards every acknowledged
 * record is read back exactly once, at the offset its acknowledgement gave, offsets dense.
 *
 * KAFSCALE_SOAK_SECONDS sets how long the producers run (default 60 per backend); the longer
 * soak is `scripts/soak.sh`.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import {
  type BrokerProcess,
  removeDir,
  requireTool,
  run,
  startBroker,
  toolsDir,
} from "./_harness.ts";
import { backendEnv, createTopic, withServices } from "./_setup.ts";
import { MAX_MOVED_PER_ROLL, ROLL_AT_TAIL_KEYS } from "../src/log/manifest_roll.ts";

const SECONDS = Number(Deno.env.get("KAFSCALE_SOAK_SECONDS") ?? "60");
const PARTITIONS = 6;
const RATE = 100; // records per second per producer
const TOPIC = "soak";
/** Segment keys the metadata store may hold for the topic at any time. */
const BUDGET = PARTITIONS * (ROLL_AT_TAIL_KEYS + MAX_MOVED_PER_ROLL);
const LIMIT_ERRORS =
  /too many operations|request is too large|larger than max|MaxListenersExceeded|circuit breaker/;
const HERE = new URL("./clients/python/", import.meta.url).pathname;
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A broker slot: restarted on the same id, port and data directory after a kill. */
interface Slot {
  broker: BrokerProcess;
  env: Record<string, string>;
  logs: string[];
}

async function restart(slot: Slot): Promise<void> {
  slot.logs.push(slot.broker.stderr());
  slot.broker = await startBroker({
    port: slot.broker.port,
    dataDir: slot.broker.dataDir,
    env: slot.env,
  });
}

/** Kills or pauses one broker after another until `done` resolves. */
async function chaos(slots: Slot[], pauseMs: number, done: Promise<unknown>): Promise<string[]> {
  const actions: string[] = [];
  let stop = false;
  done.finally(() => stop = true);
  for (let round = 0; !stop; round++) {
    await Promise.race([delay(8_000 + (round % 3) * 3_000), done]);
    if (stop) break;
    const slot = slots[round % slots.length]!;
    if (round % 2 === 0) {
      actions.push(`kill ${slot.env.KAFSCALE_BROKER_ID}`);
      await slot.broker.stop("SIGKILL");
      await delay(1_000);
      await restart(slot);
    } else {
      actions.push(`pause ${slot.env.KAFSCALE_BROKER_ID}`);
      slot.broker.signal("SIGSTOP");
      await delay(pauseMs);
      slot.broker.signal("SIGCONT");
    }
  }
  return actions;
}

/**
 * The most segment keys seen, sampled from the brokers' metadata metrics until `done`, and
 * one sample a minute (keys over time, for the long soak's report).
 */
async function watchKeys(
  slots: Slot[],
  done: Promise<unknown>,
): Promise<{ most: number; perMinute: number[] }> {
  let most = 0;
  let stop = false;
  const perMinute: number[] = [];
  const started = Date.now();
  done.finally(() => stop = true);
  while (!stop) {
    let now = 0;
    for (const s of slots) {
      try {
        const res = await fetch(`http://127.0.0.1:${s.broker.metricsPort}/metrics`, {
          signal: AbortSignal.timeout(2_000),
        });
        const text = await res.text();
        const m = text.match(/^kafscale_metadata_keys\{kind="segments"\} (\d+)/m);
        if (m) now = Math.max(now, Number(m[1]));
      } catch { /* killed or paused right now */ }
    }
    most = Math.max(most, now);
    if (Date.now() - started >= (perMinute.length + 1) * 60_000) perMinute.push(now);
    await Promise.race([delay(1_000), done]);
  }
  return { most, perMinute };
}

/** Runs the soak on brokers started by `start`; returns a one-line summary. */
async function soak(slots: Slot[], pauseMs: number): Promise<string> {
  await createTopic(slots[0]!.broker.bootstrap, TOPIC, PARTITIONS);
  const bootstrap = slots.map((s) => s.broker.bootstrap).join(",");
  const python = requireTool(`${toolsDir()}/venv/bin/python`);
  const producers = Promise.all(["a", "b"].map((prefix) =>
    run(python, [
      `${HERE}soak_producer.py`,
      bootstrap,
      TOPIC,
      String(PARTITIONS),
      String(RATE),
      String(SECONDS),
      prefix,
    ], { timeoutMs: (SECONDS + 300) * 1000 })
  ));
  const [outputs, actions, keySamples] = await Promise.all([
    producers,
    chaos(slots, pauseMs, producers),
    watchKeys(slots, producers),
  ]);
  // KAFSCALE_SOAK_LOG_DIR keeps every broker's and producer's log of the run, to trace a failure.
  const logDir = Deno.env.get("KAFSCALE_SOAK_LOG_DIR");
  if (logDir) {
    await Deno.mkdir(logDir, { recursive: true });
    for (const [i, s] of slots.entries()) {
      await Deno.writeTextFile(
        `${logDir}/broker-${i}.log`,
        [...s.logs, s.broker.stderr()].join(""),
      );
    }
    for (const [i, o] of outputs.entries()) {
      await Deno.writeTextFile(`${logDir}/producer-${i}.log`, o.stderr + o.stdout);
    }
  }
  const acked = new Map<string, string>();
  const failed: string[] = [];
  for (const o of outputs) {
    assertEquals(o.code, 0, o.stderr);
    for (const line of o.stdout.split("\n")) {
      const [kind, value, ...rest] = line.split(" ");
      if (kind === "ACK") acked.set(value!, rest.join(" "));
      if (kind === "ERR") failed.push(line);
    }
  }
  assertEquals(failed, [], "every record was eventually acknowledged");
  assert(acked.size >= SECONDS * RATE, `only ${acked.size} records acknowledged`);
  const mostKeys = keySamples.most;
  assert(mostKeys <= BUDGET, `${mostKeys} segment keys, over the budget of ${BUDGET}`);

  const read = await run("kcat", [
    "-b",
    bootstrap,
    "-t",
    TOPIC,
    "-C",
    "-e",
    "-q",
    "-f",
    "%p %o %s\n",
  ], { timeoutMs: 120_000 });
  assertEquals(read.code, 0, read.stderr);
  const seen = new Map<string, string>();
  const next = new Map<number, number>();
  for (const line of read.stdout.split("\n").filter(Boolean)) {
    const [p, o, value] = line.split(" ");
    assert(
      !seen.has(value!),
      `${value} stored twice: at ${seen.get(value!)} and at ${p} ${o}; acknowledged at ` +
        `${acked.get(value!) ?? "none"}`,
    );
    seen.set(value!, `${p} ${o}`);
    assertEquals(Number(o), next.get(Number(p)) ?? 0, `offsets of partition ${p} are dense`);
    next.set(Number(p), Number(o) + 1);
  }
  for (const [value, place] of acked) {
    const [partition, offset] = place.split(" ");
    if (offset === "None") {
      // librdkafka acknowledges a record without an offset when it learns it was stored only
      // from a later batch's acknowledgement (its own request's answer was lost): it must be
      // stored, once (checked above), in its partition.
      assertEquals(seen.get(value)?.split(" ")[0], partition, `${value} stored in ${partition}`);
    } else {
      assertEquals(seen.get(value), place, `${value} where its acknowledgement said`);
    }
  }
  for (const s of slots) s.logs.push(s.broker.stderr());
  const bad = slots.flatMap((s) => s.logs.join("").split("\n")).filter((l) => LIMIT_ERRORS.test(l));
  assertEquals(bad, [], "no limit error or listener leak was logged");
  return `${acked.size} acknowledged records, each read back once at its offset; ` +
    `at most ${mostKeys} segment keys (budget ${BUDGET}; a minute apart: ` +
    `${keySamples.perMinute.join(" ")}); chaos: ${actions.join(", ")}`;
}

const fast = { KAFSCALE_LAG_SAMPLE_MS: "1000", KAFSCALE_LOG_LEVEL: "warn" };

Deno.test("soak: embedded default, one broker killed and paused under idempotent load", async () => {
  const env = { ...fast, KAFSCALE_BROKER_ID: "0" };
  const slot: Slot = { broker: await startBroker({ env }), env, logs: [] };
  try {
    console.log(await soak([slot], 3_000));
  } finally {
    slot.broker.signal("SIGCONT");
    await slot.broker.stop("SIGKILL");
    await removeDir(slot.broker.dataDir);
  }
});

Deno.test({
  name: "soak: etcd+s3, three brokers killed and paused in turn under idempotent load",
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  async fn() {
    await withServices(async (etcd, s3) => {
      const slots: Slot[] = [];
      try {
        for (const id of [1, 2, 3]) {
          const env = {
            ...backendEnv(etcd, s3, { brokerId: id }),
            ...fast,
            KAFSCALE_BROKER_LEASE_SECONDS: "3",
          };
          slots.push({ broker: await startBroker({ env }), env, logs: [] });
        }
        console.log(await soak(slots, 5_000)); // paused past its lease: fenced on waking
        const status = await run("etcdctl", ["--endpoints", etcd.endpoint, "endpoint", "status"], {
          env: { ETCDCTL_API: "3" },
        });
        console.log(`etcd: ${status.stdout.trim()}`);
      } finally {
        for (const s of slots) {
          s.broker.signal("SIGCONT");
          await s.broker.stop("SIGKILL");
          await removeDir(s.broker.dataDir);
        }
      }
    });
  },
});
