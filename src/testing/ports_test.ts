import { assert } from "./assert.ts";
import { freePort } from "./ports.ts";

Deno.test("ports: free ports are below the ephemeral range, distinct, and can be bound", () => {
  const [low] = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").trim()
    .split(/\s+/).map(Number);
  const ports = Array.from({ length: 20 }, () => freePort());
  assert(new Set(ports).size === ports.length, `distinct: ${ports}`);
  for (const port of ports) {
    assert(port >= 10_000 && port < low!, `${port} is below ${low} (outgoing connections' range)`);
    Deno.listen({ hostname: "127.0.0.1", port }).close();
  }
});
