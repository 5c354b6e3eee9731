/**
 * Transactions with librdkafka and franz-go: confluent-kafka's transactional API commits and
 * aborts (read_committed sees the committed records only, read_uncommitted both), a second
 * producer of the id fences the first, and send_offsets_to_transaction copies 2,000 records
 * exactly once through aborted transactions (tests/clients/python/confluent_transactions.py);
 * franz-go's GroupTransactSession does the same (every 5th transaction aborted), checked with a
 * read_committed kcat.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { kgoClient, removeDir, requireTool, run, startBroker, toolsDir } from "./_harness.ts";
import { createTopic, produceValues } from "./_setup.ts";

const HERE = new URL("./clients/", import.meta.url).pathname;

async function withBroker(fn: (bootstrap: string) => Promise<void>) {
  const broker = await startBroker({ env: { KAFSCALE_GROUP_INITIAL_REBALANCE_DELAY_MS: "0" } });
  try {
    await fn(broker.bootstrap);
  } finally {
    await broker.stop();
    await removeDir(broker.dataDir);
  }
}

Deno.test("confluent-kafka transactions: commit, abort, isolation, fencing, exactly-once copy", async () => {
  await withBroker(async (b) => {
    await createTopic(b, "ck", 2);
    await createTopic(b, "ck-in", 3);
    await createTopic(b, "ck-out", 3);
    await produceValues(b, "ck-in", 0, 2000);
    const r = await run(requireTool(`${toolsDir()}/venv/bin/python`), [
      `${HERE}python/confluent_transactions.py`,
      b,
      "ck",
      "ck-in",
      "ck-out",
      "2000",
    ], { timeoutMs: 180_000 });
    assertEquals(r.code, 0, r.stdout + r.stderr);
    assert(/aborted=[1-9]/.test(r.stdout), r.stdout);
  });
});

Deno.test("franz-go GroupTransactSession: exactly-once copy through aborted transactions", async () => {
  await withBroker(async (b) => {
    await createTopic(b, "kg-in", 3);
    await createTopic(b, "kg-out", 3);
    await produceValues(b, "kg-in", 0, 2000);
    const r = await run(await kgoClient(), [
      "eos",
      "-brokers",
      b,
      "-topic",
      "kg-in",
      "-out",
      "kg-out",
      "-group",
      "kg-eos",
      "-txn",
      "kg-app",
      "-n",
      "2000",
      "-abort-every",
      "5",
    ], { timeoutMs: 180_000 });
    assertEquals(r.code, 0, r.stdout + r.stderr);
    const aborted = Number(/aborted=(\d+)/.exec(r.stdout)?.[1] ?? 0);
    assert(aborted > 0, `no transaction was aborted: ${r.stdout}`);
    const read = await run("kcat", [
      "-b",
      b,
      "-t",
      "kg-out",
      "-C",
      "-e",
      "-q",
      "-X",
      "isolation.level=read_committed",
    ]);
    assertEquals(read.code, 0, read.stderr);
    const values = read.stdout.split("\n").filter(Boolean).sort();
    assertEquals(values, Array.from({ length: 2000 }, (_, i) => `v${i}`).sort());
  });
});
