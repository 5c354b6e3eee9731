/**
 * Prints the broker's permission flags, one per line (see src/cli/permissions.ts), for the
 * shell scripts that start or compile it. Needs no permissions itself.
 * Usage: deno run scripts/permissions.ts --data-dir <dir> [--read <path>]...
 */
import { brokerPermissions } from "../src/cli/permissions.ts";

let dataDir = "";
const readOnly: string[] = [];
for (let i = 0; i < Deno.args.length; i += 2) {
  const [flag, value] = [Deno.args[i], Deno.args[i + 1]];
  if (value === undefined) throw new TypeError(`Cannot use ${flag}: it needs a value`);
  if (flag === "--data-dir") dataDir = value;
  else if (flag === "--read") readOnly.push(value);
  else throw new TypeError(`Cannot use ${flag}: expected --data-dir or --read`);
}
console.log(brokerPermissions({ dataDir, readOnly }).join("\n"));
