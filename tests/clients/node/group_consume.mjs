// kafkajs consumer group: consume exactly N new records (resuming from committed offsets),
// commit them, leave the group, and print the values read, one per line.
import { createRequire } from "node:module";
const require = createRequire(process.env.KAFKAJS_DIR + "/");
const { Kafka, logLevel } = require("kafkajs");

const [bootstrap, topic, group, n] = [
  process.argv[2],
  process.argv[3],
  process.argv[4],
  Number(process.argv[5]),
];
const kafka = new Kafka({
  clientId: "kafscale-test",
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({ groupId: group });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
const seen = [];
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`timeout with ${seen.length}`)), 60000);
  consumer.run({
    autoCommit: true,
    eachMessage: async ({ message }) => {
      seen.push(message.value.toString());
      if (seen.length >= n) {
        clearTimeout(timer);
        resolve();
      }
    },
  });
});
await consumer.commitOffsets([]).catch(() => {});
await consumer.disconnect(); // commits what was consumed, then LeaveGroup
console.log(seen.join("\n"));
