/**
 * DescribeCluster (key 60), versions 0-1 (Java admin 3.7/4.x, franz-go).
 * - v0: brokers, cluster id, controller id. v1: endpoint type (1 brokers, 2 controllers;
 *   every broker answers as both: the controller is the live broker with the lowest id).
 * - Cluster authorized operations: all allowed when asked (no authorizer yet).
 * @module
 */
import {
  DescribeCluster,
  type DescribeClusterRequest,
  type DescribeClusterResponse,
} from "../protocol/messages/60_describe_cluster.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";

const NOT_REQUESTED = -2147483648;
const ALL_CLUSTER_OPS = [4, 5, 7, 8, 9, 10, 11, 12].reduce((m, b) => m | (1 << b), 0);

/** Builds the DescribeCluster handler. */
export function describeClusterHandler(services: BrokerServices): Handler {
  return {
    schema: DescribeCluster,
    minVersion: 0,
    maxVersion: 1,
    handle(req: DescribeClusterRequest): DescribeClusterResponse {
      const cluster = services.cluster;
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        endpointType: req.endpointType ?? 1,
        clusterId: services.broker.clusterId,
        controllerId: cluster.controller().nodeId,
        brokers: cluster.live().map((b) => ({
          brokerId: b.nodeId,
          host: b.host,
          port: b.port,
          rack: b.rack,
        })),
        clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
          ? ALL_CLUSTER_OPS
          : NOT_REQUESTED,
      };
    },
  };
}
