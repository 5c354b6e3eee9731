/**
 * Apache Kafka's own Java tools (Maven Central jars, 3.7.2 and 4.0.0) against the real broker:
 * kafka-console-producer with default settings (idempotence on: InitProducerId and sequence
 * numbers) and kafka-console-consumer reading one partition.
 */
import { assertEquals } from "../src/testing/assert.ts";
import { removeDir, run, startBroker } from "./_harness.ts";

const KAFKA = new URL("../scripts/kafka/", import.meta.url).pathname;

for (const version of ["3.7", "4"]) {
  Deno.test(`java ${version}: kafka-console-producer (defaults) then kafka-console-consumer --partition`, async () => {
    const broker = await startBroker();
    try {
      const env = { KAFKA_VERSION: version };
      const lines = Array.from({ length: 1000 }, (_, i) => `java-${version}-${i}`);
      const p = await run(`${KAFKA}kafka-console-producer.sh`, [
        "--bootstrap-server",
        broker.bootstrap,
        "--topic",
        "jt",
      ], {
        env,
        stdin: lines.join("\n") + "\n",
      });
      assertEquals(p.code, 0, p.stderr);
      const c = await run(`${KAFKA}kafka-console-consumer.sh`, [
        "--bootstrap-server",
        broker.bootstrap,
        "--topic",
        "jt",
        "--partition",
        "0",
        "--offset",
        "earliest",
        "--max-messages",
        "1000",
        "--timeout-ms",
        "30000",
      ], { env });
      assertEquals(c.code, 0, c.stderr);
      assertEquals(c.stdout.split("\n").filter(Boolean), lines);
    } finally {
      await broker.stop();
      await removeDir(broker.dataDir);
    }
  });
}
