/**
 * DeleteRecords against the real broker process: `kafka-delete-records.sh` of Kafka 3.7 and
 * 4.0 with a JSON offsets file, and confluent-kafka's AdminClient.delete_records. Records below
 * the new log start are gone (a consumer from the beginning starts there, ListOffsets earliest
 * and `kafka-get-offsets.sh --time -2` answer it, Fetch below it is OFFSET_OUT_OF_RANGE), an
 * offset above the high watermark is refused with OFFSET_OUT_OF_RANGE, and all of it survives
 * a broker restart.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import {
  type BrokerProcess,
  removeDir,
  requireTool,
  run,
  startBroker,
  toolsDir,
} from "./_harness.ts";
import { createTopic, fetchBody, listOffsetsBody } from "./_setup.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { ListOffsets, type ListOffsetsResponse } from "../src/protocol/messages/02_list_offsets.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import { ErrorCode } from "../src/protocol/errors.ts";

const KAFKA = new URL("../scripts/kafka/", import.meta.url).pathname;
const HERE = new URL("./clients/", import.meta.url).pathname;

/** Produces v<from>..v<from+n-1> to partition 0 with kcat (one call: at least one segment). */
async function produce(bootstrap: string, topic: string, from: number, n: number) {
  const lines = Array.from({ length: n }, (_, i) => `v${from + i}`).join("\n") + "\n";
  const r = await run("kcat", ["-b", bootstrap, "-t", topic, "-P", "-p", "0", "-X", "acks=all"], {
    stdin: lines,
  });
  assertEquals(r.code, 0, r.stderr);
}

/** "offset value" lines a kcat consumer reads from the beginning of partition 0. */
async function readFromBeginning(bootstrap: string, topic: string): Promise<string[]> {
  const r = await run("kcat", [
    "-b",
    bootstrap,
    "-t",
    topic,
    "-p",
    "0",
    "-C",
    "-o",
    "beginning",
    "-e",
    "-q",
    "-f",
    "%o %s\\n",
  ]);
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.split("\n").filter(Boolean);
}

/** ListOffsets earliest and, at offset 0, the Fetch error and log start it reports. */
async function startOf(bootstrap: string, topic: string) {
  const c = await KafkaConnection.connect(bootstrap);
  try {
    const lo = await c.request<ListOffsetsResponse>(ListOffsets, 7, listOffsetsBody(topic, -2));
    const f = await c.request<FetchResponse>(Fetch, 11, fetchBody(topic, 0));
    const p = f.responses[0]!.partitions[0]!;
    return {
      earliest: lo.topics[0]!.partitions[0]!.offset,
      fetchAt0: [p.errorCode, p.logStartOffset],
    };
  } finally {
    await c.close();
  }
}

/** A broker for a test, restartable on the same data directory; stopped and removed after. */
interface Running {
  current: BrokerProcess;
  /** Stops the broker and starts it again on its data; resolves the new bootstrap address. */
  restart(): Promise<string>;
}

async function withBroker(fn: (b: Running) => Promise<void>) {
  const running: Running = {
    current: await startBroker(),
    async restart() {
      await running.current.stop();
      running.current = await startBroker({ dataDir: running.current.dataDir });
      return running.current.bootstrap;
    },
  };
  try {
    await fn(running);
  } finally {
    await running.current.stop();
    await removeDir(running.current.dataDir);
  }
}

for (const version of ["3.7", "4"]) {
  Deno.test(`delete records: Kafka ${version} kafka-delete-records.sh moves the log start, which survives a restart`, async () => {
    await withBroker(async (broker) => {
      const cli = async (tool: string, ...args: string[]) => {
        const r = await run(`${KAFKA}kafka-${tool}.sh`, ["--bootstrap-server", b, ...args], {
          env: { KAFKA_VERSION: version },
        });
        const out = (r.stdout + r.stderr).split("\n").filter((l) => l && !l.startsWith("SLF4J"));
        return { code: r.code, out: out.join("\n") };
      };
      let b = broker.current.bootstrap;
      await createTopic(b, "dr", 1);
      for (let i = 0; i < 3; i++) await produce(b, "dr", i * 10, 10); // three segments
      const file = `${broker.current.dataDir}/offsets.json`;
      const deleteBefore = async (offset: number) => {
        await Deno.writeTextFile(
          file,
          JSON.stringify({ partitions: [{ topic: "dr", partition: 0, offset }], version: 1 }),
        );
        return await cli("delete-records", "--offset-json-file", file);
      };
      let r = await deleteBefore(15); // inside the second segment
      assert(r.code === 0 && r.out.includes("partition: dr-0\tlow_watermark: 15"), r.out);
      let read = await readFromBeginning(b, "dr");
      assertEquals([read.length, read[0]], [15, "15 v15"]);
      assertEquals(await startOf(b, "dr"), {
        earliest: 15,
        fetchAt0: [ErrorCode.OFFSET_OUT_OF_RANGE, 15],
      });
      r = await cli("get-offsets", "--topic", "dr", "--time", "-2");
      assertEquals(r.out, "dr:0:15");

      r = await deleteBefore(31); // the high watermark is 30
      assert(
        r.out.includes("partition: dr-0\terror:") && r.out.includes("OffsetOutOfRange"),
        r.out,
      );
      assertEquals((await startOf(b, "dr")).earliest, 15);

      b = await broker.restart();
      assertEquals(await startOf(b, "dr"), {
        earliest: 15,
        fetchAt0: [ErrorCode.OFFSET_OUT_OF_RANGE, 15],
      });
      read = await readFromBeginning(b, "dr");
      assertEquals([read.length, read[0], read.at(-1)], [15, "15 v15", "29 v29"]);
      r = await deleteBefore(-1); // up to the high watermark
      assert(r.code === 0 && r.out.includes("low_watermark: 30"), r.out);
      assertEquals(await readFromBeginning(b, "dr"), []);
    });
  });
}

Deno.test("delete records: confluent-kafka AdminClient.delete_records, list_offsets and a consumer from the beginning", async () => {
  await withBroker(async (broker) => {
    const b = broker.current.bootstrap;
    await createTopic(b, "ckdr", 1);
    await produce(b, "ckdr", 0, 10);
    await produce(b, "ckdr", 10, 10);
    const r = await run(requireTool(`${toolsDir()}/venv/bin/python`), [
      `${HERE}python/delete_records.py`,
      b,
      "ckdr",
      "20",
      "12",
    ]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
  });
});
