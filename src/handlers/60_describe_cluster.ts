/**
 * DescribeCluster (key 60), versions 0-1 (Java admin 3.7/4.x, franz-go).
 * - v0: brokers, cluster id, controller id. v1: endpoint type (1 brokers, 2 controllers;
 *   every broker answers as both: the controller is the live broker with the lowest id).
 * - Cluster authorized operations, when asked: those of Kafka's seven on the cluster (ALTER,
 *   ALTER_CONFIGS, CLUSTER_ACTION, CREATE, DESCRIBE, DESCRIBE_CONFIGS, IDEMPOTENT_WRITE) the
 *   principal may perform.
 * - Authorization (as Kafka): the request itself needs nothing; without DESCRIBE on the cluster
 *   the authorized operations are 0.
 * - Brokers are listed with the addresses of the listener the client connected to (brokers
 *   without it are left out).
 * @module
 */
import {
  DescribeCluster,
  type DescribeClusterRequest,
  type DescribeClusterResponse,
} from "../protocol/messages/60_describe_cluster.ts";
import { NOT_REQUESTED } from "./_authorized_operations.ts";
import { CLUSTER_NAME } from "../auth/acl.ts";
import { authFor } from "./_authorize.ts";
import type { Handler } from "./registry.ts";
import { endpointOf } from "../cluster/membership.ts";
import type { BrokerServices } from "./services.ts";

/** Builds the DescribeCluster handler. */
export function describeClusterHandler(services: BrokerServices): Handler {
  return {
    schema: DescribeCluster,
    minVersion: 0,
    maxVersion: 1,
    authorization: {
      checks: [{
        operation: "DESCRIBE",
        resource: "CLUSTER",
        names: "kafka-cluster",
        when: "includeClusterAuthorizedOperations",
        denied: "no authorized operations",
      }],
    },
    handle(req: DescribeClusterRequest, ctx): DescribeClusterResponse {
      const cluster = services.cluster;
      const auth = authFor(services, ctx);
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        endpointType: req.endpointType ?? 1,
        clusterId: services.broker.clusterId,
        controllerId: cluster.controller().nodeId,
        brokers: cluster.live().flatMap((b) => {
          const at = endpointOf(b, ctx.listener);
          return at ? [{ brokerId: b.nodeId, host: at.host, port: at.port, rack: b.rack }] : [];
        }),
        clusterAuthorizedOperations: !req.includeClusterAuthorizedOperations
          ? NOT_REQUESTED
          : auth.cluster("DESCRIBE")
          ? auth.operations("CLUSTER", CLUSTER_NAME)
          : 0,
      };
    },
  };
}
