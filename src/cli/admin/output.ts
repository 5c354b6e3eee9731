/**
 * Output of admin commands: aligned tables by default, JSON with --json.
 * @module
 */

/** Formats rows as an aligned text table with a header. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => r.map((c, i) => (c ?? "").padEnd(widths[i]!)).join("  ").trimEnd()).join(
    "\n",
  );
}

/** Prints rows as a table, or the objects as JSON. */
export function print(
  json: boolean,
  objects: Record<string, unknown>[],
  headers: string[],
  keys: string[],
): void {
  if (json) {
    console.log(JSON.stringify(objects, null, 2));
    return;
  }
  console.log(table(headers, objects.map((o) => keys.map((k) => String(o[k] ?? "")))));
}
