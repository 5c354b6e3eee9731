/**
 * Answers "where does epoch E end?" from a partition's leader-epoch history (DESIGN.md
 * invariant 5), the way Kafka's leader epoch cache does for OffsetForLeaderEpoch:
 * - the latest epoch ends at the log end offset;
 * - an older epoch answers the largest known epoch not above it, ending where the next
 *   larger epoch starts;
 * - an epoch below every known epoch answers itself, ending where the first known one starts;
 * - an epoch above the latest answers -1/-1 (undefined).
 * @module
 */

/** One history entry: the first offset written under an epoch. */
export interface EpochEntry {
  epoch: number;
  start_offset: number;
}

/** The epoch found and its end offset (exclusive), or -1/-1. */
export function endOffsetForEpoch(
  history: readonly EpochEntry[],
  logEndOffset: number,
  requested: number,
): { epoch: number; endOffset: number } {
  const sorted = [...history].sort((a, b) => a.epoch - b.epoch);
  const latest = sorted[sorted.length - 1];
  if (!latest || requested > latest.epoch) return { epoch: -1, endOffset: -1 };
  if (requested === latest.epoch) return { epoch: latest.epoch, endOffset: logEndOffset };
  let found = -1;
  for (let i = 0; i < sorted.length; i++) if (sorted[i]!.epoch <= requested) found = i;
  if (found < 0) return { epoch: requested, endOffset: sorted[0]!.start_offset };
  const next = sorted[found + 1]!;
  return { epoch: sorted[found]!.epoch, endOffset: next.start_offset };
}
