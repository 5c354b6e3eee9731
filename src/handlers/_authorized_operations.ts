/**
 * The `authorized_operations` bit sets Metadata and DescribeCluster answer when asked. There is
 * no authorizer yet, so a client may do everything Kafka's ACL model allows on a resource type,
 * and nothing it does not: Kafka's cluster resource has no READ, WRITE or DELETE.
 * Bits are Kafka's AclOperation codes.
 * @module
 */

/** Kafka's AclOperation codes used here. */
export const AclOperation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;

/** The value a response carries when the client did not ask for authorized operations. */
export const NOT_REQUESTED = -2147483648;

const bits = (ops: number[]) => ops.reduce((m, op) => m | (1 << op), 0);
const op = AclOperation;

/** Every operation Kafka allows on a topic. */
export const ALL_TOPIC_OPERATIONS = bits([
  op.READ,
  op.WRITE,
  op.CREATE,
  op.DELETE,
  op.ALTER,
  op.DESCRIBE,
  op.DESCRIBE_CONFIGS,
  op.ALTER_CONFIGS,
]);

/** Every operation Kafka allows on the cluster. */
export const ALL_CLUSTER_OPERATIONS = bits([
  op.CREATE,
  op.ALTER,
  op.DESCRIBE,
  op.CLUSTER_ACTION,
  op.DESCRIBE_CONFIGS,
  op.ALTER_CONFIGS,
  op.IDEMPOTENT_WRITE,
]);

/** The names of the operations in a bit set (for tests and logs). */
export function operationNames(set: number): string[] {
  return Object.entries(AclOperation).filter(([, code]) => (set & (1 << code)) !== 0)
    .map(([name]) => name);
}
