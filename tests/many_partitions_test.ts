/**
 * 1,000 partitions (10 topics x 100) written by one confluent-kafka producer that pipelines
 * (acks=all, linger.ms=5, librdkafka's default in-flight limit): every record is acknowledged and
 * read back, on the embedded default and on etcd + s3rver (a broker that froze, as one did when
 * its connection loop spun, fails the producer's deadline). The broker's worst event-loop lag is
 * printed, not asserted (tests never time).
 */
import { assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import { removeDir, requireTool, run, startBroker, toolsDir } from "./_harness.ts";
import { backendEnv, withServices } from "./_setup.ts";

const HERE = new URL("./clients/python/", import.meta.url).pathname;

async function manyPartitions(env: Record<string, string>): Promise<void> {
  const broker = await startBroker({ env });
  try {
    const python = requireTool(`${toolsDir()}/venv/bin/python`);
    const r = await run(python, [`${HERE}many_partitions.py`, broker.bootstrap, "mp"], {
      timeoutMs: 600_000,
    });
    assertEquals(r.code, 0, r.stdout + r.stderr);
    for (const topic of ["mp0", "mp9"]) {
      const read = await run("kcat", ["-b", broker.bootstrap, "-t", topic, "-C", "-e", "-q"]);
      assertEquals(read.code, 0, read.stderr);
      assertEquals(read.stdout.split("\n").filter(Boolean).length, 300, topic);
    }
    const metrics = await (await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`)).text();
    const lag = Number(metrics.match(/^kafscale_event_loop_lag_max_seconds (\S+)/m)?.[1]);
    console.log(`largest event-loop lag: ${lag} s`);
  } finally {
    await broker.stop("SIGKILL");
    await removeDir(broker.dataDir);
  }
}

Deno.test("1,000 partitions: embedded default", () => manyPartitions({}));

Deno.test({
  name: "1,000 partitions: etcd+s3",
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  fn: () => withServices((etcd, s3) => manyPartitions(backendEnv(etcd, s3))),
});
