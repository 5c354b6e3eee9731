/**
 * The broker on real etcd and a real S3-compatible server (s3rver): acknowledged records
 * survive kill -9; admin changes land in etcd (read back with etcdctl) and survive restart.
 * (Two brokers that both believe they lead a partition: tests/cluster_test.ts.)
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import { removeDir, run, startBroker } from "./_harness.ts";
import { backendEnv, withServices } from "./_setup.ts";

const missing = etcdMissing() ?? s3Missing();
const KAFKA = new URL("../scripts/kafka/", import.meta.url).pathname;

Deno.test({
  name:
    "etcd+s3: acknowledged records survive kill -9; topic config changes are in etcd and survive restart",
  ignore: missing !== undefined,
  async fn() {
    await withServices(async (etcd, s3) => {
      let broker = await startBroker({ env: backendEnv(etcd, s3) });
      const { port, dataDir } = broker;
      try {
        const lines = Array.from({ length: 3000 }, (_, i) => `v${i}`).join("\n") + "\n";
        const p = await run("kcat", [
          "-b",
          broker.bootstrap,
          "-t",
          "orders",
          "-P",
          "-X",
          "acks=all",
        ], { stdin: lines });
        assertEquals(p.code, 0, p.stderr);
        const alter = await run(`${KAFKA}kafka-configs.sh`, [
          "--bootstrap-server",
          broker.bootstrap,
          "--alter",
          "--entity-type",
          "topics",
          "--entity-name",
          "orders",
          "--add-config",
          "retention.ms=120000",
        ]);
        assertEquals(alter.code, 0, alter.stderr);
        const inEtcd = await run("etcdctl", [
          "--endpoints",
          etcd.endpoint,
          "get",
          "/kafscale/topics/orders",
          "--print-value-only",
        ], {
          env: { ETCDCTL_API: "3" },
        });
        assert(inEtcd.stdout.includes('"retention_ms":120000'), inEtcd.stdout + inEtcd.stderr);
        const etcdGet = async (key: string) =>
          (await run("etcdctl", [
            "--endpoints",
            etcd.endpoint,
            "get",
            `/kafscale/${key}`,
            "--print-value-only",
          ], {
            env: { ETCDCTL_API: "3" },
          })).stdout;
        const parts = await run(`${KAFKA}kafka-topics.sh`, [
          "--bootstrap-server",
          broker.bootstrap,
          "--alter",
          "--topic",
          "orders",
          "--partitions",
          "4",
        ]);
        assertEquals(parts.code, 0, parts.stderr);
        assert(
          (await etcdGet("topics/orders")).includes('"partitions":4'),
          "partition count in etcd",
        );
        // A partition's record is written when a broker first opens it (Metadata does).
        const listed = await run("kcat", ["-b", broker.bootstrap, "-L", "-t", "orders"]);
        assertEquals(listed.code, 0, listed.stderr);
        assert(
          (await etcdGet("partitions/orders/3")).includes('"log_end_offset":0'),
          "new partition's record in etcd once opened",
        );
        const reset = await run(`${KAFKA}kafka-consumer-groups.sh`, [
          "--bootstrap-server",
          broker.bootstrap,
          "--reset-offsets",
          "--group",
          "ops",
          "--topic",
          "orders",
          "--to-offset",
          "7",
          "--execute",
        ]);
        assertEquals(reset.code, 0, reset.stderr);
        assert(
          (await etcdGet("offsets/ops/orders/0")).includes('"offset":7'),
          "committed offset in etcd",
        );
        await broker.stop("SIGKILL");
        broker = await startBroker({ port, dataDir, env: backendEnv(etcd, s3) });
        const described = await run(`${KAFKA}kafka-consumer-groups.sh`, [
          "--bootstrap-server",
          broker.bootstrap,
          "--describe",
          "--group",
          "ops",
        ]);
        assert(/ops\s+orders\s+0\s+7\s+3000/.test(described.stdout), described.stdout);
        const del = await run(`${KAFKA}kafka-consumer-groups.sh`, [
          "--bootstrap-server",
          broker.bootstrap,
          "--delete",
          "--group",
          "ops",
        ]);
        assertEquals(del.code, 0, del.stderr);
        assertEquals((await etcdGet("offsets/ops/orders/0")).trim(), "");
        const c = await run("kcat", [
          "-b",
          broker.bootstrap,
          "-t",
          "orders",
          "-C",
          "-e",
          "-q",
          "-f",
          "%o %s\n",
        ]);
        assertEquals(
          c.stdout.split("\n").filter(Boolean),
          Array.from({ length: 3000 }, (_, i) => `${i} v${i}`),
        );
        const d = await run(`${KAFKA}kafka-configs.sh`, [
          "--bootstrap-server",
          broker.bootstrap,
          "--describe",
          "--entity-type",
          "topics",
          "--entity-name",
          "orders",
        ]);
        assert(d.stdout.includes("retention.ms=120000"), d.stdout);
      } finally {
        await broker.stop();
        await removeDir(dataDir);
      }
    });
  },
});
