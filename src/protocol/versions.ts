/**
 * Version ranges as Kafka writes them in its message definitions: "0+", "3-5", "7", "none".
 * @module
 */

/** An inclusive version range; `max` is Infinity for open ranges, and min > max means none. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

const NONE: VersionRange = Object.freeze({ min: 1, max: 0 });
const cache = new Map<string, VersionRange>();

/** Parses "0+", "3-5", "7" or "none". Throws on anything else. */
export function parseVersions(text: string): VersionRange {
  const hit = cache.get(text);
  if (hit) return hit;
  let range: VersionRange;
  if (text === "none") range = NONE;
  else if (/^\d+\+$/.test(text)) range = { min: Number(text.slice(0, -1)), max: Infinity };
  else if (/^\d+-\d+$/.test(text)) {
    const [a, b] = text.split("-").map(Number) as [number, number];
    range = { min: a, max: b };
  } else if (/^\d+$/.test(text)) range = { min: Number(text), max: Number(text) };
  else throw new SyntaxError(`Cannot parse version range "${text}"`);
  range = Object.freeze(range);
  cache.set(text, range);
  return range;
}

/** True when `version` is inside the range. */
export function inRange(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}
