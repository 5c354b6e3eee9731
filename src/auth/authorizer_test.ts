/**
 * The ACL matcher and the authorizer's decisions, against Apache Kafka's semantics: literal,
 * wildcard and prefixed patterns, principals and hosts, DENY over ALLOW, implied operations,
 * super users, allow-everyone-if-no-ACL, by-resource-type checks and authorized operations;
 * plus the filters of DescribeAcls/DeleteAcls and the validation of new ACLs.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import {
  type AclBinding,
  type AclFilter,
  bindingFromCodes,
  filterFromCodes,
  filterMatches,
  type Operation,
} from "./acl.ts";
import { AclAuthorizer, AclIndex, OpenAuthorizer, type Requester } from "./authorizer.ts";

const ALICE: Requester = { principal: "User:alice", host: "10.0.0.1" };
const BOB: Requester = { principal: "User:bob", host: "10.0.0.2" };

function acl(partial: Partial<AclBinding>): AclBinding {
  return {
    resourceType: "TOPIC",
    resourceName: "orders",
    patternType: "LITERAL",
    principal: "User:alice",
    host: "*",
    operation: "READ",
    permission: "ALLOW",
    ...partial,
  };
}

function authorizer(
  acls: AclBinding[],
  o: { superUsers?: string[]; allowEveryoneIfNoAclFound?: boolean } = {},
) {
  const index = new AclIndex(acls);
  return new AclAuthorizer({
    superUsers: o.superUsers ?? [],
    allowEveryoneIfNoAclFound: o.allowEveryoneIfNoAclFound ?? false,
    acls: () => index,
  });
}

const topic = (name: string) => ({ type: "TOPIC" as const, name });

Deno.test("authorizer: a literal ACL allows its operation on its resource only", () => {
  const a = authorizer([acl({})]);
  assert(a.authorize(ALICE, "READ", topic("orders")));
  assert(!a.authorize(ALICE, "WRITE", topic("orders")), "another operation");
  assert(!a.authorize(ALICE, "READ", topic("orders-2")), "a literal is not a prefix");
  assert(!a.authorize(BOB, "READ", topic("orders")), "another principal");
  assert(!a.authorize(ALICE, "READ", { type: "GROUP", name: "orders" }), "another type");
});

Deno.test("authorizer: prefixed patterns match names that start with them", () => {
  const a = authorizer([acl({ patternType: "PREFIXED", resourceName: "app-" })]);
  assert(a.authorize(ALICE, "READ", topic("app-")));
  assert(a.authorize(ALICE, "READ", topic("app-orders")));
  assert(!a.authorize(ALICE, "READ", topic("app")));
  assert(!a.authorize(ALICE, "READ", topic("my-app-orders")));
});

Deno.test("authorizer: the * resource, User:* and host patterns", () => {
  const everyTopic = authorizer([acl({ resourceName: "*" })]);
  assert(everyTopic.authorize(ALICE, "READ", topic("anything")));
  const everyone = authorizer([acl({ principal: "User:*" })]);
  assert(everyone.authorize(BOB, "READ", topic("orders")));
  assert(
    everyone.authorize({ principal: "User:ANONYMOUS", host: "1.2.3.4" }, "READ", topic("orders")),
  );
  const fromHost = authorizer([acl({ host: "10.0.0.1" })]);
  assert(fromHost.authorize(ALICE, "READ", topic("orders")));
  assert(!fromHost.authorize({ ...ALICE, host: "10.0.0.9" }, "READ", topic("orders")));
  // A prefixed * is a prefix like any other (names that start with "*"), as in Kafka.
  const prefixedStar = authorizer([acl({ patternType: "PREFIXED", resourceName: "*" })]);
  assert(!prefixedStar.authorize(ALICE, "READ", topic("orders")));
});

Deno.test("authorizer: DENY wins over ALLOW, whichever pattern carries it", () => {
  const literalDeny = authorizer([
    acl({ resourceName: "*" }),
    acl({ permission: "DENY" }),
  ]);
  assert(!literalDeny.authorize(ALICE, "READ", topic("orders")));
  assert(literalDeny.authorize(ALICE, "READ", topic("payments")));
  const prefixDeny = authorizer([
    acl({}),
    acl({ patternType: "PREFIXED", resourceName: "ord", permission: "DENY", principal: "User:*" }),
  ]);
  assert(!prefixDeny.authorize(ALICE, "READ", topic("orders")));
  const denyAll = authorizer([
    acl({ operation: "ALL" }),
    acl({ operation: "ALL", permission: "DENY", host: "10.0.0.1" }),
  ]);
  assert(!denyAll.authorize(ALICE, "WRITE", topic("orders")), "DENY ALL from that host");
  assert(
    denyAll.authorize({ ...ALICE, host: "10.0.0.7" }, "WRITE", topic("orders")),
    "other hosts",
  );
  const otherPrincipalDeny = authorizer([
    acl({}),
    acl({ permission: "DENY", principal: "User:bob" }),
  ]);
  assert(otherPrincipalDeny.authorize(ALICE, "READ", topic("orders")));
});

Deno.test("authorizer: implied operations (READ/WRITE/DELETE/ALTER give DESCRIBE, ALTER_CONFIGS gives DESCRIBE_CONFIGS, ALL gives all)", () => {
  for (const op of ["READ", "WRITE", "DELETE", "ALTER"] as Operation[]) {
    const a = authorizer([acl({ operation: op })]);
    assert(a.authorize(ALICE, "DESCRIBE", topic("orders")), `${op} implies DESCRIBE`);
    assert(!a.authorize(ALICE, "DESCRIBE_CONFIGS", topic("orders")));
  }
  const create = authorizer([acl({ operation: "CREATE" })]);
  assert(!create.authorize(ALICE, "DESCRIBE", topic("orders")), "CREATE does not imply DESCRIBE");
  const alterConfigs = authorizer([acl({ operation: "ALTER_CONFIGS" })]);
  assert(alterConfigs.authorize(ALICE, "DESCRIBE_CONFIGS", topic("orders")));
  assert(!alterConfigs.authorize(ALICE, "DESCRIBE", topic("orders")));
  const all = authorizer([acl({ operation: "ALL" })]);
  for (const op of ["READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE"] as Operation[]) {
    assert(all.authorize(ALICE, op, topic("orders")), op);
  }
  // A DENY denies only what it names: DENY READ leaves DESCRIBE implied by WRITE.
  const denyRead = authorizer([acl({ operation: "WRITE" }), acl({ permission: "DENY" })]);
  assert(denyRead.authorize(ALICE, "DESCRIBE", topic("orders")));
  assert(!denyRead.authorize(ALICE, "READ", topic("orders")));
  const denyDescribe = authorizer([acl({}), acl({ operation: "DESCRIBE", permission: "DENY" })]);
  assert(!denyDescribe.authorize(ALICE, "DESCRIBE", topic("orders")));
  assert(denyDescribe.authorize(ALICE, "READ", topic("orders")));
});

Deno.test("authorizer: super users may do everything, DENY or not", () => {
  const a = authorizer([acl({ principal: "User:*", operation: "ALL", permission: "DENY" })], {
    superUsers: ["User:admin", "User:ops"],
  });
  for (const principal of ["User:admin", "User:ops"]) {
    assert(a.authorize({ principal, host: "1.1.1.1" }, "DELETE", topic("orders")));
    assert(
      a.authorize({ principal, host: "1.1.1.1" }, "ALTER", {
        type: "CLUSTER",
        name: "kafka-cluster",
      }),
    );
    assert(a.authorizeByResourceType({ principal, host: "1.1.1.1" }, "WRITE", "TOPIC"));
  }
  assert(!a.authorize(ALICE, "READ", topic("orders")));
  assert(!a.authorize({ principal: "User:admin2", host: "1.1.1.1" }, "READ", topic("orders")));
});

Deno.test("authorizer: without ACLs on a resource the answer is KAFSCALE_ALLOW_EVERYONE_IF_NO_ACL_FOUND", () => {
  const closed = authorizer([]);
  assert(!closed.authorize(ALICE, "READ", topic("orders")), "default: denied");
  const open = authorizer([acl({ resourceName: "orders", principal: "User:bob" })], {
    allowEveryoneIfNoAclFound: true,
  });
  assert(open.authorize(ALICE, "READ", topic("payments")), "no ACL on payments");
  assert(!open.authorize(ALICE, "READ", topic("orders")), "orders has an ACL (for bob)");
  assert(open.authorize(BOB, "READ", topic("orders")));
  const prefixed = authorizer([
    acl({ patternType: "PREFIXED", resourceName: "pay", principal: "User:bob" }),
  ], {
    allowEveryoneIfNoAclFound: true,
  });
  assert(!prefixed.authorize(ALICE, "READ", topic("payments")), "a prefixed ACL applies too");
});

Deno.test("authorizer: by resource type (InitProducerId's WRITE on any topic)", () => {
  const none = authorizer([]);
  assert(!none.authorizeByResourceType(ALICE, "WRITE", "TOPIC"));
  assert(
    authorizer([acl({ operation: "WRITE" })]).authorizeByResourceType(ALICE, "WRITE", "TOPIC"),
  );
  assert(authorizer([acl({ operation: "ALL" })]).authorizeByResourceType(ALICE, "WRITE", "TOPIC"));
  assert(
    !authorizer([acl({ operation: "READ" })]).authorizeByResourceType(ALICE, "WRITE", "TOPIC"),
  );
  assert(!authorizer([acl({ operation: "WRITE" })]).authorizeByResourceType(BOB, "WRITE", "TOPIC"));
  const denied = authorizer([
    acl({ operation: "WRITE", resourceName: "app-orders" }),
    acl({ operation: "WRITE", patternType: "PREFIXED", resourceName: "app-", permission: "DENY" }),
  ]);
  assert(!denied.authorizeByResourceType(ALICE, "WRITE", "TOPIC"), "a denied prefix covers it");
  const sameLiteral = authorizer([
    acl({ operation: "WRITE" }),
    acl({ operation: "WRITE", permission: "DENY" }),
  ]);
  assert(!sameLiteral.authorizeByResourceType(ALICE, "WRITE", "TOPIC"));
  const oneLeft = authorizer([
    acl({ operation: "WRITE" }),
    acl({ operation: "WRITE", resourceName: "other" }),
    acl({ operation: "WRITE", permission: "DENY" }),
  ]);
  assert(oneLeft.authorizeByResourceType(ALICE, "WRITE", "TOPIC"));
  const wildcardDeny = authorizer([
    acl({ operation: "WRITE", resourceName: "*" }),
    acl({ operation: "WRITE", resourceName: "*", permission: "DENY" }),
  ]);
  assert(!wildcardDeny.authorizeByResourceType(ALICE, "WRITE", "TOPIC"));
  assert(
    authorizer([], { allowEveryoneIfNoAclFound: true }).authorizeByResourceType(
      ALICE,
      "WRITE",
      "TOPIC",
    ),
  );
});

Deno.test("authorizer: authorized operations are the resource type's operations that pass", () => {
  const a = authorizer([
    acl({ operation: "WRITE" }),
    acl({ operation: "ALTER_CONFIGS" }),
    acl({ resourceType: "GROUP", resourceName: "g", operation: "READ" }),
  ]);
  const bits = (ops: number[]) => ops.reduce((m, b) => m | (1 << b), 0);
  // WRITE (4), DESCRIBE (8, implied), DESCRIBE_CONFIGS (10, implied), ALTER_CONFIGS (11).
  assertEquals(a.authorizedOperations(ALICE, topic("orders")), bits([4, 8, 10, 11]));
  assertEquals(a.authorizedOperations(ALICE, { type: "GROUP", name: "g" }), bits([3, 8]));
  assertEquals(a.authorizedOperations(BOB, topic("orders")), 0);
  const open = new OpenAuthorizer();
  assertEquals(open.authorizedOperations(BOB, { type: "GROUP", name: "g" }), bits([3, 6, 8]));
  assert(open.authorize() && !open.enabled);
});

Deno.test("authorizer: a new index (an ACL changed) is used at once, not a remembered answer", () => {
  let index = new AclIndex([]);
  const a = new AclAuthorizer({
    superUsers: [],
    allowEveryoneIfNoAclFound: false,
    acls: () => index,
  });
  assert(!a.authorize(ALICE, "READ", topic("orders")));
  index = new AclIndex([acl({})]);
  assert(a.authorize(ALICE, "READ", topic("orders")));
  index = new AclIndex([acl({}), acl({ permission: "DENY" })]);
  assert(!a.authorize(ALICE, "READ", topic("orders")));
});

const ANY: AclFilter = {
  resourceType: "ANY",
  resourceName: null,
  patternType: "ANY",
  principal: null,
  host: null,
  operation: "ANY",
  permission: "ANY",
};

Deno.test("acl filters: ANY, exact fields, and MATCH (every pattern that applies to a name)", () => {
  const literal = acl({});
  const star = acl({ resourceName: "*" });
  const prefix = acl({ patternType: "PREFIXED", resourceName: "ord" });
  const group = acl({ resourceType: "GROUP", resourceName: "orders" });
  const all = [literal, star, prefix, group];
  const pick = (f: Partial<AclFilter>) => all.filter((b) => filterMatches({ ...ANY, ...f }, b));
  assertEquals(pick({}), all);
  assertEquals(pick({ resourceType: "TOPIC", resourceName: "orders" }), [literal]);
  assertEquals(pick({ resourceType: "TOPIC", patternType: "PREFIXED" }), [prefix]);
  assertEquals(pick({ resourceType: "TOPIC", resourceName: "orders", patternType: "MATCH" }), [
    literal,
    star,
    prefix,
  ]);
  assertEquals(pick({ resourceName: "ord", patternType: "LITERAL" }), []);
  assertEquals(pick({ principal: "User:bob" }), []);
  assertEquals(pick({ operation: "WRITE" }), []);
  assertEquals(pick({ permission: "ALLOW", resourceType: "GROUP" }), [group]);
});

Deno.test("acl codes: a new ACL must be valid, a filter must not hold UNKNOWN", () => {
  const ok = {
    resourceType: 2,
    resourceName: "orders",
    resourcePatternType: 4,
    principal: "User:alice",
    host: "*",
    operation: 3,
    permissionType: 3,
  };
  assertEquals(bindingFromCodes(ok), acl({ patternType: "PREFIXED" }));
  const bad = (patch: Partial<typeof ok>) => {
    const r = bindingFromCodes({ ...ok, ...patch });
    return "error" in r ? r.error : "accepted";
  };
  assertEquals(
    bad({ resourceType: 1 }),
    "Invalid resourceType ANY: ACLs name TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID",
  );
  assertEquals(bad({ resourcePatternType: 2 }), "Invalid patternType MATCH");
  assertEquals(bad({ operation: 1 }), "Invalid operation ANY");
  assertEquals(bad({ permissionType: 1 }), "Invalid permissionType ANY");
  assertEquals(bad({ resourceName: "" }), "Resource name should not be empty");
  assertEquals(
    bad({ resourceType: 4 }),
    "The only valid name for the CLUSTER resource is kafka-cluster",
  );
  assertEquals(bad({ resourceType: 4, resourceName: "kafka-cluster" }), "accepted");
  assertEquals(
    bad({ principal: "alice" }),
    "Could not parse principal from `alice` (expected User:<name>)",
  );
  assertEquals(
    bad({ resourceName: "x".repeat(256) }),
    "The resourceName is longer than 255 characters",
  );
  const filter = {
    resourceTypeFilter: 1,
    resourceNameFilter: null,
    patternTypeFilter: 1,
    principalFilter: null,
    hostFilter: null,
    operation: 1,
    permissionType: 1,
  };
  assertEquals(filterFromCodes(filter), ANY);
  assert("error" in filterFromCodes({ ...filter, operation: 0 }));
  assert("error" in filterFromCodes({ ...filter, patternTypeFilter: 9 }));
});
