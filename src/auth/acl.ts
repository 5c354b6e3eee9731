/**
 * Kafka's ACL model: resource types, pattern types, operations and permissions with their wire
 * codes, an ACL binding (a resource pattern plus who may or may not do what from where), the
 * filters DescribeAcls and DeleteAcls match with, and the checks a new ACL must pass.
 *
 * Semantics follow Apache Kafka's authorizer: a LITERAL pattern names one resource (`*` every
 * resource of the type), a PREFIXED one every resource whose name starts with it; a principal
 * is `User:<name>` or `User:*` (everyone); a host is `*` or an exact address. Filters add ANY
 * (every value) and, for patterns, MATCH (every pattern that applies to the named resource).
 * @module
 */

/** Kafka's resource type codes. */
export const RESOURCE_TYPE_CODES = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

/** Kafka's pattern type codes. */
export const PATTERN_TYPE_CODES = {
  UNKNOWN: 0,
  ANY: 1,
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const;

/** Kafka's AclOperation codes (also the bits of `authorized_operations` fields). */
export const OPERATION_CODES = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;

/** Kafka's permission type codes. */
export const PERMISSION_CODES = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** The resource types the broker authorizes. */
export type ResourceType = "TOPIC" | "GROUP" | "CLUSTER" | "TRANSACTIONAL_ID";
/** An operation a check or an ACL names (ALL only in ACLs). */
export type Operation = Exclude<keyof typeof OPERATION_CODES, "UNKNOWN" | "ANY">;
/** Pattern types an ACL may have. */
export type PatternType = "LITERAL" | "PREFIXED";
/** ALLOW or DENY. */
export type Permission = "ALLOW" | "DENY";

/** The resource types ACLs may name here, in Kafka's order. */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  "TOPIC",
  "GROUP",
  "CLUSTER",
  "TRANSACTIONAL_ID",
];

/** The one name of the cluster resource. */
export const CLUSTER_NAME = "kafka-cluster";
/** A LITERAL name, principal or host matching every value. */
export const WILDCARD = "*";
/** The principal name matching every user. */
export const WILDCARD_PRINCIPAL = "User:*";

/**
 * The operations Kafka defines on each resource type (`AclEntry.supportedOperations`): what
 * `authorized_operations` reports on, and what a handler's declared checks may name.
 */
export const SUPPORTED_OPERATIONS: Record<ResourceType, readonly Operation[]> = {
  TOPIC: [
    "READ",
    "WRITE",
    "CREATE",
    "DESCRIBE",
    "DELETE",
    "ALTER",
    "DESCRIBE_CONFIGS",
    "ALTER_CONFIGS",
  ],
  GROUP: ["READ", "DESCRIBE", "DELETE"],
  CLUSTER: [
    "CREATE",
    "CLUSTER_ACTION",
    "DESCRIBE_CONFIGS",
    "ALTER_CONFIGS",
    "IDEMPOTENT_WRITE",
    "ALTER",
    "DESCRIBE",
  ],
  TRANSACTIONAL_ID: ["DESCRIBE", "WRITE"],
};

/** One ACL: a resource pattern and an entry (who, from where, which operation, allowed or not). */
export interface AclBinding {
  resourceType: ResourceType;
  resourceName: string;
  patternType: PatternType;
  principal: string;
  host: string;
  operation: Operation;
  permission: Permission;
}

/** A DescribeAcls / DeleteAcls filter; null strings and ANY match every value. */
export interface AclFilter {
  resourceType: ResourceType | "ANY";
  resourceName: string | null;
  patternType: PatternType | "ANY" | "MATCH";
  principal: string | null;
  host: string | null;
  operation: Operation | "ANY";
  permission: Permission | "ANY";
}

/** A filter as the wire carries it (Kafka's codes). */
export interface AclFilterCodes {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

/** A binding as the wire carries it (Kafka's codes). */
export interface AclBindingCodes {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** Longest resource name, principal and host an ACL may have (each ACL is one bounded record). */
export const ACL_LIMITS = { resourceName: 255, principal: 255, host: 255 } as const;

function nameOf<T extends Record<string, number>>(codes: T, code: number): keyof T | undefined {
  return (Object.keys(codes) as (keyof T)[]).find((k) => codes[k] === code);
}

/** The wire codes of a binding. */
export function bindingCodes(b: AclBinding): AclBindingCodes {
  return {
    resourceType: RESOURCE_TYPE_CODES[b.resourceType],
    resourceName: b.resourceName,
    resourcePatternType: PATTERN_TYPE_CODES[b.patternType],
    principal: b.principal,
    host: b.host,
    operation: OPERATION_CODES[b.operation],
    permissionType: PERMISSION_CODES[b.permission],
  };
}

/**
 * A binding from wire codes, or why it cannot be created (Kafka's rules: a known resource
 * type, LITERAL or PREFIXED, a real operation and permission, a non-empty name, the cluster
 * named `kafka-cluster`, a principal of the form `Type:name`), plus our size bounds.
 */
export function bindingFromCodes(c: AclBindingCodes): AclBinding | { error: string } {
  const type = nameOf(RESOURCE_TYPE_CODES, c.resourceType);
  if (!type || !(RESOURCE_TYPES as readonly string[]).includes(type)) {
    return {
      error: `Invalid resourceType ${type ?? c.resourceType}: ACLs name ${
        RESOURCE_TYPES.join(", ")
      }`,
    };
  }
  const pattern = nameOf(PATTERN_TYPE_CODES, c.resourcePatternType);
  if (pattern !== "LITERAL" && pattern !== "PREFIXED") {
    return { error: `Invalid patternType ${pattern ?? c.resourcePatternType}` };
  }
  const op = nameOf(OPERATION_CODES, c.operation);
  if (!op || op === "UNKNOWN" || op === "ANY") {
    return { error: `Invalid operation ${op ?? c.operation}` };
  }
  const permission = nameOf(PERMISSION_CODES, c.permissionType);
  if (permission !== "ALLOW" && permission !== "DENY") {
    return { error: `Invalid permissionType ${permission ?? c.permissionType}` };
  }
  if (c.resourceName === "") return { error: "Resource name should not be empty" };
  if (type === "CLUSTER" && c.resourceName !== CLUSTER_NAME) {
    return { error: `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}` };
  }
  const colon = c.principal.indexOf(":");
  if (colon <= 0 || colon === c.principal.length - 1) {
    return { error: `Could not parse principal from \`${c.principal}\` (expected User:<name>)` };
  }
  if (c.host === "") return { error: "Host should not be empty (use * for every host)" };
  for (const [field, limit] of Object.entries(ACL_LIMITS)) {
    const value = field === "resourceName"
      ? c.resourceName
      : field === "host"
      ? c.host
      : c.principal;
    if (value.length > limit) return { error: `The ${field} is longer than ${limit} characters` };
  }
  return {
    resourceType: type as ResourceType,
    resourceName: c.resourceName,
    patternType: pattern,
    principal: c.principal,
    host: c.host,
    operation: op,
    permission,
  };
}

/** A filter from wire codes, or why it is invalid (UNKNOWN anywhere, as Kafka refuses). */
export function filterFromCodes(c: AclFilterCodes): AclFilter | { error: string } {
  const type = nameOf(RESOURCE_TYPE_CODES, c.resourceTypeFilter);
  const pattern = nameOf(PATTERN_TYPE_CODES, c.patternTypeFilter);
  const op = nameOf(OPERATION_CODES, c.operation);
  const permission = nameOf(PERMISSION_CODES, c.permissionType);
  if (!type || !pattern || !op || !permission) return { error: "The filter has an unknown code" };
  if (type === "UNKNOWN" || pattern === "UNKNOWN" || op === "UNKNOWN" || permission === "UNKNOWN") {
    return { error: "The filter contains UNKNOWN elements" };
  }
  return {
    // Types we do not store (DELEGATION_TOKEN, USER) match nothing, as an empty result should.
    resourceType: type as ResourceType | "ANY",
    resourceName: c.resourceNameFilter,
    patternType: pattern,
    principal: c.principalFilter,
    host: c.hostFilter,
    operation: op,
    permission,
  };
}

/** Whether a filter matches a binding (Kafka's `AclBindingFilter.matches`). */
export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== "ANY" && f.resourceType !== b.resourceType) return false;
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== "ANY" && f.operation !== b.operation) return false;
  if (f.permission !== "ANY" && f.permission !== b.permission) return false;
  if (f.patternType !== "ANY" && f.patternType !== "MATCH" && f.patternType !== b.patternType) {
    return false;
  }
  if (f.resourceName === null) return true;
  if (f.patternType !== "MATCH") return f.resourceName === b.resourceName;
  // MATCH: every pattern that applies to the named resource.
  return b.patternType === "LITERAL"
    ? b.resourceName === f.resourceName || b.resourceName === WILDCARD
    : f.resourceName.startsWith(b.resourceName);
}

/** A binding in Kafka's words, for logs: `User:bob has ALLOW READ from * on TOPIC:PREFIXED:app-`. */
export function describeBinding(b: AclBinding): string {
  return `${b.principal} has ${b.permission} ${b.operation} from ${b.host} on ` +
    `${b.resourceType}:${b.patternType}:${b.resourceName}`;
}
