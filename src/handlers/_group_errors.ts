/**
 * Maps errors thrown by the group coordinator to Kafka error codes (shared by group handlers).
 * @module
 */
import { ErrorCode, KafkaError } from "../protocol/errors.ts";
import { MetadataUnavailableError } from "../metadata/types.ts";

/** The Kafka error code for an error raised while serving a group request. */
export function groupErrorCode(e: unknown): number {
  if (e instanceof KafkaError) return e.code;
  if (e instanceof MetadataUnavailableError) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  return ErrorCode.COORDINATOR_NOT_AVAILABLE;
}
