/**
 * Every registered API declares its authorization beside its versions (DESIGN.md §7): the ACL
 * checks it makes, each naming an operation Kafka defines on the resource type, or `none` with
 * a reason, which only the APIs served before authentication may give.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { HandlerRegistry } from "./registry.ts";
import { registerHandlers } from "./mod.ts";
import type { BrokerServices } from "./services.ts";
import { BrokerMetrics } from "../metrics/metrics.ts";
import { SUPPORTED_OPERATIONS } from "../auth/acl.ts";

function registry(): HandlerRegistry {
  const r = new HandlerRegistry();
  // Handler factories only capture services; nothing is called while registering.
  registerHandlers(r, { registry: r } as unknown as BrokerServices, new BrokerMetrics());
  return r;
}

Deno.test("authorization: every registered API declares its checks", () => {
  const unchecked: string[] = [];
  for (const h of registry().all()) {
    const name = `${h.schema.apiKey} ${h.schema.name}`;
    const a = h.authorization as unknown;
    assert(a !== undefined && a !== null, `${name} declares no authorization`);
    if ("none" in h.authorization) {
      assert(h.authorization.none.length > 10, `${name} must say why it checks nothing`);
      unchecked.push(h.schema.name);
      continue;
    }
    assert(h.authorization.checks.length > 0, `${name} declares an empty list of checks`);
    for (const c of h.authorization.checks) {
      for (const { operation, resource } of c.or ? [c, c.or] : [c]) {
        assert(
          SUPPORTED_OPERATIONS[resource].includes(operation),
          `${name}: Kafka defines no ${operation} on ${resource}`,
        );
      }
      assert(c.names.length > 0, `${name}: which request field names the resource?`);
    }
  }
  // Only what precedes authentication may check nothing.
  assertEquals(unchecked.sort(), ["ApiVersions", "SaslAuthenticate", "SaslHandshake"]);
});
