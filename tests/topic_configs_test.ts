/**
 * Topic configs given at creation, against the real broker: over a raw socket (LogAppendTime
 * stamps batches and Produce answers the append time; max.message.bytes and the CreateTime
 * timestamp bounds refuse batches; CreateTopics and DescribeConfigs report the configs
 * read-only), with the Kafka 3.7 and 4.0 CLI (`kafka-topics.sh --create --config`, both
 * `--describe`s, refused keys) and with confluent-kafka's AdminClient, producer and consumer.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { removeDir, requireTool, run, startBroker, toolsDir } from "./_harness.ts";
import { inProcessBroker, type TestBroker } from "./_inprocess.ts";
import { fetchBody } from "./_setup.ts";
import {
  CreateTopics,
  type CreateTopicsResponse,
} from "../src/protocol/messages/19_create_topics.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import {
  DescribeConfigs,
  type DescribeConfigsResponse,
} from "../src/protocol/messages/32_describe_configs.ts";
import {
  IncrementalAlterConfigs,
  type IncrementalAlterConfigsResponse,
} from "../src/protocol/messages/44_incremental_alter_configs.ts";
import { buildRecordBatch, decodeRecords } from "../src/protocol/records/builder.ts";
import { splitBatches } from "../src/protocol/records/record_batch.ts";
import { ErrorCode } from "../src/protocol/errors.ts";

const KAFKA = new URL("../scripts/kafka/", import.meta.url).pathname;
const HERE = new URL("./clients/", import.meta.url).pathname;
const enc = new TextEncoder();

async function withBroker(fn: (t: TestBroker) => Promise<void>) {
  const t = await inProcessBroker();
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

function create(t: TestBroker, name: string, configs: Record<string, string>) {
  return t.client.request<CreateTopicsResponse>(CreateTopics, 7, {
    topics: [{
      name,
      numPartitions: 1,
      replicationFactor: 1,
      assignments: [],
      configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
    }],
    timeoutMs: 5000,
    validateOnly: false,
  }).then((r) => r.topics[0]!);
}

async function produce(t: TestBroker, topic: string, records: Uint8Array, version = 9) {
  const r = await t.client.request<ProduceResponse>(Produce, version, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return r.responses[0]!.partitionResponses[0]!;
}

Deno.test("topic configs: LogAppendTime stamps each batch with the append time Produce answers", async () => {
  await withBroker(async (t) => {
    const created = await create(t, "lat", { "message.timestamp.type": "LogAppendTime" });
    assertEquals(created.errorCode, 0);
    const entry = created.configs!.find((c) => c.name === "message.timestamp.type")!;
    assertEquals([entry.value, entry.readOnly, entry.configSource], ["LogAppendTime", true, 1]);

    const before = Date.now();
    const batch = buildRecordBatch([{ value: enc.encode("a") }, { value: enc.encode("b") }], {
      baseTimestamp: 1000, // 1970: irrelevant, the broker's clock is used
    });
    for (const version of [2, 9]) {
      const p = await produce(t, "lat", batch.slice(), version);
      assertEquals(p.errorCode, 0);
      assert(
        p.logAppendTimeMs! >= before && p.logAppendTimeMs! <= Date.now(),
        `${p.logAppendTimeMs}`,
      );
    }
    const f = await t.client.request<FetchResponse>(Fetch, 11, fetchBody("lat", 0));
    const batches = splitBatches(f.responses[0]!.partitions[0]!.records!);
    assertEquals(batches.length, 2);
    for (const b of batches) {
      assert(b.isLogAppendTime && b.crcValid(), "stamped, with a valid CRC");
      assert(b.maxTimestamp >= before && b.maxTimestamp <= Date.now(), `${b.maxTimestamp}`);
      assertEquals(decodeRecords(b).map((r) => new TextDecoder().decode(r.value!)), ["a", "b"]);
    }
    // A CreateTime topic answers -1 and keeps the producer's timestamps.
    await create(t, "ct", {});
    const now = Date.now();
    const p = await produce(
      t,
      "ct",
      buildRecordBatch([{ value: enc.encode("c") }], { baseTimestamp: now }),
    );
    assertEquals([p.errorCode, p.logAppendTimeMs], [0, -1]);
  });
});

Deno.test("topic configs: far-future CreateTime batches are INVALID_TIMESTAMP, -1 is accepted, oversize is MESSAGE_TOO_LARGE", async () => {
  await withBroker(async (t) => {
    assertEquals((await create(t, "ts", { "max.message.bytes": "500" })).errorCode, 0);
    const at = (baseTimestamp: number, size = 10) =>
      buildRecordBatch([{ value: new Uint8Array(size) }], { baseTimestamp });
    const future = await produce(t, "ts", at(Date.now() + 2 * 3_600_000)); // default: 1 h
    assertEquals(future.errorCode, ErrorCode.INVALID_TIMESTAMP);
    assert(future.errorMessage!.includes("message.timestamp.after.max.ms"), future.errorMessage!);
    assertEquals((await produce(t, "ts", at(-1))).errorCode, 0);
    assertEquals((await produce(t, "ts", at(Date.now()))).errorCode, 0);
    assertEquals(
      (await produce(t, "ts", at(1000))).errorCode,
      0,
      "no limit in the past by default",
    );
    const big = await produce(t, "ts", at(Date.now(), 600));
    assertEquals(big.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
    assert(big.errorMessage!.includes("max.message.bytes is 500"), big.errorMessage!);
    // Nothing refused was stored: offsets 0-2 are the three accepted batches.
    const f = await t.client.request<FetchResponse>(Fetch, 11, fetchBody("ts", 0));
    assertEquals(f.responses[0]!.partitions[0]!.highWatermark, 3);

    assertEquals(
      (await create(t, "strict", { "message.timestamp.before.max.ms": "60000" })).errorCode,
      0,
    );
    assertEquals(
      (await produce(t, "strict", at(Date.now() - 120_000))).errorCode,
      ErrorCode.INVALID_TIMESTAMP,
    );
  });
});

Deno.test("topic configs: DescribeConfigs reports creation-only keys read-only; refused keys name the reason", async () => {
  await withBroker(async (t) => {
    await create(t, "d", { "max.message.bytes": "2000", "cleanup.policy": "delete" });
    const r = await t.client.request<DescribeConfigsResponse>(DescribeConfigs, 4, {
      resources: [{ resourceType: 2, resourceName: "d", configurationKeys: null }],
      includeSynonyms: true,
      includeDocumentation: true,
    });
    const byName = new Map(r.results[0]!.configs.map((c) => [c.name, c]));
    const mmb = byName.get("max.message.bytes")!;
    assertEquals([mmb.value, mmb.readOnly, mmb.configSource], ["2000", true, 1]);
    assertEquals(byName.get("compression.type")!.configSource, 5); // DEFAULT_CONFIG
    assertEquals(byName.get("retention.ms")!.readOnly, false);
    // cleanup.policy is a list: APPEND and SUBTRACT edit it (ALTER_CONFIGS, as every alter).
    const listOp = async (op: number, value: string) =>
      (await t.client.request<IncrementalAlterConfigsResponse>(IncrementalAlterConfigs, 1, {
        resources: [{
          resourceType: 2,
          resourceName: "d",
          configs: [{ name: "cleanup.policy", configOperation: op, value }],
        }],
        validateOnly: false,
      })).responses[0]!;
    assertEquals((await listOp(2, "compact")).errorCode, 0); // APPEND
    const policy = async () =>
      (await t.client.request<DescribeConfigsResponse>(DescribeConfigs, 4, {
        resources: [{ resourceType: 2, resourceName: "d", configurationKeys: ["cleanup.policy"] }],
        includeSynonyms: false,
        includeDocumentation: false,
      })).results[0]!.configs[0]!.value;
    assertEquals(await policy(), "delete,compact");
    assertEquals((await listOp(3, "delete")).errorCode, 0); // SUBTRACT
    assertEquals(await policy(), "compact");
    const empty = await listOp(3, "compact");
    assertEquals(empty.errorCode, ErrorCode.INVALID_CONFIG);
    const notList = await t.client.request<IncrementalAlterConfigsResponse>(
      IncrementalAlterConfigs,
      1,
      {
        resources: [{
          resourceType: 2,
          resourceName: "d",
          configs: [{ name: "retention.ms", configOperation: 2, value: "5" }],
        }],
        validateOnly: false,
      },
    );
    assertEquals(notList.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    assertEquals(
      notList.responses[0]!.errorMessage,
      "Config 'retention.ms' is not a list: APPEND and SUBTRACT do not apply",
    );
    assertEquals((await create(t, "c", { "cleanup.policy": "compact,delete" })).errorCode, 0);
    const conflict = await create(t, "lags", {
      "min.compaction.lag.ms": "5000",
      "max.compaction.lag.ms": "1000",
    });
    assertEquals(conflict.errorCode, ErrorCode.INVALID_CONFIG);
  });
});

for (const version of ["3.7", "4"]) {
  Deno.test(`topic configs: Kafka ${version} kafka-topics.sh --create --config, both --describe, refusals, cleanup.policy altered`, async () => {
    const broker = await startBroker();
    try {
      const cli = async (tool: string, ...args: string[]) => {
        const r = await run(`${KAFKA}kafka-${tool}.sh`, [
          "--bootstrap-server",
          broker.bootstrap,
          ...args,
        ], { env: { KAFKA_VERSION: version } });
        const out = (r.stdout + r.stderr).split("\n").filter((l) => l && !l.startsWith("SLF4J"));
        return { code: r.code, out: out.join("\n") };
      };
      let r = await cli(
        "topics",
        "--create",
        "--topic",
        "cfg",
        "--config",
        "max.message.bytes=2000",
        "--config",
        "message.timestamp.type=LogAppendTime",
        "--config",
        "cleanup.policy=delete",
        "--config",
        "compression.type=producer",
        "--config",
        "message.timestamp.after.max.ms=60000",
      );
      assertEquals([r.code, r.out], [0, "Created topic cfg."]);
      r = await cli("topics", "--describe", "--topic", "cfg");
      for (
        const kv of [
          "max.message.bytes=2000",
          "message.timestamp.type=LogAppendTime",
          "cleanup.policy=delete",
          "compression.type=producer",
          "message.timestamp.after.max.ms=60000",
        ]
      ) assert(r.out.includes(kv), `${kv} in:\n${r.out}`);
      r = await cli("configs", "--describe", "--entity-type", "topics", "--entity-name", "cfg");
      assert(
        r.out.includes(
          "max.message.bytes=2000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:max.message.bytes=2000, STATIC_BROKER_CONFIG:message.max.bytes=1048588}",
        ),
        r.out,
      );
      assert(r.out.includes("message.timestamp.type=LogAppendTime sensitive=false"), r.out);
      const refusals: [string, string][] = [
        ["cleanup.policy=keep", "Invalid value keep for configuration cleanup.policy"],
        ["compression.type=zstd", "recompression on the broker is not supported"],
        ["min.insync.replicas=2", "Config 'min.insync.replicas' is not supported"],
      ];
      for (const [config, why] of refusals) {
        r = await cli("topics", "--create", "--topic", "refused", "--config", config);
        assert(r.code !== 0 && r.out.includes(why), `${config}:\n${r.out}`);
      }
      r = await cli(
        "configs",
        "--alter",
        "--entity-type",
        "topics",
        "--entity-name",
        "cfg",
        "--add-config",
        "max.message.bytes=5000",
      );
      assert(
        r.code !== 0 && r.out.includes("can be set only when the topic is created"),
        r.out,
      );
      r = await cli(
        "configs",
        "--alter",
        "--entity-type",
        "topics",
        "--entity-name",
        "cfg",
        "--add-config",
        "cleanup.policy=[compact,delete],min.cleanable.dirty.ratio=0.1",
      );
      assertEquals(r.code, 0, r.out);
      r = await cli("configs", "--describe", "--entity-type", "topics", "--entity-name", "cfg");
      assert(r.out.includes("cleanup.policy=compact,delete sensitive=false"), r.out);
      assert(r.out.includes("min.cleanable.dirty.ratio=0.1 sensitive=false"), r.out);
      r = await cli("topics", "--list");
      assertEquals(r.out, "cfg");
    } finally {
      await broker.stop();
      await removeDir(broker.dataDir);
    }
  });
}

Deno.test("topic configs: confluent-kafka NewTopic(config=...), MSG_SIZE_TOO_LARGE, LogAppendTime to the consumer, INVALID_TIMESTAMP", async () => {
  const broker = await startBroker();
  try {
    const r = await run(requireTool(`${toolsDir()}/venv/bin/python`), [
      `${HERE}python/topic_configs.py`,
      broker.bootstrap,
    ]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
  } finally {
    await broker.stop();
    await removeDir(broker.dataDir);
  }
});

Deno.test("topic configs: franz-go creates with max.message.bytes and LogAppendTime; gzip is refused", async () => {
  const broker = await startBroker();
  try {
    const r = await run(requireTool(`${toolsDir()}/kgoclient`), [
      "topicconfigs",
      "-brokers",
      broker.bootstrap,
      "-topic",
      "kgo-configs",
    ]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    assert(r.stdout.includes("recompression"), r.stdout);
  } finally {
    await broker.stop();
    await removeDir(broker.dataDir);
  }
});
