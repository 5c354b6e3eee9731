/**
 * The admin CLI in the same binary (`kafscale topics|groups|configs|offsets`), run with the
 * broker's permission flags against the real broker process, checked through --json output,
 * plus `--version`, `--help` and a failing command's exit status and message.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { brokerPermissions, removeDir, run, startBroker } from "./_harness.ts";
import { produceRecords } from "./_setup.ts";

const ROOT = new URL("../", import.meta.url).pathname;
// The admin CLI runs with the broker's flags (it is the same binary); it touches no files.
const PERMISSIONS = brokerPermissions("/nonexistent/kafscale-cli");
const cli = (...args: string[]) =>
  run(`${ROOT}scripts/deno`, ["run", ...PERMISSIONS, `${ROOT}main.ts`, ...args]);

Deno.test("admin cli: topics, groups, configs and offsets against the broker, as JSON", async () => {
  const broker = await startBroker();
  const b = ["--bootstrap-server", broker.bootstrap, "--json"];
  const json = async (...args: string[]) => {
    const r = await cli(...args, ...b);
    assertEquals(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  try {
    await json("topics", "create", "cli", "--partitions", "2", "--config", "retention.ms=60000");
    assertEquals((await json("topics", "list")).map((t: { topic: string }) => t.topic), ["cli"]);
    assertEquals((await json("topics", "describe", "cli")).length, 2);
    await produceRecords(broker.bootstrap, "cli", 0, 10);
    const reset = await json("groups", "reset-offsets", "cg", "--topic", "cli", "--to-latest");
    assertEquals(reset.map((r: { current: number }) => r.current), [10, 0]);
    await json("groups", "reset-offsets", "cg", "--topic", "cli", "--to-offset", "4");
    const d = await json("groups", "describe", "cg");
    assertEquals([d.state, d.rows[0].current, d.rows[0].logEnd, d.rows[0].lag], [
      "Empty",
      4,
      10,
      6,
    ]);
    await json(
      "configs",
      "alter",
      "--topic",
      "cli",
      "--set",
      "retention.bytes=1000",
      "--delete",
      "retention.ms",
    );
    const cfg = await json("configs", "describe", "--topic", "cli");
    const byName = Object.fromEntries(
      cfg.map((c: { name: string; value: string }) => [c.name, c.value]),
    );
    assertEquals([byName["retention.bytes"], byName["retention.ms"]], ["1000", "604800000"]);
    const epoch = await json("offsets", "--for-leader-epoch", "cli:0:1");
    assertEquals([epoch[0].leaderEpoch, epoch[0].endOffset], [1, 10]);
    await json("topics", "alter", "cli", "--partitions", "3");
    await json("groups", "delete", "cg");
    assertEquals(await json("groups", "list"), []);
    const bad = await cli(
      "configs",
      "alter",
      "--topic",
      "cli",
      "--set",
      "max.message.bytes=5000",
      ...b,
    );
    assert(bad.code === 1 && bad.stderr.includes("INVALID_CONFIG"), bad.stderr);
    await json("topics", "delete", "cli");
    const gone = await cli("topics", "describe", "cli", ...b);
    assert(gone.code === 1 && gone.stderr.includes("UNKNOWN_TOPIC_OR_PARTITION"), gone.stderr);
  } finally {
    await broker.stop();
    await removeDir(broker.dataDir);
  }
});

Deno.test("cli: --version, --help and serve --help list every setting; a bad setting stops start-up with one line", async () => {
  const v = await cli("--version");
  assert(/^kafscale \d+\.\d+\.\d+\n$/.test(v.stdout), v.stdout);
  const h = await cli("--help");
  assert(
    h.stdout.includes("kafscale serve") && h.stdout.includes("kafscale groups describe"),
    h.stdout,
  );
  const sh = await cli("serve", "--help");
  for (
    const env of [
      "KAFSCALE_BROKER_ADDR",
      "KAFSCALE_S3_BUCKET",
      "KAFSCALE_ETCD_ENDPOINTS",
      "KAFSCALE_FLUSH_INTERVAL_MS",
      "KAFSCALE_DATA_DIR",
    ]
  ) {
    assert(sh.stdout.includes(env), `serve --help lacks ${env}`);
  }
  const bad = await run(`${ROOT}scripts/deno`, [
    "run",
    ...PERMISSIONS,
    `${ROOT}main.ts`,
    "serve",
  ], {
    env: { KAFSCALE_FLUSH_INTERVAL_MS: "soon" },
  });
  assertEquals(bad.code, 2);
  assertEquals(
    bad.stderr.trim(),
    'kafscale: Invalid KAFSCALE_FLUSH_INTERVAL_MS="soon": must be a whole number',
  );
});
