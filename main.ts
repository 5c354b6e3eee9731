/**
 * The `kafscale` executable (built with `deno compile`, or run with `deno task start`).
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
