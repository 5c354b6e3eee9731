/**
 * DescribeCluster (key 60) message schemas: versions 0-1, flexible 0+.
 * v1 endpoint type.
 * @module
 */
import { type ApiSchema, array, field } from "../schema.ts";

/** DescribeClusterRequest body as decoded: fields absent in a version hold their defaults. */
export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean;
  endpointType: number;
}

/** DescribeClusterResponse body; fields only some versions carry are optional. */
export interface DescribeClusterResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  endpointType?: number;
  clusterId: string;
  controllerId: number;
  brokers: {
    brokerId: number;
    host: string;
    port: number;
    rack: string | null;
  }[];
  clusterAuthorizedOperations: number;
}

/** Schema of DescribeCluster requests and responses. */
export const DescribeCluster: ApiSchema = {
  apiKey: 60,
  name: "DescribeCluster",
  request: {
    name: "DescribeClusterRequest",
    apiKey: 60,
    validVersions: "0-1",
    flexibleVersions: "0+",
    fields: [
      field("includeClusterAuthorizedOperations", "bool", "0+"),
      field("endpointType", "int8", "1+", { default: 1 }),
    ],
  },
  response: {
    name: "DescribeClusterResponse",
    apiKey: 60,
    validVersions: "0-1",
    flexibleVersions: "0+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      field("errorCode", "int16", "0+"),
      field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
      field("endpointType", "int8", "1+", { default: 1 }),
      field("clusterId", "string", "0+"),
      field("controllerId", "int32", "0+", { default: -1 }),
      array("brokers", "0+", [
        field("brokerId", "int32", "0+"),
        field("host", "string", "0+"),
        field("port", "int32", "0+"),
        field("rack", "string", "0+", { nullable: "0+", default: null }),
      ]),
      field("clusterAuthorizedOperations", "int32", "0+", { default: -2147483648 }),
    ],
  },
};
