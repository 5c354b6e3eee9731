import { decodeMessage, encodeMessage } from "./codec.ts";
import { Reader } from "./primitives.ts";
import { Produce } from "./messages/00_produce.ts";
import { Metadata } from "./messages/03_metadata.ts";
import { buildRecordBatch } from "./records/builder.ts";
import { splitBatches } from "./records/record_batch.ts";

const records = buildRecordBatch(
  Array.from({ length: 100 }, () => ({ value: new Uint8Array(1024) })),
);
const produce = {
  transactionalId: null,
  acks: -1,
  timeoutMs: 1000,
  topicData: [{ name: "bench", partitionData: [{ index: 0, records }] }],
};
const produceBytes = encodeMessage(Produce.request, produce, 9).finish();
const metadata = {
  throttleTimeMs: 0,
  brokers: [{ nodeId: 0, host: "localhost", port: 9092, rack: null }],
  clusterId: "c",
  controllerId: 0,
  topics: Array.from({ length: 50 }, (_, i) => ({
    errorCode: 0,
    name: `topic-${i}`,
    topicId: new Uint8Array(16),
    isInternal: false,
    partitions: Array.from({ length: 8 }, (_, p) => ({
      errorCode: 0,
      partitionIndex: p,
      leaderId: 0,
      leaderEpoch: 1,
      replicaNodes: [0],
      isrNodes: [0],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: -2147483648,
  })),
  clusterAuthorizedOperations: -2147483648,
};

Deno.bench("codec: decode Produce v9 (100 x 1 KiB records)", () => {
  decodeMessage(Produce.request, new Reader(produceBytes), 9);
});
Deno.bench("codec: encode Metadata v12 (50 topics x 8 partitions)", () => {
  encodeMessage(Metadata.response, metadata, 12).finish();
});
Deno.bench("records: splitBatches + CRC check of a 100 KiB batch", () => {
  for (const b of splitBatches(records)) b.crcValid();
});
