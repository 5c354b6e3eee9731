/**
 * Transaction metrics:
 *
 * - `kafscale_transactions_open`: transactions this broker coordinates that are Ongoing or being
 *   completed (read at scrape time);
 * - `kafscale_transactions_total{outcome}`: transactions completed here, `commit` or `abort`
 *   (aborts include those of timeouts and fenced producers);
 * - `kafscale_transaction_timeouts_total`: Ongoing transactions aborted because they ran past
 *   their timeout;
 * - `kafscale_transaction_markers_total{type}`: markers this broker wrote into the partitions it
 *   owns, `commit` or `abort`.
 * @module
 */
import client from "prom-client";

/** The transaction series of one broker. */
export class TxnMetrics {
  readonly outcomes;
  readonly timeouts;
  readonly markers;

  constructor(registry: client.Registry, open: () => number) {
    const r = [registry];
    new client.Gauge({
      name: "kafscale_transactions_open",
      help: "Transactions coordinated here that are Ongoing or being completed",
      registers: r,
      collect() {
        this.set(open());
      },
    });
    this.outcomes = new client.Counter({
      name: "kafscale_transactions_total",
      help: "Transactions completed by this coordinator, by outcome (commit, abort)",
      labelNames: ["outcome"],
      registers: r,
    });
    this.timeouts = new client.Counter({
      name: "kafscale_transaction_timeouts_total",
      help: "Transactions aborted because they ran past their timeout",
      registers: r,
    });
    this.markers = new client.Counter({
      name: "kafscale_transaction_markers_total",
      help: "Transaction markers written into partitions this broker owns, by type",
      labelNames: ["type"],
      registers: r,
    });
    for (const outcome of ["commit", "abort"]) this.outcomes.inc({ outcome }, 0);
    for (const type of ["commit", "abort"]) this.markers.inc({ type }, 0);
  }
}
