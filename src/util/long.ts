/**
 * Kafka `long` config values as JS numbers. Kafka writes "no limit" as Long.MAX_VALUE
 * (9223372036854775807), which a number cannot hold exactly; every value above 2^53 - 1 is a
 * span of more than 285,000 years in milliseconds, so it is held as Number.MAX_SAFE_INTEGER and
 * shown as Long.MAX_VALUE again.
 * @module
 */

/** Kafka's Long.MAX_VALUE as text. */
export const LONG_MAX_TEXT = "9223372036854775807";
const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

/**
 * Parses a whole number within Kafka's long range; values beyond ±(2^53 - 1) are clamped to
 * them. Returns null for anything else (not a whole number, or outside the long range).
 */
export function parseLong(text: string): number | null {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return null;
  const big = BigInt(t);
  if (big > LONG_MAX || big < LONG_MIN) return null;
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (big < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(big);
}

/** A long as Kafka shows it: Number.MAX_SAFE_INTEGER (a clamped Long.MAX_VALUE) as Long.MAX. */
export function formatLong(n: number): string {
  return n >= Number.MAX_SAFE_INTEGER ? LONG_MAX_TEXT : String(n);
}
