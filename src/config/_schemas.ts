/**
 * The zod schemas settings are built from (private to src/config/).
 * @module
 */
import { z } from "zod";
import { LONG_MAX_TEXT, parseLong } from "../util/long.ts";

/** A yes/no setting. */
export const bool = z.enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""]).transform((
  v,
) => ["1", "true", "yes", "on"].includes(v));
/** A whole number within bounds. */
export const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().regex(/^-?\d+$/, "must be a whole number").transform(Number).pipe(
    z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
  );
/** A Kafka long (up to Long.MAX_VALUE, "no limit", held as Number.MAX_SAFE_INTEGER). */
export const long = (min: number) =>
  z.string().transform((v, ctx) => {
    const n = parseLong(v);
    if (n === null) {
      ctx.addIssue({ code: "custom", message: `must be a whole number up to ${LONG_MAX_TEXT}` });
      return z.NEVER;
    }
    return n;
  }).pipe(z.number().min(min, `must be at least ${min}`));
/** host:port (an IPv6 host in brackets). */
export const hostPort = z.string().regex(
  /^(\[[0-9a-fA-F:]+\]|[^:\s]*):\d{1,5}$/,
  "must be host:port",
);
