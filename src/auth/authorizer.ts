/**
 * The authorizer: decides whether a principal, connected from a host, may perform an operation
 * on a resource, with Apache Kafka's semantics (`StandardAuthorizer`):
 * - super users (`KAFSCALE_SUPER_USERS`) may do everything;
 * - the ACLs that apply to a resource are its LITERAL ones, the LITERAL `*` of its type and the
 *   PREFIXED ones its name starts with; when there are none, the answer is
 *   `KAFSCALE_ALLOW_EVERYONE_IF_NO_ACL_FOUND` (default: denied);
 * - an ACL applies to a request when its principal is the requester's or `User:*` and its host
 *   is `*` or the requester's address; a DENY ACL of the operation (or ALL) denies, whatever
 *   allows; otherwise an ALLOW ACL of the operation (or ALL) allows;
 * - implied operations: ALLOW of READ, WRITE, DELETE or ALTER allows DESCRIBE, ALLOW of
 *   ALTER_CONFIGS allows DESCRIBE_CONFIGS (a DENY denies only what it names, or ALL).
 *
 * With `KAFSCALE_AUTHORIZER=none` the open authorizer allows everything. Decisions are pure
 * functions of the ACL index the store keeps current (src/auth/acl_store.ts), memoized until
 * the index changes.
 * @module
 */
import {
  type AclBinding,
  type Operation,
  OPERATION_CODES,
  type ResourceType,
  SUPPORTED_OPERATIONS,
  WILDCARD,
  WILDCARD_PRINCIPAL,
} from "./acl.ts";

/** Who asks: `User:<name>` (or `User:ANONYMOUS`) and the client's address. */
export interface Requester {
  principal: string;
  host: string;
}

/** Decides what requesters may do. */
export interface Authorizer {
  /** Whether ACLs are enforced (KAFSCALE_AUTHORIZER=acl); when not, every check passes. */
  readonly enabled: boolean;
  /** Whether `who` may perform `operation` on the resource `type`:`name`. */
  authorize(who: Requester, operation: Operation, resource: Resource): boolean;
  /**
   * Whether `who` may perform `operation` on at least one resource of `type` (Kafka's
   * `authorizeByResourceType`: InitProducerId lets an idempotent producer in with WRITE on any
   * topic).
   */
  authorizeByResourceType(who: Requester, operation: Operation, type: ResourceType): boolean;
  /** The bits (1 << operation code) of the type's operations `who` may perform on the resource. */
  authorizedOperations(who: Requester, resource: Resource): number;
}

/** A resource by type and name. */
export interface Resource {
  type: ResourceType;
  name: string;
}

/** ACLs indexed by resource type, literal name and prefix. */
export class AclIndex {
  private readonly literal = new Map<ResourceType, Map<string, AclBinding[]>>();
  private readonly prefixed = new Map<ResourceType, AclBinding[]>();
  /** How many ACLs it holds. */
  readonly size: number;

  constructor(bindings: Iterable<AclBinding>) {
    let n = 0;
    for (const b of bindings) {
      n++;
      if (b.patternType === "PREFIXED") {
        const list = this.prefixed.get(b.resourceType) ?? [];
        list.push(b);
        this.prefixed.set(b.resourceType, list);
        continue;
      }
      const byName = this.literal.get(b.resourceType) ?? new Map<string, AclBinding[]>();
      const list = byName.get(b.resourceName) ?? [];
      list.push(b);
      byName.set(b.resourceName, list);
      this.literal.set(b.resourceType, byName);
    }
    this.size = n;
  }

  /** The ACLs whose pattern applies to the resource. */
  matching(r: Resource): AclBinding[] {
    const byName = this.literal.get(r.type);
    const out = [...byName?.get(r.name) ?? []];
    if (r.name !== WILDCARD) out.push(...byName?.get(WILDCARD) ?? []);
    for (const b of this.prefixed.get(r.type) ?? []) {
      if (r.name.startsWith(b.resourceName)) out.push(b);
    }
    return out;
  }

  /** Every ACL of a resource type. */
  ofType(type: ResourceType): AclBinding[] {
    return [
      ...[...this.literal.get(type)?.values() ?? []].flat(),
      ...this.prefixed.get(type) ?? [],
    ];
  }
}

/** An empty index. */
export const NO_ACLS = new AclIndex([]);

const IMPLY_DESCRIBE = new Set<Operation>(["DESCRIBE", "READ", "WRITE", "DELETE", "ALTER"]);
const IMPLY_DESCRIBE_CONFIGS = new Set<Operation>(["DESCRIBE_CONFIGS", "ALTER_CONFIGS"]);

/** Whether an ACL's principal and host are the requester's. */
function appliesTo(acl: AclBinding, who: Requester): boolean {
  return (acl.principal === who.principal || acl.principal === WILDCARD_PRINCIPAL) &&
    (acl.host === WILDCARD || acl.host === who.host);
}

/** Whether an ACL covers `op` (ALL; a DENY only what it names; an ALLOW also what it implies). */
function covers(acl: AclBinding, op: Operation): boolean {
  if (acl.operation === "ALL" || acl.operation === op) return true;
  if (acl.permission === "DENY") return false;
  if (op === "DESCRIBE") return IMPLY_DESCRIBE.has(acl.operation);
  if (op === "DESCRIBE_CONFIGS") return IMPLY_DESCRIBE_CONFIGS.has(acl.operation);
  return false;
}

/**
 * The decision over the ACLs that apply to one resource (see the module doc); `noAcl` is the
 * answer when there are none.
 */
export function decide(
  acls: readonly AclBinding[],
  who: Requester,
  o: { operation: Operation; noAcl: boolean },
): boolean {
  if (acls.length === 0) return o.noAcl;
  let allowed = false;
  for (const acl of acls) {
    if (!appliesTo(acl, who) || !covers(acl, o.operation)) continue;
    if (acl.permission === "DENY") return false;
    allowed = true;
  }
  return allowed;
}

const bitsOf = (ops: readonly Operation[]) =>
  ops.reduce((m, op) => m | (1 << OPERATION_CODES[op]), 0);

/** What the ACL authorizer is configured with. */
export interface AclAuthorizerOptions {
  /** Principals allowed everything (`User:admin`). */
  superUsers: readonly string[];
  /** The answer for a resource no ACL applies to. */
  allowEveryoneIfNoAclFound: boolean;
  /** The current ACLs (the store replaces its index on every change). */
  acls(): AclIndex;
}

/** Remembered decisions at most (cleared when full, and whenever the ACLs change). */
const MEMO_LIMIT = 10_000;

/** The ACL authorizer (KAFSCALE_AUTHORIZER=acl). */
export class AclAuthorizer implements Authorizer {
  readonly enabled = true;
  private readonly superUsers: ReadonlySet<string>;
  private readonly memo = new Map<string, boolean>();
  private memoIndex: AclIndex | null = null;

  constructor(private readonly options: AclAuthorizerOptions) {
    this.superUsers = new Set(options.superUsers);
  }

  authorize(who: Requester, operation: Operation, resource: Resource): boolean {
    if (this.superUsers.has(who.principal)) return true;
    const index = this.options.acls();
    if (index !== this.memoIndex || this.memo.size >= MEMO_LIMIT) {
      this.memo.clear();
      this.memoIndex = index;
    }
    const key = `${who.principal}\0${who.host}\0${operation}\0${resource.type}\0${resource.name}`;
    let answer = this.memo.get(key);
    if (answer === undefined) {
      answer = decide(index.matching(resource), who, {
        operation,
        noAcl: this.options.allowEveryoneIfNoAclFound,
      });
      this.memo.set(key, answer);
    }
    return answer;
  }

  authorizeByResourceType(who: Requester, operation: Operation, type: ResourceType): boolean {
    // As Kafka: a made-up name first, so super users (and allow-everyone) pass whatever DENYs say.
    if (this.authorize(who, operation, { type, name: "hardcode" })) return true;
    const deniedLiteral = new Set<string>();
    const deniedPrefixes = new Set<string>();
    const allowed: AclBinding[] = [];
    let wildcardAllowed = false;
    for (const acl of this.options.acls().ofType(type)) {
      if (!appliesTo(acl, who) || (acl.operation !== operation && acl.operation !== "ALL")) {
        continue;
      }
      if (acl.permission === "DENY") {
        if (acl.patternType === "LITERAL" && acl.resourceName === WILDCARD) return false;
        (acl.patternType === "LITERAL" ? deniedLiteral : deniedPrefixes).add(acl.resourceName);
      } else if (acl.patternType === "LITERAL" && acl.resourceName === WILDCARD) {
        wildcardAllowed = true;
      } else allowed.push(acl);
    }
    if (wildcardAllowed) return true;
    // An allowed pattern counts unless a DENY covers all it names: the same literal, or a
    // denied prefix of it.
    return allowed.some((acl) => {
      if (acl.patternType === "LITERAL" && deniedLiteral.has(acl.resourceName)) return false;
      for (let i = 1; i <= acl.resourceName.length; i++) {
        if (deniedPrefixes.has(acl.resourceName.slice(0, i))) return false;
      }
      return true;
    });
  }

  authorizedOperations(who: Requester, resource: Resource): number {
    return bitsOf(
      SUPPORTED_OPERATIONS[resource.type].filter((op) => this.authorize(who, op, resource)),
    );
  }
}

/** The open authorizer (KAFSCALE_AUTHORIZER=none): everything is allowed. */
export class OpenAuthorizer implements Authorizer {
  readonly enabled = false;

  authorize(): boolean {
    return true;
  }

  authorizeByResourceType(): boolean {
    return true;
  }

  authorizedOperations(_who: Requester, resource: Resource): number {
    return bitsOf(SUPPORTED_OPERATIONS[resource.type]);
  }
}
