// kafkajs: create a topic, produce with acks=-1, then consume everything through a consumer
// group (kafkajs has no manual partition assignment).
import { createRequire } from "node:module";
const require = createRequire(process.env.KAFKAJS_DIR + "/");
const { Kafka, logLevel } = require("kafkajs");

const [bootstrap, topic, n] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const kafka = new Kafka({
  clientId: "kafscale-test",
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
await admin.disconnect();
const producer = kafka.producer();
await producer.connect();
const acked = new Map();
for (let i = 0; i < n; i += 100) {
  const messages = [];
  for (let j = i; j < Math.min(n, i + 100); j++) {
    messages.push({ key: `k${j}`, value: `v${j}`, partition: j % 2 });
  }
  const res = await producer.send({ topic, acks: -1, messages });
  for (const r of res) acked.set(`${r.partition}`, r);
}
await producer.disconnect();
const consumer = kafka.consumer({ groupId: "kafkajs-assign" });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
const seen = new Set();
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`timeout with ${seen.size}`)), 60000);
  consumer.run({
    eachMessage: async ({ message }) => {
      seen.add(message.value.toString());
      if (seen.size === n) {
        clearTimeout(timer);
        resolve();
      }
    },
  });
});
await consumer.disconnect();
for (let i = 0; i < n; i++) if (!seen.has(`v${i}`)) throw new Error(`missing v${i}`);
console.log(`ok ${n}`);
