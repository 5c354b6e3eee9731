import { assertEquals } from "../testing/assert.ts";
import {
  ALL_CLUSTER_OPERATIONS,
  ALL_TOPIC_OPERATIONS,
  operationNames,
} from "./_authorized_operations.ts";

Deno.test("authorized operations: the cluster's are Kafka's seven, without WRITE", () => {
  assertEquals(operationNames(ALL_CLUSTER_OPERATIONS).sort(), [
    "ALTER",
    "ALTER_CONFIGS",
    "CLUSTER_ACTION",
    "CREATE",
    "DESCRIBE",
    "DESCRIBE_CONFIGS",
    "IDEMPOTENT_WRITE",
  ]);
  const bits = [5, 7, 8, 9, 10, 11, 12].reduce((m, b) => m | (1 << b), 0);
  assertEquals(ALL_CLUSTER_OPERATIONS, bits);
});

Deno.test("authorized operations: a topic's are Kafka's eight", () => {
  assertEquals(operationNames(ALL_TOPIC_OPERATIONS).sort(), [
    "ALTER",
    "ALTER_CONFIGS",
    "CREATE",
    "DELETE",
    "DESCRIBE",
    "DESCRIBE_CONFIGS",
    "READ",
    "WRITE",
  ]);
});
