/**
 * Starts a broker inside the test process on ephemeral ports with a temporary data directory,
 * for protocol-level tests that speak raw Kafka over a real socket.
 * @module
 */
import { parseConfig } from "../src/config/config.ts";
import { type RunningBroker, startBroker } from "../src/cli/broker.ts";
import { silentLogger } from "../src/metrics/logger.ts";
import { KafkaConnection } from "../src/client/connection.ts";

/** A broker plus a connected client. */
export interface TestBroker {
  broker: RunningBroker;
  client: KafkaConnection;
  address: string;
  dataDir: string;
  connect(): Promise<KafkaConnection>;
  close(): Promise<void>;
}

/** Starts an in-process broker; `env` overrides KAFSCALE_* settings. */
export async function inProcessBroker(env: Record<string, string> = {}): Promise<TestBroker> {
  const dataDir = env.KAFSCALE_DATA_DIR ?? await Deno.makeTempDir({ prefix: "kafscale-inproc-" });
  const config = parseConfig({
    KAFSCALE_BROKER_ADDR: "127.0.0.1:0",
    KAFSCALE_METRICS_ADDR: "127.0.0.1:0",
    KAFSCALE_DATA_DIR: dataDir,
    KAFSCALE_FLUSH_INTERVAL_MS: "5",
    ...env,
  });
  const broker = await startBroker(config, silentLogger);
  const address = `127.0.0.1:${broker.port}`;
  const clients: KafkaConnection[] = [];
  const connect = async () => {
    const c = await KafkaConnection.connect(address, "kafscale-test");
    clients.push(c);
    return c;
  };
  const client = await connect();
  return {
    broker,
    client,
    address,
    dataDir,
    connect,
    async close() {
      for (const c of clients) await c.close();
      await broker.stop();
      if (!env.KAFSCALE_DATA_DIR) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}
