/**
 * AddOffsetsToTxn (key 25) message schemas: versions 0-4, flexible 3+.
 * v2 PRODUCER_FENCED, v3 flexible, v4 TRANSACTION_ABORTABLE.
 * @module
 */
import { type ApiSchema, field } from "../schema.ts";

/** AddOffsetsToTxnRequest body. */
export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}

/** AddOffsetsToTxnResponse body. */
export interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

/** Schema of AddOffsetsToTxn requests and responses. */
export const AddOffsetsToTxn: ApiSchema = {
  apiKey: 25,
  name: "AddOffsetsToTxn",
  request: {
    name: "AddOffsetsToTxnRequest",
    apiKey: 25,
    validVersions: "0-4",
    flexibleVersions: "3+",
    fields: [
      field("transactionalId", "string", "0+"),
      field("producerId", "int64", "0+"),
      field("producerEpoch", "int16", "0+"),
      field("groupId", "string", "0+"),
    ],
  },
  response: {
    name: "AddOffsetsToTxnResponse",
    apiKey: 25,
    validVersions: "0-4",
    flexibleVersions: "3+",
    fields: [
      field("throttleTimeMs", "int32", "0+"),
      field("errorCode", "int16", "0+"),
    ],
  },
};
