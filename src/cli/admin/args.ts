/**
 * A small argument parser for the admin commands: positionals, `--flag value` (repeatable),
 * `--flag=value`, and boolean flags named up front.
 * @module
 */

/** Parsed arguments. */
export interface Args {
  positional: string[];
  values: Map<string, string[]>;
  flags: Set<string>;
}

const BOOLEAN = new Set([
  "--json",
  "--to-earliest",
  "--to-latest",
  "--help",
  "-h",
  "--validate-only",
]);

/** Parses `args`. */
export function parseArgs(args: string[]): Args {
  const out: Args = { positional: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("-")) {
      out.positional.push(a);
      continue;
    }
    if (BOOLEAN.has(a)) {
      out.flags.add(a);
      continue;
    }
    const eq = a.indexOf("=");
    const [name, value] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, args[++i]];
    if (value === undefined) throw new Error(`Option ${name} needs a value`);
    out.values.set(name, [...(out.values.get(name) ?? []), value]);
  }
  return out;
}

/** The last value of an option, or a default. */
export function opt(a: Args, name: string, fallback?: string): string | undefined {
  return a.values.get(name)?.at(-1) ?? fallback;
}

/** A required option or positional, with a clear error. */
export function need(value: string | undefined, what: string): string {
  if (value === undefined || value === "") throw new Error(`Missing ${what}`);
  return value;
}
