/**
 * The `authorized_operations` fields of Metadata, DescribeGroups and DescribeCluster: bit sets
 * (1 << Kafka's AclOperation code) of the operations the requester may perform on a resource,
 * among those Kafka defines for its type (src/auth/acl.ts). The authorizer computes them; with
 * `KAFSCALE_AUTHORIZER=none` they are every operation of the type.
 * @module
 */
import { type Operation, OPERATION_CODES, SUPPORTED_OPERATIONS } from "../auth/acl.ts";

/** The value a response carries when the client did not ask for authorized operations. */
export const NOT_REQUESTED = -2147483648;

const bits = (ops: readonly Operation[]) =>
  ops.reduce((m, op) => m | (1 << OPERATION_CODES[op]), 0);

/** Every operation Kafka allows on a topic. */
export const ALL_TOPIC_OPERATIONS = bits(SUPPORTED_OPERATIONS.TOPIC);

/** Every operation Kafka allows on the cluster. */
export const ALL_CLUSTER_OPERATIONS = bits(SUPPORTED_OPERATIONS.CLUSTER);

/** The names of the operations in a bit set (for tests and logs). */
export function operationNames(set: number): string[] {
  return Object.entries(OPERATION_CODES).filter(([, code]) => code > 1 && (set & (1 << code)) !== 0)
    .map(([name]) => name);
}
