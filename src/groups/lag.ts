/**
 * Consumer lag for metrics: for every committed group offset on a partition this broker has
 * open, lag = high watermark - committed offset (never below 0). Read periodically, not on the
 * request path.
 * @module
 */
import type { GroupCoordinator } from "./coordinator.ts";
import type { LogManager } from "../log/log_manager.ts";

/** Lag of every committed partition, in records. */
export async function collectLag(groups: GroupCoordinator, logs: LogManager): Promise<number[]> {
  const lags: number[] = [];
  for (const g of groups.list()) {
    const committed = await groups.fetchOffsets(g.groupId);
    for (const [key, c] of committed) {
      const cut = key.lastIndexOf("/");
      const log = await logs.peek(key.slice(0, cut), Number(key.slice(cut + 1)));
      if (log && c.offset >= 0) lags.push(Math.max(0, log.highWatermark - c.offset));
    }
  }
  return lags;
}
