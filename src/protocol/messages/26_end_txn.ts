/**
 * EndTxn (key 26) message schemas: versions 0-5, flexible 3+.
 * v2 PRODUCER_FENCED, v3 flexible, v4 TRANSACTION_ABORTABLE, v5 epoch bumped on every
 * transaction (KIP-890 part 2: producer id and epoch in the response).
 * @module
 */
import { type ApiSchema, field } from "../schema.ts";

/** EndTxnRequest body. */
export interface EndTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
}

/** EndTxnResponse body. */
export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId?: number;
  producerEpoch?: number;
}

/** Schema of EndTxn requests and responses. */
export const EndTxn: ApiSchema = {
  apiKey: 26,
  name: "EndTxn",
  request: {
    name: "EndTxnRequest",
    apiKey: 26,
    validVersions: "0-5",
    flexibleVersions: "3+",
    fields: [
      field("transactionalId", "string", "0+"),
      field("producerId", "int64", "0+"),
      field("producerEpoch", "int16", "0+"),
      field("committed", "bool", "0+"),
    ],
  },
  response: {
    name: "EndTxnResponse",
    apiKey: 26,
    validVersions: "0-5",
    flexibleVersions: "3+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      field("errorCode", "int16", "0+"),
      field("producerId", "int64", "5+", { default: -1 }),
      field("producerEpoch", "int16", "5+", { default: -1 }),
    ],
  },
};
