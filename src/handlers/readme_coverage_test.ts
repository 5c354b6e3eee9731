/**
 * The README's API coverage table must match the handler registry (what ApiVersions
 * advertises), key for key and version for version.
 */
import { assertEquals } from "../testing/assert.ts";
import { HandlerRegistry } from "./registry.ts";
import { registerHandlers } from "./mod.ts";
import type { BrokerServices } from "./services.ts";
import { BrokerMetrics } from "../metrics/metrics.ts";

Deno.test("README coverage table matches the handler registry", async () => {
  const registry = new HandlerRegistry();
  // Handler factories only capture services; nothing is called while registering.
  registerHandlers(registry, { registry } as unknown as BrokerServices, new BrokerMetrics());
  const advertised = registry.all().map((h) =>
    `${h.schema.apiKey} ${h.schema.name} ${h.minVersion}-${h.maxVersion}`
  );
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.slice(
    readme.indexOf("## Kafka API coverage"),
    readme.indexOf("## Ops API"),
  );
  const documented = [
    ...section.matchAll(/^\|\s*(\d+)\s*\|\s*(\w+)\s*\|\s*(\d+)(?:-(\d+))?\s*\|/gm),
  ].map((m) => `${m[1]} ${m[2]} ${m[3]}-${m[4] ?? m[3]}`);
  assertEquals(documented, advertised);
});
