/**
 * The monitoring files in deploy/ against a real Prometheus (Debian's `prometheus` and
 * `promtool`): promtool accepts the rules and the scrape configuration; then Prometheus scrapes
 * two brokers on etcd and s3rver under a producing load with lagging groups and admin traffic,
 * and every query of the spec's PromQL section, every recording and alert expression of
 * deploy/prometheus/kafscale-rules.yml and every panel of deploy/grafana/kafscale.json returns
 * data through Prometheus's HTTP API. An expression that ends in a threshold (`> 3600`) is also
 * asked without it, since a quiet cluster rightly fires no alert: the series behind it must exist.
 * @module
 */
import { assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { DeleteGroups } from "../src/protocol/messages/42_delete_groups.ts";
import { ListGroups } from "../src/protocol/messages/16_list_groups.ts";
import {
  type BrokerProcess,
  freePort,
  removeDir,
  requireTool,
  run,
  startBroker,
} from "./_harness.ts";
import { backendEnv, commitOffsets, createTopic, produceRecords, withServices } from "./_setup.ts";

const DEPLOY = new URL("../deploy/", import.meta.url).pathname;
const RULES = `${DEPLOY}prometheus/kafscale-rules.yml`;

/** The spec's PromQL section, verbatim (spec/ops-api-v1.md, "PromQL Queries"). */
const SPEC_QUERIES = [
  "histogram_quantile(0.95, rate(kafscale_produce_latency_ms_bucket[5m]))",
  "histogram_quantile(0.99, rate(kafscale_consumer_lag_bucket[5m]))",
  'kafscale_s3_health_state{state="healthy"} == 1',
  "sum(kafscale_produce_rps)",
  "sum by (api) (rate(kafscale_admin_requests_total[5m]))",
  "sum(rate(kafscale_admin_request_errors_total[5m])) / sum(rate(kafscale_admin_requests_total[5m]))",
  "kafscale_broker_mem_alloc_bytes / kafscale_broker_mem_sys_bytes * 100",
  "kafscale_operator_etcd_snapshot_age_seconds > 3600",
  "kafscale_consumer_lag_max > 100000",
];

/** Every `expr:` and `record:` of the rules file (one line each, as the file keeps them). */
function ruleExpressions(yaml: string): { exprs: string[]; records: string[] } {
  const pick = (key: string) =>
    [...yaml.matchAll(new RegExp(`^\\s*(?:- )?${key}:\\s*(.+)$`, "gm"))].map((m) => m[1]!.trim());
  return { exprs: pick("expr"), records: pick("record") };
}

/** The expression without a trailing comparison with a number, or null when it has none. */
function withoutThreshold(expr: string): string | null {
  const m = expr.match(/^(.*?)\s*(==|!=|>=|<=|>|<)\s*[-+]?[\d.]+(e[-+]?\d+)?\s*$/);
  return m ? m[1]! : null;
}

async function query(base: string, expr: string): Promise<{ status: string; result: unknown[] }> {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = await r.json();
  return { status: body.status, result: body.data?.result ?? [] };
}

Deno.test("prometheus: promtool accepts the rules and the scrape configuration", async () => {
  const promtool = requireTool("/usr/bin/promtool");
  const rules = await run(promtool, ["check", "rules", RULES]);
  assertEquals(rules.code, 0, rules.stdout + rules.stderr);
  const config = await run(promtool, ["check", "config", `${DEPLOY}prometheus/prometheus.yml`]);
  assertEquals(config.code, 0, config.stdout + config.stderr);
});

Deno.test({
  name: "prometheus: every spec query, rule and dashboard panel returns data from a live cluster",
  ignore: (etcdMissing() ?? s3Missing()) !== undefined,
  async fn() {
    const prometheus = requireTool("/usr/bin/prometheus");
    const rulesYaml = await Deno.readTextFile(RULES);
    const { exprs, records } = ruleExpressions(rulesYaml);
    const dashboard = JSON.parse(await Deno.readTextFile(`${DEPLOY}grafana/kafscale.json`));
    const panels = (dashboard.panels as { title: string; targets: { expr: string }[] }[])
      .flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr })));
    const dir = await Deno.makeTempDir({ prefix: "kafscale-prometheus-" });
    await withServices(async (etcd, s3) => {
      const brokers: BrokerProcess[] = [];
      let prom: Deno.ChildProcess | null = null;
      let loading = true;
      let load: Promise<void> = Promise.resolve();
      try {
        for (const id of [1, 2]) {
          brokers.push(
            await startBroker({
              env: { ...backendEnv(etcd, s3, { brokerId: id }), KAFSCALE_LAG_SAMPLE_MS: "1000" },
            }),
          );
        }
        const port = freePort();
        const base = `http://127.0.0.1:${port}`;
        // The rules as shipped, evaluated every second instead of every 30 s.
        await Deno.writeTextFile(
          `${dir}/rules.yml`,
          rulesYaml.replace(/interval: 30s/g, "interval: 1s"),
        );
        await Deno.writeTextFile(
          `${dir}/prometheus.yml`,
          [
            "global: { scrape_interval: 1s, evaluation_interval: 1s }",
            "rule_files: [rules.yml]",
            "scrape_configs:",
            "  - job_name: kafscale",
            `    static_configs: [{ targets: [${
              brokers.map((b) => `"127.0.0.1:${b.metricsPort}"`).join(", ")
            }] }]`,
          ].join("\n") + "\n",
        );
        prom = new Deno.Command(prometheus, {
          args: [
            `--config.file=${dir}/prometheus.yml`,
            `--storage.tsdb.path=${dir}/data`,
            `--web.listen-address=127.0.0.1:${port}`,
          ],
          stdout: "null",
          stderr: "null",
        }).spawn();

        // Traffic: records on every partition, groups that lag behind them, admin requests and
        // an admin error (DeleteGroups of an unknown group), round after round.
        const bootstrap = brokers[0]!.bootstrap;
        await createTopic(bootstrap, "metrics-topic", 6);
        load = (async () => {
          let round = 0;
          while (loading) {
            for (const b of brokers) {
              for (let p = 0; p < 6; p++) {
                await produceRecords(b.bootstrap, "metrics-topic", p, 3).catch(() => {});
              }
              const c = await KafkaConnection.connect(b.bootstrap);
              try {
                await c.request(ListGroups, 4, { statesFilter: [], typesFilter: [] });
                await c.request(DeleteGroups, 2, { groupsNames: [`missing-${round}`] });
              } finally {
                await c.close();
              }
              // Groups at offset 0: the coordinator of each samples their lag (some group's
              // coordinator owns some partition, whatever the placement).
              for (let g = 0; g < 8; g++) {
                await commitOffsets(b.bootstrap, `lagging-${g}`, "metrics-topic", [
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                ])
                  .catch(() => {});
              }
            }
            round++;
          }
        })();

        const wanted = new Map<string, string>(); // expression -> where it comes from
        for (const q of SPEC_QUERIES) wanted.set(q, "spec");
        for (const e of exprs) wanted.set(e, "rules file");
        for (const r of records) wanted.set(r, "recorded series");
        for (const p of panels) wanted.set(p.expr, `dashboard panel "${p.title}"`);
        const missing = new Set(wanted.keys());
        const deadline = Date.now() + 180_000;
        while (missing.size > 0 && Date.now() < deadline) {
          for (const expr of [...missing]) {
            const full = await query(base, expr).catch(() => null);
            if (!full || full.status !== "success") continue;
            const series = withoutThreshold(expr);
            const data = series === null ? full : await query(base, series).catch(() => null);
            if (data && data.status === "success" && data.result.length > 0) missing.delete(expr);
          }
          if (missing.size > 0) await new Promise((r) => setTimeout(r, 1000));
        }
        assertEquals(
          [...missing].map((e) => `${wanted.get(e)}: ${e}`),
          [],
          "every expression returns data",
        );
      } finally {
        loading = false;
        await load.catch(() => {});
        if (prom) {
          try {
            prom.kill("SIGKILL");
          } catch { /* gone */ }
          await prom.status;
        }
        for (const b of brokers) {
          await b.stop("SIGKILL");
          await removeDir(b.dataDir);
        }
        await removeDir(dir);
      }
    });
  },
});
