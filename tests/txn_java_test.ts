/**
 * Transactions with Apache Kafka's Java clients 3.7 and 4.0 (tests/clients/java/Txn.java,
 * compiled against each release's jars): a transactional producer commits and aborts, a
 * read_committed consumer sees the committed records only and a read_uncommitted one sees both;
 * a second producer with the same transactional.id fences the first (ProducerFencedException)
 * and the first one's records are never visible; kafka-transactions.sh lists and describes the
 * transactions; a consume-transform-produce loop with sendOffsetsToTransaction moves 10,000
 * records exactly once through aborted transactions (every 7th, the input rewound) and a crash
 * of the process mid-transaction (the next instance fences its transactional id and resumes
 * from the committed offsets).
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { type BrokerProcess, removeDir, run, startBroker } from "./_harness.ts";
import { createTopic } from "./_setup.ts";
import { consumed, javaTxn } from "./_java_txn.ts";

const KAFKA = new URL("../scripts/kafka/", import.meta.url).pathname;

/** Records the exactly-once loop moves (KAFSCALE_TXN_TEST_RECORDS; the 100,000 runs in minutes). */
const EOS_RECORDS = Number(Deno.env.get("KAFSCALE_TXN_TEST_RECORDS") ?? 10_000);
async function withBroker(fn: (b: BrokerProcess) => Promise<void>) {
  const broker = await startBroker({ env: { KAFSCALE_GROUP_INITIAL_REBALANCE_DELAY_MS: "0" } });
  try {
    await fn(broker);
  } finally {
    await broker.stop();
    await removeDir(broker.dataDir);
  }
}

for (const version of ["3.7", "4"]) {
  Deno.test(`java ${version} transactions: commit, abort, isolation levels, fencing, kafka-transactions.sh`, async () => {
    const java = await javaTxn(version);
    try {
      await withBroker(async (b) => {
        const bs = b.bootstrap;
        await createTopic(bs, "tj", 2);
        const ok = async (args: string[], expect: string) => {
          const r = await java.run(args);
          assertEquals(r.code, 0, r.stderr);
          assert(r.stdout.includes(expect), `${args[0]}: ${r.stdout}\n${r.stderr}`);
        };
        await ok(["produce", bs, "tj", "app", "commit", "c1", "c2", "c3"], "COMMITTED");
        await ok(["produce", bs, "tj", "app", "abort", "a1", "a2"], "ABORTED");
        await ok(["produce", bs, "tj", "app", "commit", "c4"], "COMMITTED");
        await ok(["fence", bs, "tj", "other"], "FENCED ProducerFencedException");
        const committed = consumed(
          (await java.run(["consume", bs, "tj", "read_committed"])).stdout,
        );
        assertEquals(committed.values.sort(), ["c1", "c2", "c3", "c4", "second"]);
        const all = consumed((await java.run(["consume", bs, "tj", "read_uncommitted"])).stdout);
        assertEquals(all.values.sort(), ["a1", "a2", "c1", "c2", "c3", "c4", "second", "zombie"]);

        const env = { KAFKA_VERSION: version };
        const list = await run(
          `${KAFKA}kafka-transactions.sh`,
          ["--bootstrap-server", bs, "list"],
          {
            env,
          },
        );
        assertEquals(list.code, 0, list.stderr);
        const rows = list.stdout.split("\n").filter((l) => /^(app|other)\s/.test(l))
          .map((l) => l.split(/\s+/).filter(Boolean));
        assertEquals(rows.map((r) => [r[0], r[3]]).sort(), [
          ["app", "CompleteCommit"],
          ["other", "CompleteCommit"],
        ]);
        const described = await run(`${KAFKA}kafka-transactions.sh`, [
          "--bootstrap-server",
          bs,
          "describe",
          "--transactional-id",
          "other",
        ], { env });
        assertEquals(described.code, 0, described.stderr);
        const row = described.stdout.split("\n").find((l) => /\sother\s/.test(l))!.split(/\s+/);
        // CoordinatorId TransactionalId ProducerId ProducerEpoch TransactionState ...
        assertEquals([row[0], row[1], row[3], row[4]], ["0", "other", "2", "CompleteCommit"]);
        const producers: string[][] = [];
        for (const partition of ["0", "1"]) {
          const r = await run(`${KAFKA}kafka-transactions.sh`, [
            "--bootstrap-server",
            bs,
            "describe-producers",
            "--topic",
            "tj",
            "--partition",
            partition,
          ], { env });
          assertEquals(r.code, 0, r.stderr);
          // ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence LastTimestamp
          // CurrentTransactionStartOffset: no transaction left open.
          producers.push(
            ...r.stdout.split("\n").slice(1).filter(Boolean).map((l) => l.trim().split(/\s+/)),
          );
        }
        assert(producers.length > 0, "producers listed");
        assert(producers.every((p) => p.at(-1) === "None"), JSON.stringify(producers));
        const hanging = await run(`${KAFKA}kafka-transactions.sh`, [
          "--bootstrap-server",
          bs,
          "find-hanging",
          "--broker-id",
          "0",
        ], { env });
        assertEquals(hanging.code, 0, hanging.stderr);
        assertEquals(hanging.stdout.split("\n").filter(Boolean).length, 1, hanging.stdout); // header only
      });
    } finally {
      await java.cleanup();
    }
  });

  Deno.test(`java ${version} transactions: consume-transform-produce moves ${EOS_RECORDS} records exactly once through aborts and a crash`, async () => {
    const java = await javaTxn(version);
    try {
      await withBroker(async (b) => {
        const bs = b.bootstrap;
        await createTopic(bs, "eos-in", 3);
        await createTopic(bs, "eos-out", 3);
        const input = await java.run(["plain", bs, "eos-in", String(EOS_RECORDS)]);
        assertEquals(input.code, 0, input.stderr);
        // Aborts every 7th transaction; dies (halt) in its 30th, with records sent.
        const crashed = await java.run([
          "eos",
          bs,
          "eos-in",
          "eos-out",
          "eos",
          "eos-app",
          "7",
          "30",
        ]);
        assertEquals(crashed.code, 3, crashed.stdout + crashed.stderr);
        const resumed = await java.run([
          "eos",
          bs,
          "eos-in",
          "eos-out",
          "eos",
          "eos-app",
          "7",
          "0",
        ]);
        assertEquals(resumed.code, 0, resumed.stderr);
        assert(/aborted=\d+/.test(resumed.stdout), resumed.stdout);
        const out = consumed((await java.run(["consume", bs, "eos-out", "read_committed"])).stdout);
        const expected = Array.from({ length: EOS_RECORDS }, (_, i) => `v${i}`).sort();
        assertEquals(out.count, EOS_RECORDS);
        assertEquals(out.values.sort(), expected, "every input record once in the output");
        const raw = consumed(
          (await java.run(["consume", bs, "eos-out", "read_uncommitted"])).stdout,
        );
        assert(raw.count > EOS_RECORDS, `aborted records are in the log: ${raw.count}`);
      });
    } finally {
      await java.cleanup();
    }
  });
}
