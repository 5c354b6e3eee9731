/**
 * Authorization inside a handler, shaped like Kafka's `AuthHelper`: one check, a filter over
 * the resources of a multi-resource request, authorized operations. The requester is the
 * request's principal and the client's address; a denied check is logged at debug with both.
 * @module
 */
import { CLUSTER_NAME, type Operation, type ResourceType } from "../auth/acl.ts";
import type { Requester } from "../auth/authorizer.ts";
import type { RequestContext } from "./registry.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { BrokerServices } from "./services.ts";

/** The client's address without its port (`10.0.0.5:53422` -> `10.0.0.5`; IPv6 alike). */
export function clientHost(remote: string): string {
  return remote.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
}

/** The checks of one request. */
export class RequestAuth {
  private readonly who: Requester;

  constructor(private readonly services: BrokerServices, private readonly ctx: RequestContext) {
    this.who = { principal: ctx.principal, host: clientHost(ctx.remote) };
  }

  /** Whether ACLs are enforced at all. */
  get enabled(): boolean {
    return this.services.authorizer.enabled;
  }

  /**
   * Whether the requester may perform `operation` on `type`:`name`; `quiet` when a denial only
   * leaves the resource out of a listing (not logged, as Kafka).
   */
  allowed(operation: Operation, type: ResourceType, name: string, quiet = false): boolean {
    const ok = this.services.authorizer.authorize(this.who, operation, { type, name });
    if (!ok && !quiet) this.denied(operation, `${type}:${name}`);
    return ok;
  }

  private denied(operation: Operation, resource: string): void {
    this.services.log.debug("authorization denied", {
      principal: this.who.principal,
      remote: this.ctx.remote,
      api: this.services.registry.get(this.ctx.apiKey)?.schema.name ?? this.ctx.apiKey,
      operation,
      resource,
    });
  }

  /**
   * Whether the requester may perform `operation` on the cluster; `quiet` when another check
   * may still allow the request (Kafka does not log those denials either).
   */
  cluster(operation: Operation, quiet = false): boolean {
    return this.allowed(operation, "CLUSTER", CLUSTER_NAME, quiet);
  }

  /**
   * Whether the requester may have an unknown topic created for it (auto-creation is on, and
   * it may CREATE on the cluster or on the topic, as Kafka's Metadata asks).
   */
  mayCreateTopic(name: string): boolean {
    return this.services.config.autoCreateTopics &&
      (this.cluster("CREATE", true) || this.allowed("CREATE", "TOPIC", name));
  }

  /** The names among `names` the requester may perform `operation` on (each checked once). */
  filter(
    operation: Operation,
    type: ResourceType,
    names: Iterable<string>,
    quiet = false,
  ): Set<string> {
    if (!this.enabled) return new Set(names);
    const out = new Set<string>();
    for (const name of new Set(names)) {
      if (this.allowed(operation, type, name, quiet)) out.add(name);
    }
    return out;
  }

  /**
   * Why a config resource (DescribeConfigs, AlterConfigs) is refused, or null: a topic (type 2)
   * needs `operation` on it, a broker (4) or broker logger (8) on the cluster (as Kafka).
   */
  configResource(
    operation: Operation,
    r: { resourceType: number; resourceName: string },
  ): { code: number; message: string } | null {
    if (r.resourceType === 2 && !this.allowed(operation, "TOPIC", r.resourceName)) {
      return { code: ErrorCode.TOPIC_AUTHORIZATION_FAILED, message: "Topic authorization failed." };
    }
    if ((r.resourceType === 4 || r.resourceType === 8) && !this.cluster(operation)) {
      return {
        code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        message: "Cluster authorization failed.",
      };
    }
    return null;
  }

  /** Whether the requester may perform `operation` on some resource of `type`. */
  anyOfType(operation: Operation, type: ResourceType): boolean {
    const ok = this.services.authorizer.authorizeByResourceType(this.who, operation, type);
    if (!ok) this.denied(operation, `${type} (any)`);
    return ok;
  }

  /** The `authorized_operations` bits for a resource. */
  operations(type: ResourceType, name: string): number {
    return this.services.authorizer.authorizedOperations(this.who, { type, name });
  }
}

/** The checks of one request. */
export function authFor(services: BrokerServices, ctx: RequestContext): RequestAuth {
  return new RequestAuth(services, ctx);
}
