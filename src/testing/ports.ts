/**
 * Ports for the services, brokers and servers tests and benchmarks start.
 * @module
 */

/**
 * The kernel's range of ephemeral ports (outgoing connections take theirs from it); Linux's
 * default when it cannot be read (another OS, or no permission for /proc/sys).
 */
export function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").trim()
      .split(/\s+/).map(Number);
    if (lo && hi) return [lo, hi];
  } catch { /* not Linux, or not readable: the usual default */ }
  return [32768, 60999];
}

/** Lowest port picked: above the well-known and most registered services' ports. */
const LOWEST = 10_000;

/** Ports this process handed out (a caller may ask for several before binding any). */
const handedOut = new Set<number>();

/**
 * A loopback port free right now, for a process about to bind it. Picked below the ephemeral
 * range: a port the kernel handed out (port 0) is free when chosen, but any process's next
 * outgoing connection may take it before the service binds it, and the service then fails to
 * start (seen once in CI: etcd exited before listening while clients were connecting). Falls
 * back to a kernel-chosen port when no such range exists.
 */
export function freePort(): number {
  const [ephemeralLow] = ephemeralRange();
  for (let i = 0; ephemeralLow - LOWEST > 1000 && i < 100; i++) {
    const port = LOWEST + Math.floor(Math.random() * (ephemeralLow - LOWEST));
    if (handedOut.has(port)) continue;
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      handedOut.add(port);
      return port;
    } catch { /* taken: try another */ }
  }
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
