/** README's configuration table names every setting the broker reads (docs stay true). */
import { assert } from "../testing/assert.ts";
import { settingDocs } from "./config.ts";

Deno.test("README: every setting has a row in the configuration table", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const rows = readme.split("\n").filter((l) => l.startsWith("| `KAFSCALE_")).join("\n");
  const missing = settingDocs().map((s) => s.env).filter((env) => !rows.includes(`\`${env}\``));
  assert(missing.length === 0, `README lacks rows for ${missing.join(", ")}`);
});
