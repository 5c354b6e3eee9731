/**
 * The handler contract and registry. Each API key has one handler that declares the versions
 * it implements and what it authorizes; ApiVersions is generated from this registry, so what
 * we advertise can never drift from what is implemented, and a handler cannot be written
 * without saying which ACL checks it makes (a test walks the registry).
 * @module
 */
import type { ApiSchema } from "../protocol/schema.ts";
import type { ErrorCode } from "../protocol/errors.ts";
import type { Operation, ResourceType } from "../auth/acl.ts";

/** What a handler knows about the request it serves. */
export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Remote address as host:port, for logs. */
  remote: string;
  connectionId: number;
  /** The listener the client connected to (its name: PLAINTEXT, SSL, SASL_SSL...). */
  listener: string;
  /** Who sent it: `User:<name>` after SASL, else `User:ANONYMOUS` (for authorization). */
  principal: string;
  /** The connection's SASL session on a SASL listener, else null. */
  sasl: SaslContext | null;
}

/** SaslHandshake's outcome. */
export interface SaslHandshakeResult {
  errorCode: number;
  mechanisms: string[];
}

/** SaslAuthenticate's outcome. */
export interface SaslAuthenticateResult {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Uint8Array;
  sessionLifetimeMs: number;
}

/** The per-connection SASL session as the SaslHandshake and SaslAuthenticate handlers drive it. */
export interface SaslContext {
  handshake(mechanism: string, version: number): SaslHandshakeResult;
  authenticate(authBytes: Uint8Array, version: number): Promise<SaslAuthenticateResult>;
}

/** Returned by a handler that must not answer (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol("no response");

/**
 * A response that is ready later (a produce waiting for its flush, a long-poll fetch).
 * The connection moves on to the next request at once and writes responses in order.
 */
export class Later<T> {
  constructor(readonly promise: Promise<T | typeof NO_RESPONSE>) {}
}

/** What a handler may return. */
export type HandlerResult<T> = T | Later<T> | typeof NO_RESPONSE;

/**
 * One check an API makes, in Kafka's terms (its `KafkaApis`): an operation on a resource, the
 * request field that names the resource, and what a principal that fails it gets.
 */
export interface AuthCheck {
  operation: Operation;
  resource: ResourceType;
  /** The request field naming the resource, e.g. `topics[].name`; the cluster: `kafka-cluster`. */
  names: string;
  /** An error code (per resource unless said), or what is left out of the answer. */
  denied: keyof typeof ErrorCode | "left out" | "no authorized operations";
  /** When the check applies, if not always. */
  when?: string;
  /** Passing this instead is enough (CreateTopics: CREATE on the cluster, or on the topic). */
  or?: { operation: Operation; resource: ResourceType; names: string };
}

/** What an API authorizes: its checks, or `none` and why (ApiVersions, the SASL exchange). */
export type Authorization =
  | { readonly checks: readonly AuthCheck[] }
  | { readonly none: string };

/** One API's implementation. */
// deno-lint-ignore no-explicit-any
export interface Handler<Req = any, Resp = any> {
  readonly schema: ApiSchema;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The ACL checks the handler makes (DESIGN.md: declared beside the versions). */
  readonly authorization: Authorization;
  /**
   * Serves one decoded request. Everything up to the returned promise's resolution runs
   * before the next request of the same connection starts, so per-connection order holds.
   */
  handle(request: Req, ctx: RequestContext): HandlerResult<Resp> | Promise<HandlerResult<Resp>>;
}

/** Handlers by API key. */
export class HandlerRegistry {
  private readonly byKey = new Map<number, Handler>();

  /** Adds a handler; a key may be registered once. */
  register(handler: Handler): this {
    const key = handler.schema.apiKey;
    if (this.byKey.has(key)) throw new Error(`Cannot register API key ${key}: already registered`);
    this.byKey.set(key, handler);
    return this;
  }

  /** The handler for a key, if any. */
  get(apiKey: number): Handler | undefined {
    return this.byKey.get(apiKey);
  }

  /** Every registered handler, in API key order. */
  all(): Handler[] {
    return [...this.byKey.values()].sort((a, b) => a.schema.apiKey - b.schema.apiKey);
  }
}
