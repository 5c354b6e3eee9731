import { assert } from "./assert.ts";
import { ephemeralRange, freePort } from "./ports.ts";

Deno.test("ports: free ports are below the ephemeral range, distinct, and can be bound", () => {
  const [low] = ephemeralRange();
  const ports = Array.from({ length: 20 }, () => freePort());
  assert(new Set(ports).size === ports.length, `distinct: ${ports}`);
  for (const port of ports) {
    assert(port >= 10_000 && port < low!, `${port} is below ${low} (outgoing connections' range)`);
    Deno.listen({ hostname: "127.0.0.1", port }).close();
  }
});
