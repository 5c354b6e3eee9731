/**
 * Observability against a live broker: /healthz, /readyz, and /metrics carrying every series
 * the spec's PromQL examples query (and the event-loop lag), with values after real traffic.
 */
import { assert } from "../src/testing/assert.ts";
import { inProcessBroker } from "./_inprocess.ts";
import { commitOffsets, createTopic, produceRecords } from "./_setup.ts";

function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(name + " ") || l.startsWith(name + "{"));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : undefined;
}

Deno.test("metrics: health endpoints answer and every series of the spec's PromQL examples has data", async () => {
  const t = await inProcessBroker({ KAFSCALE_LAG_SAMPLE_MS: "200" });
  try {
    const base = `http://127.0.0.1:${t.broker.metricsPort}`;
    assert((await (await fetch(`${base}/healthz`)).text()).startsWith("ok"));
    const ready = await fetch(`${base}/readyz`);
    assert(ready.status === 200, await ready.text());
    await createTopic(t.address, "m", 1);
    await produceRecords(t.address, "m", 0, 50);
    await commitOffsets(t.address, "mg", "m", [20]);
    await new Promise((r) => setTimeout(r, 1200)); // a lag sample and a produce-rate tick
    const res = await fetch(`${base}/metrics`);
    const text = await res.text();
    for (
      const name of [
        "kafscale_produce_latency_ms_bucket",
        "kafscale_consumer_lag_bucket",
        "kafscale_consumer_lag_max",
        "kafscale_produce_rps",
        "kafscale_admin_requests_total",
        "kafscale_admin_request_errors_total",
        "kafscale_broker_mem_alloc_bytes",
        "kafscale_broker_mem_sys_bytes",
        "kafscale_metadata_last_answer_age_seconds",
        "kafscale_operator_etcd_snapshot_age_seconds",
        "kafscale_operator_etcd_snapshot_last_success_timestamp",
        "kafscale_operator_etcd_snapshot_last_schedule_timestamp",
        "kafscale_operator_etcd_snapshot_stale",
        "kafscale_operator_etcd_snapshot_access_ok",
        "kafscale_s3_latency_ms_avg",
        "kafscale_requests_total",
        "kafscale_flushes_total",
        "kafscale_event_loop_lag_seconds_bucket",
        "kafscale_event_loop_lag_max_seconds",
      ]
    ) assert(sample(text, name) !== undefined, `missing ${name}`);
    assert(text.includes('kafscale_s3_health_state{state="healthy"} 1'), "s3 health");
    assert(
      sample(text, "kafscale_consumer_lag_max") === 30,
      `lag max ${sample(text, "kafscale_consumer_lag_max")}`,
    );
    assert((sample(text, "kafscale_broker_mem_alloc_bytes") ?? 0) > 0);
    // Sampled every 500 ms: the 1.2 s above holds at least two samples.
    const lagSamples = sample(text, "kafscale_event_loop_lag_seconds_count") ?? 0;
    assert(lagSamples >= 1, `event-loop lag samples: ${lagSamples}`);
    assert(text.includes('kafscale_admin_requests_total{api="CreateTopics"} 1'), "admin counter");
  } finally {
    await t.close();
  }
});

Deno.test("metrics: /readyz is not ready after the event loop was blocked for seconds", async () => {
  const t = await inProcessBroker();
  try {
    const base = `http://127.0.0.1:${t.broker.metricsPort}`;
    const before = await fetch(`${base}/readyz`);
    assert(before.status === 200, await before.text());
    // The broker runs in this process: block its event loop for 3 s (the limit is 2 s).
    const until = performance.now() + 3000;
    while (performance.now() < until) { /* blocked */ }
    const after = await fetch(`${base}/readyz`);
    const why = await after.text();
    assert(after.status === 503, `status ${after.status}: ${why}`);
    assert(why.startsWith("not ready: event loop"), why);
    const text = await (await fetch(`${base}/metrics`)).text();
    const max = sample(text, "kafscale_event_loop_lag_max_seconds") ?? 0;
    assert(max >= 2, `lag max ${max}`);
  } finally {
    await t.close();
  }
});
