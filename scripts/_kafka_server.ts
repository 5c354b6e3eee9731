/**
 * Starts Apache Kafka 3.7 as a single KRaft node (broker and controller) on loopback, from the
 * jars scripts/install_test_deps.sh puts in ~/.cache/kafscale/kafka-3.7.2, for benchmarks that
 * compare against it. Formats a fresh storage directory first. Kafka's defaults are kept (it
 * acknowledges without fsync: its durability comes from replication, which one node lacks).
 * @module
 */
import { freePort } from "../src/testing/ports.ts";
export { freePort };
import { toolsDir } from "../src/testing/services.ts";

/** A running Kafka node. */
export interface KafkaServer {
  bootstrap: string;
  /** The broker JVM's process id (for RSS). */
  pid: number;
  stop(): Promise<void>;
}

function java(jars: string, main: string, args: string[], heap = "512m"): Deno.Command {
  return new Deno.Command("java", {
    args: [
      `-Xms${heap}`,
      `-Xmx${heap}`,
      "-Dlog4j.configuration=file:/dev/null",
      "-cp",
      `${jars}/*`,
      main,
      ...args,
    ],
    stdout: "null",
    stderr: "null",
  });
}

/**
 * Formats storage and starts the node (with `heap` for the JVM, and `extraProps` added to its
 * server.properties); resolves once it accepts connections.
 */
export async function startKafka(heap = "512m", extraProps: string[] = []): Promise<KafkaServer> {
  const jars = `${toolsDir()}/kafka-3.7.2`;
  try {
    Deno.statSync(`${jars}/.complete`);
  } catch {
    throw new Error("Cannot start Kafka 3.7: its jars are missing (scripts/install_test_deps.sh)");
  }
  const dir = await Deno.makeTempDir({ prefix: "kafscale-kafka37-" });
  const [port, controller] = [freePort(), freePort()];
  const props = [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    `log.dirs=${dir}/data`,
    "offsets.topic.replication.factor=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    ...extraProps,
  ].join("\n");
  await Deno.writeTextFile(`${dir}/server.properties`, props + "\n");
  const clusterId = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""); // a Kafka Uuid
  const format = ["format", "-t", clusterId, "-c", `${dir}/server.properties`];
  const formatted = await java(jars, "kafka.tools.StorageTool", format).output();
  if (!formatted.success) throw new Error("Cannot format Kafka's storage");
  const child = java(jars, "kafka.Kafka", [`${dir}/server.properties`], heap).spawn();
  const stop = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return { bootstrap: `127.0.0.1:${port}`, pid: child.pid, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Cannot start Kafka 3.7: nothing listens on port ${port} after 60 s`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
