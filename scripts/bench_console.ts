/**
 * How fast the console's API answers on a broker with 1,000 partitions and 100 consumer groups
 * (the size): an in-process broker on the embedded default gets one topic of 1,000
 * partitions with a few records in 100 of them, and 100 groups with committed offsets on 10
 * partitions each; then each route the pages use is timed (median and max of 5 calls).
 * Usage: deno run -A scripts/bench_console.ts
 */
import { inProcessBroker } from "../tests/_inprocess.ts";
import { commitOffsets, createTopic, produceRecords } from "../tests/_setup.ts";

const b = await inProcessBroker({ KAFSCALE_MAX_PARTITIONS_PER_TOPIC: "1000" });
try {
  await createTopic(b.address, "big", 1000);
  for (let p = 0; p < 1000; p += 10) await produceRecords(b.address, "big", p, 5);
  for (let g = 0; g < 100; g++) {
    await commitOffsets(b.address, `group-${g}`, "big", Array.from({ length: 10 }, () => 1));
  }
  const base = `http://127.0.0.1:${b.broker.metricsPort}`;
  const routes = [
    "/ui/",
    "/api/v1/cluster",
    "/api/v1/brokers",
    `/api/v1/brokers/${b.broker.services.broker.nodeId}`,
    "/api/v1/topics",
    "/api/v1/topics/big",
    "/api/v1/topics/big?offset=900",
    "/api/v1/groups",
    "/api/v1/groups/group-7",
    "/api/v1/topics/big/partitions/0/records?last=20",
    "/api/v1/series",
  ];
  console.log("| route | median ms | max ms | bytes |");
  console.log("| --- | --- | --- | --- |");
  for (const route of routes) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await fetch(`${base}${route}`);
      bytes = (await r.arrayBuffer()).byteLength;
      if (r.status !== 200) throw new Error(`${route}: HTTP ${r.status}`);
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    console.log(`| ${route} | ${times[2]!.toFixed(1)} | ${times[4]!.toFixed(1)} | ${bytes} |`);
  }
  console.log(`\n1,000 partitions, 100 groups; ${navigator.hardwareConcurrency} cores`);
} finally {
  await b.close();
}
