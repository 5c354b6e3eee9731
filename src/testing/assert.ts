/**
 * Minimal assertions for tests (JSR's @std/assert is not reachable from our machines).
 * @module
 */

/** Throws unless `cond` is truthy. */
export function assert(cond: unknown, message = "assertion failed"): asserts cond {
  if (!cond) throw new Error(message);
}

function show(v: unknown): string {
  if (v instanceof Uint8Array) {
    return `Uint8Array[${v.byteLength}](${[...v.subarray(0, 32)].join(",")}${
      v.byteLength > 32 ? ",…" : ""
    })`;
  }
  try {
    return JSON.stringify(
      v,
      (_k, x) =>
        x instanceof Uint8Array
          ? `<bytes ${[...x].join(",")}>`
          : typeof x === "bigint"
          ? String(x)
          : x,
    );
  } catch {
    return String(v);
  }
}

/** Deep equality for plain data, arrays, maps and byte arrays. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.byteLength !== b.byteLength) {
      return false;
    }
    for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    if (ka.length !== kb.length) return false;
    return ka.every((k) =>
      deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    );
  }
  return false;
}

/** Throws unless `actual` deep-equals `expected`. */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  if (!deepEqual(actual, expected)) {
    throw new Error(
      `${message ?? "values differ"}\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`,
    );
  }
}

/** Throws unless `fn` throws (an instance of `type` when given); returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  type?: new (...args: never[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (e) {
    if (type && !(e instanceof type)) throw new Error(`expected ${type.name}, got ${e}`);
    if (includes && !String((e as Error).message).includes(includes)) {
      throw new Error(`expected message with "${includes}", got "${(e as Error).message}"`);
    }
    return e as E;
  }
  throw new Error("expected an error, none was thrown");
}

/** Throws unless `fn` rejects (with an instance of `type` when given); returns the error. */
export async function assertRejects<E extends Error = Error>(
  fn: () => Promise<unknown>,
  type?: new (...args: never[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    if (type && !(e instanceof type)) throw new Error(`expected ${type.name}, got ${e}`);
    if (includes && !String((e as Error).message).includes(includes)) {
      throw new Error(`expected message with "${includes}", got "${(e as Error).message}"`);
    }
    return e as E;
  }
  throw new Error("expected a rejection, none happened");
}
