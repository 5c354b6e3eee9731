/**
 * Which errors mean "the storage is in trouble" (the metadata store or the object store did not
 * answer, refused a request, or returned something unreadable): the Kafka answer for those is a
 * retriable one (KAFKA_STORAGE_ERROR), never UNKNOWN_SERVER_ERROR, which Java clients treat as
 * final (DESIGN.md invariant 7).
 * @module
 */
import { MetadataLimitError, MetadataUnavailableError } from "../metadata/types.ts";
import { ObjectStoreUnavailableError } from "../object_store/types.ts";

/** Whether `e` came from a storage port rather than from a bug or bad input. */
export function isStorageError(e: unknown): boolean {
  return e instanceof MetadataUnavailableError || e instanceof MetadataLimitError ||
    e instanceof ObjectStoreUnavailableError || e instanceof StorageReadError;
}

/** A stored object or record that could not be read back (missing, corrupt). */
export class StorageReadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StorageReadError";
  }
}
