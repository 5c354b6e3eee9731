/**
 * The throughput cost of transactions: Kafka's own ProducerPerformance (1 KiB records, acks=all,
 * idempotent) against one KafScale broker on the embedded default, first plain, then with a
 * transactional id committing every 100 ms (`--transaction-duration-ms`), rounds interleaved.
 * Prints MB/s, records/s and p99 of each, and the ratio.
 * Usage: deno run -A scripts/bench_txn.ts [--records N] [--rounds N]
 */
import { startBroker } from "../tests/_harness.ts";
import { toolsDir } from "../src/testing/services.ts";

const flag = (name: string, def: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : def;
};
const RECORDS = flag("records", 100_000);
const ROUNDS = flag("rounds", 2);
const CP = `${toolsDir()}/kafka-3.7.2/*`;

/** One ProducerPerformance run's figures. */
interface Run {
  mb: number;
  rps: number;
  p99: number;
}

async function perf(bootstrap: string, topic: string, txn: boolean): Promise<Run> {
  const out = await new Deno.Command("java", {
    args: [
      "-cp",
      CP,
      "org.apache.kafka.tools.ProducerPerformance",
      "--topic",
      topic,
      "--num-records",
      String(RECORDS),
      "--record-size",
      "1024",
      "--throughput",
      "-1",
      ...(txn ? ["--transactional-id", `bench-${crypto.randomUUID()}`] : []),
      ...(txn ? ["--transaction-duration-ms", "100"] : []),
      "--producer-props",
      `bootstrap.servers=${bootstrap}`,
      "acks=all",
      "enable.idempotence=true",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const last = text.trim().split("\n").filter((l) => l.includes("records sent")).at(-1) ?? "";
  const mb = Number(last.match(/\(([\d.]+) MB\/sec\)/)?.[1] ?? NaN);
  const rps = Number(last.match(/([\d.]+) records\/sec/)?.[1] ?? NaN);
  const p99 = Number(last.match(/([\d.]+) ms 99th/)?.[1] ?? NaN);
  if (!out.success || Number.isNaN(mb)) {
    console.error(new TextDecoder().decode(out.stderr).slice(-2000));
  }
  return { mb, rps, p99 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const broker = await startBroker();
try {
  const runs: Record<"plain" | "txn", Run[]> = { plain: [], txn: [] };
  for (let r = 0; r < ROUNDS; r++) {
    runs.plain.push(await perf(broker.bootstrap, "bench-plain", false));
    runs.txn.push(await perf(broker.bootstrap, "bench-txn", true));
  }
  console.log("| producer | MB/s | records/s | p99 ms |");
  console.log("| --- | --- | --- | --- |");
  for (const [name, rs] of Object.entries(runs)) {
    console.log(
      `| ${name === "plain" ? "idempotent" : "transactional (commit every 100 ms)"} | ${
        median(rs.map((x) => x.mb)).toFixed(1)
      } | ${median(rs.map((x) => x.rps)).toFixed(0)} | ${
        median(rs.map((x) => x.p99)).toFixed(0)
      } |`,
    );
  }
  const ratio = median(runs.txn.map((x) => x.mb)) / median(runs.plain.map((x) => x.mb));
  console.log(
    `\ntransactional/idempotent throughput: ${
      ratio.toFixed(2)
    }; ${ROUNDS} rounds of ${RECORDS} records, medians; ${navigator.hardwareConcurrency} cores`,
  );
} finally {
  await broker.stop();
}
