/**
 * The DeleteRecords handler on memory stores: per-partition answers (the new low watermark,
 * UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER for a partition another broker leads,
 * OFFSET_OUT_OF_RANGE), and one info line per partition naming the client.
 */
import { assertEquals } from "../testing/assert.ts";
import { MemoryObjectStore } from "../object_store/memory.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { TopicRegistry } from "../cluster/topics.ts";
import { LogManager } from "../log/log_manager.ts";
import { batch, deps } from "../log/_testing.ts";
import { createLogger } from "../metrics/logger.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { DeleteRecordsResponse } from "../protocol/messages/21_delete_records.ts";
import { deleteRecordsHandler } from "./21_delete_records.ts";
import type { RequestContext } from "./registry.ts";
import { OpenAuthorizer } from "../auth/authorizer.ts";
import type { BrokerServices } from "./services.ts";

Deno.test("delete records handler: answers per partition and logs each outcome with the client", async () => {
  const meta = new MemoryMetadataStore();
  const topics = new TopicRegistry(meta);
  await topics.start();
  const t = await topics.create("events", 2);
  // This broker leads partition 0; partition 1 belongs to another broker.
  const logs = new LogManager(deps(new MemoryObjectStore(), meta), {
    flushIntervalMs: 1000,
    segmentBytes: 1 << 20,
    owns: (_topic, p) => p === 0,
  });
  const log = await logs.get("events", t.topic_id, 0);
  const acks = ["a", "b", "c"].map((v) => log.append([batch(v)]).durable);
  await logs.flushAll();
  await Promise.all(acks);

  const lines: Record<string, unknown>[] = [];
  const services = {
    topics,
    logs,
    authorizer: new OpenAuthorizer(),
    log: createLogger("info", (l) => lines.push(JSON.parse(l))),
  } as unknown as BrokerServices;
  const ctx: RequestContext = {
    apiKey: 21,
    apiVersion: 2,
    correlationId: 1,
    clientId: "adminclient-1",
    remote: "10.0.0.7:51234",
    connectionId: 1,
    listener: "PLAINTEXT",
    principal: "User:ANONYMOUS",
    sasl: null,
  };
  const res = await deleteRecordsHandler(services).handle({
    topics: [
      {
        name: "events",
        partitions: [
          { partitionIndex: 0, offset: 2 },
          { partitionIndex: 1, offset: 0 },
          { partitionIndex: 2, offset: 0 },
        ],
      },
      { name: "events", partitions: [{ partitionIndex: 0, offset: 4 }] },
      { name: "missing", partitions: [{ partitionIndex: 0, offset: -1 }] },
    ],
    timeoutMs: 30000,
  }, ctx) as DeleteRecordsResponse;
  const answers = res.topics.flatMap((x) =>
    x.partitions.map((p) => [x.name, p.partitionIndex, p.errorCode, p.lowWatermark])
  );
  assertEquals(answers, [
    ["events", 0, 0, 2],
    ["events", 1, ErrorCode.NOT_LEADER_OR_FOLLOWER, -1],
    ["events", 2, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
    ["events", 0, ErrorCode.OFFSET_OUT_OF_RANGE, -1],
    ["missing", 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
  ]);
  assertEquals(log.logStartOffset, 2);
  assertEquals(lines.length, 5);
  assertEquals(
    { ...lines[0], ts: undefined },
    {
      ts: undefined,
      level: "info",
      msg: "DeleteRecords",
      principal: "User:ANONYMOUS",
      client: "adminclient-1",
      remote: "10.0.0.7:51234",
      topic: "events",
      partition: 0,
      offset: 2,
      logStartOffset: 2,
    },
  );
  assertEquals(lines[1]!.error, "NOT_LEADER_OR_FOLLOWER");
  await logs.close();
  await topics.close();
});
