/**
 * Kafka record batches (v2) for the broker: CRC32C, a zero-copy header view, splitting and
 * validation of produce blobs, in-place base offset / leader epoch rewrites, reading and
 * rebuilding stored batches for log compaction (every codec: gzip and zstd built in, snappy and
 * lz4 ours), and (for tests, the admin CLI and the console) a batch builder and record decoder.
 * @module
 */
export { crc32c } from "./crc32c.ts";
export {
  ATTRIBUTE,
  BATCH_HEADER_BYTES,
  COMPRESSION_CODECS,
  type CompressionCodec,
  FIELD,
  LOG_OVERHEAD,
  MAGIC_V2,
  RecordBatchView,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  splitBatches,
  type SplitOptions,
  updateCrc,
} from "./record_batch.ts";
export { checkProduceBatches, validateForAppend } from "./validate.ts";
export { canOpen, compress, decompress } from "./compression.ts";
export {
  rebuildBatch,
  type RebuildOptions,
  type ScannedRecord,
  scanRecords,
} from "./record_scan.ts";
export {
  CorruptRecordError,
  crcError,
  InvalidRecordError,
  RecordBatchError,
  type RecordBatchErrorReason,
  UnsupportedMagicError,
} from "./errors.ts";
export {
  type BatchOptions,
  type BatchSpec,
  buildRecordBatch,
  type DecodedRecord,
  decodeRecords,
  type RecordHeader,
  type RecordInput,
} from "./builder.ts";
