/**
 * ACL checks several handlers declare alike (their `authorization`), in one place so the same
 * check reads the same everywhere.
 * @module
 */
import type { AuthCheck } from "./registry.ts";

/** WRITE on the request's transactional id (the transaction APIs). */
export const WRITE_TRANSACTIONAL_ID: AuthCheck = {
  operation: "WRITE",
  resource: "TRANSACTIONAL_ID",
  names: "transactionalId",
  denied: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
};

/** READ on the request's group (the group membership and offset APIs). */
export const READ_GROUP: AuthCheck = {
  operation: "READ",
  resource: "GROUP",
  names: "groupId",
  denied: "GROUP_AUTHORIZATION_FAILED",
};

/** ALTER on the cluster (ACL and credential changes). */
export const ALTER_CLUSTER: AuthCheck = {
  operation: "ALTER",
  resource: "CLUSTER",
  names: "kafka-cluster",
  denied: "CLUSTER_AUTHORIZATION_FAILED",
};

/** DESCRIBE on the cluster (ACL and credential listings). */
export const DESCRIBE_CLUSTER: AuthCheck = {
  operation: "DESCRIBE",
  resource: "CLUSTER",
  names: "kafka-cluster",
  denied: "CLUSTER_AUTHORIZATION_FAILED",
};
