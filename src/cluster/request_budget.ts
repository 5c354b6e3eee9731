/**
 * The partitions one admin request may add (KAFSCALE_MAX_PARTITIONS_PER_REQUEST): a
 * CreateTopics or CreatePartitions request naming many topics takes from one budget, and the
 * topic that would pass it is refused with POLICY_VIOLATION before any work starts.
 * @module
 */
import { KafkaError } from "../protocol/errors.ts";

/** A request's partition budget. */
export class RequestBudget {
  private used = 0;

  constructor(private readonly limit: number) {}

  /** Takes `partitions` for `topic`, or throws POLICY_VIOLATION naming the limit. */
  take(topic: string, partitions: number): void {
    if (this.used + partitions > this.limit) {
      throw new KafkaError(
        "POLICY_VIOLATION",
        `Cannot add ${partitions} partitions for ${topic}: this request would add ` +
          `${this.used + partitions}, and the limit per request is ${this.limit} ` +
          "(KAFSCALE_MAX_PARTITIONS_PER_REQUEST)",
      );
    }
    this.used += partitions;
  }
}
