/**
 * InitProducerId (key 22) message schemas: versions 0-5, flexible 2+.
 * v2 flexible, v3 existing producer id/epoch (KIP-360).
 * @module
 */
import { type ApiSchema, field } from "../schema.ts";

/** InitProducerIdRequest body as decoded: fields absent in a version hold their defaults. */
export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: number;
  producerEpoch: number;
}

/** InitProducerIdResponse body; fields only some versions carry are optional. */
export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/** Schema of InitProducerId requests and responses. */
export const InitProducerId: ApiSchema = {
  apiKey: 22,
  name: "InitProducerId",
  request: {
    name: "InitProducerIdRequest",
    apiKey: 22,
    validVersions: "0-5",
    flexibleVersions: "2+",
    fields: [
      field("transactionalId", "string", "0+", { nullable: "0+" }),
      field("transactionTimeoutMs", "int32", "0+"),
      field("producerId", "int64", "3+", { default: -1 }),
      field("producerEpoch", "int16", "3+", { default: -1 }),
    ],
  },
  response: {
    name: "InitProducerIdResponse",
    apiKey: 22,
    validVersions: "0-5",
    flexibleVersions: "2+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      field("errorCode", "int16", "0+"),
      field("producerId", "int64", "0+", { default: -1 }),
      field("producerEpoch", "int16", "0+"),
    ],
  },
};
