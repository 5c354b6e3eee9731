// kafkajs over TLS and/or SASL: produce N records with acks=-1, then read them back through a
// consumer group. Prints "ok N", or "auth-failed <message>" and exits 3 when the login is refused.
// usage: node secure_produce_consume.mjs BOOTSTRAP TOPIC N CA_FILE|- MECHANISM|- USER PASSWORD
import { createRequire } from "node:module";
import fs from "node:fs";
const require = createRequire(process.env.KAFKAJS_DIR + "/");
const { Kafka, logLevel } = require("kafkajs");

const [bootstrap, topic, n, ca, mechanism, username, password] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: "kafscale-secure-test",
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
  ssl: ca === "-" ? false : { ca: [fs.readFileSync(ca, "utf8")] },
  sasl: mechanism === "-" ? undefined : { mechanism: mechanism.toLowerCase(), username, password },
});
const values = Array.from({ length: Number(n) }, (_, i) => `${topic}-${i}`);
const producer = kafka.producer();
try {
  await producer.connect();
} catch (e) {
  console.log("auth-failed", e.name, e.message);
  process.exit(e.name === "KafkaJSSASLAuthenticationError" ? 3 : 1);
}
for (let i = 0; i < values.length; i += 100) {
  await producer.send({
    topic,
    acks: -1,
    messages: values.slice(i, i + 100).map((value) => ({ value })),
  });
}
await producer.disconnect();
const consumer = kafka.consumer({ groupId: `${topic}-group` });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
const seen = [];
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`timeout with ${seen.length}`)), 60000);
  consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value.toString());
      if (seen.length === values.length) {
        clearTimeout(timer);
        resolve();
      }
    },
  });
});
await consumer.disconnect();
if (JSON.stringify(seen) !== JSON.stringify(values)) throw new Error("records differ");
console.log(`ok ${n}`);
