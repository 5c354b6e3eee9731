/**
 * Transaction markers: the control batches a partition gets when a transaction ends (Kafka's
 * `EndTransactionMarker`). One record, attributes transactional and control, the producer's id
 * and epoch, no sequence; key = version int16 (0) and type int16 (0 abort, 1 commit); value =
 * version int16 (0) and the coordinator epoch int32. Consumers skip control batches; a
 * read_committed consumer uses abort markers to stop dropping an aborted producer's batches.
 * @module
 */
import { Reader, Writer } from "../primitives.ts";
import { buildRecordBatch, decodeRecords } from "./builder.ts";
import type { RecordBatchView } from "./record_batch.ts";

/** What a marker says. */
export interface MarkerSpec {
  commit: boolean;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  /** The marker's timestamp (ms). */
  timestamp: number;
}

/** Builds one control batch (uncompressed, CRC set, base offset 0: the log assigns it). */
export function buildControlBatch(m: MarkerSpec): Uint8Array {
  const key = new Writer(4).int16(0).int16(m.commit ? 1 : 0).finish();
  const value = new Writer(6).int16(0).int32(m.coordinatorEpoch).finish();
  return buildRecordBatch([{ key, value }], {
    baseTimestamp: m.timestamp,
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
  });
}

/** The marker type of a control batch: commit, abort, or null for another control type. */
export function markerType(view: RecordBatchView): "commit" | "abort" | null {
  if (!view.isControl) return null;
  const first = decodeRecords(view)[0];
  if (!first?.key || first.key.byteLength < 4) return null;
  const r = new Reader(first.key);
  r.int16(); // version
  const type = r.int16();
  return type === 1 ? "commit" : type === 0 ? "abort" : null;
}
