/**
 * Real client libraries against the real broker process: confluent-kafka (librdkafka),
 * kafka-python 2.0.2 and kafkajs produce with acks=all and read everything back.
 */
import { assertEquals } from "../src/testing/assert.ts";
import { removeDir, requireTool, run, startBroker, toolsDir } from "./_harness.ts";

const HERE = new URL("./clients/", import.meta.url).pathname;
const python = () => requireTool(`${toolsDir()}/venv/bin/python`);

async function withBroker(fn: (bootstrap: string) => Promise<void>) {
  const broker = await startBroker({ env: { KAFSCALE_AUTO_CREATE_PARTITIONS: "3" } });
  try {
    await fn(broker.bootstrap);
  } finally {
    await broker.stop();
    await removeDir(broker.dataDir);
  }
}

Deno.test("confluent-kafka: idempotent acks=all produce over 3 partitions, consume by assignment, offsets as acked", async () => {
  await withBroker(async (bootstrap) => {
    const r = await run(python(), [
      `${HERE}python/confluent_produce_consume.py`,
      bootstrap,
      "ck",
      "20000",
      "3",
    ]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
  });
});

Deno.test("kafka-python 2.0.2: produce acks=all with dense offsets, consume by assignment", async () => {
  await withBroker(async (bootstrap) => {
    const r = await run(python(), [
      `${HERE}python/kafka_python_produce_consume.py`,
      bootstrap,
      "kp",
      "2000",
    ]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
  });
});

Deno.test("kafkajs: create topic, produce acks=-1, consume everything", async () => {
  await withBroker(async (bootstrap) => {
    const dir = requireTool(`${toolsDir()}/node/node_modules`);
    const r = await run("node", [`${HERE}node/produce_consume.mjs`, bootstrap, "kjs", "3000"], {
      env: { KAFKAJS_DIR: dir, KAFKAJS_NO_PARTITIONER_WARNING: "1" },
    });
    assertEquals(r.code, 0, r.stdout + r.stderr);
  });
});
