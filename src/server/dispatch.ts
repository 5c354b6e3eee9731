/**
 * Turns one request frame into one response frame: parses the header, checks the API key and
 * version against the registry, decodes the body, calls the handler and encodes its answer.
 * Requests the broker cannot parse close the connection, as Apache Kafka does; ApiVersions at
 * an unsupported version is answered with UNSUPPORTED_VERSION and our range (KIP-511).
 * On a SASL listener the connection's session (sasl_session.ts) is asked first: a request it
 * does not admit (anything but ApiVersions and the SASL APIs before authentication, anything
 * but re-authentication once the session expired) closes the connection, and after a
 * SaslHandshake v0 the next frames are raw SASL tokens, answered as size-prefixed tokens.
 * @module
 */
import { decodeMessage, encodeMessage, isFlexible } from "../protocol/codec.ts";
import { decodeRequestHeader, writeResponseHeader } from "../protocol/headers.ts";
import { Reader, Writer } from "../protocol/primitives.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { ANONYMOUS, type SaslSession } from "./sasl_session.ts";
import {
  type Handler,
  type HandlerRegistry,
  Later,
  NO_RESPONSE,
  type RequestContext,
} from "../handlers/registry.ts";

const API_VERSIONS_KEY = 18;

/**
 * What the connection should do with one request: answer it (and, with `closeAfter`, close
 * once the answer is written: a failed authentication), or close at once.
 */
export type Outcome =
  | { kind: "respond"; frame: Promise<Uint8Array[] | null>; closeAfter?: string }
  | { kind: "close"; reason: string };

/** Identity of the connection a frame came from. */
export interface ConnectionInfo {
  remote: string;
  connectionId: number;
  /** The listener's name (default PLAINTEXT). */
  listener?: string;
  /** The SASL session of a connection to a SASL listener. */
  session?: SaslSession | null;
}

/** Observes every request (metrics and logs hook in here without touching handlers). */
export interface DispatchObserver {
  onRequest?(ctx: RequestContext, outcome: "ok" | "error", millis: number): void;
  /** Sees each response body before it is encoded (admin error metrics read error codes). */
  onResponse?(ctx: RequestContext, body: object, millis: number): void;
  onError?(ctx: Partial<RequestContext>, error: unknown): void;
}

/** Dispatches frames to handlers. */
export class Dispatcher {
  constructor(
    private readonly registry: HandlerRegistry,
    private readonly observer: DispatchObserver = {},
  ) {}

  /** Whether a request header at this key/version is the flexible (v2) header. */
  private flexibleRequest = (apiKey: number, version: number): boolean => {
    const h = this.registry.get(apiKey);
    return h ? isFlexible(h.schema.request, version) : false;
  };

  /** Handles one frame body. Resolves once the request's in-order phase is done. */
  async dispatch(frame: Uint8Array, conn: ConnectionInfo): Promise<Outcome> {
    const session = conn.session ?? null;
    if (session?.expectsRawToken) return await this.rawToken(frame, session);
    const reader = new Reader(frame);
    let header;
    try {
      header = decodeRequestHeader(reader, this.flexibleRequest);
    } catch (e) {
      return { kind: "close", reason: `unreadable request header: ${(e as Error).message}` };
    }
    const handler = this.registry.get(header.apiKey);
    const refused = session?.admit(header.apiKey, handler?.schema.name ?? `API ${header.apiKey}`);
    if (refused) return { kind: "close", reason: refused };
    const ctx: RequestContext = {
      ...header,
      remote: conn.remote,
      connectionId: conn.connectionId,
      listener: conn.listener ?? "PLAINTEXT",
      principal: session?.principal ?? ANONYMOUS,
      sasl: session,
    };
    if (!handler) return { kind: "close", reason: `unknown API key ${header.apiKey}` };
    if (header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      if (header.apiKey === API_VERSIONS_KEY) return this.unsupportedApiVersions(ctx);
      return {
        kind: "close",
        reason: `unsupported version ${header.apiVersion} of API ${handler.schema.name}`,
      };
    }
    let request;
    try {
      request = decodeMessage(handler.schema.request, reader, header.apiVersion);
    } catch (e) {
      return { kind: "close", reason: `malformed ${handler.schema.name} request: ${e}` };
    }
    const outcome = await this.invoke(handler, request, ctx);
    const closeAfter = session?.closeReason;
    return closeAfter && outcome.kind === "respond" ? { ...outcome, closeAfter } : outcome;
  }

  /** A raw SASL token (after SaslHandshake v0): the answer goes back as a size-prefixed token. */
  private async rawToken(frame: Uint8Array, session: SaslSession): Promise<Outcome> {
    let answer: Uint8Array | null;
    try {
      answer = await session.rawToken(frame);
    } catch (e) {
      this.observer.onError?.({ apiKey: -1 }, e);
      return { kind: "close", reason: `Cannot check a SASL token: ${(e as Error).message}` };
    }
    if (answer === null) return { kind: "close", reason: session.closeReason ?? "SASL failed" };
    const out = new Uint8Array(4 + answer.byteLength);
    new DataView(out.buffer).setInt32(0, answer.byteLength);
    out.set(answer, 4);
    return { kind: "respond", frame: Promise.resolve([out]) };
  }

  private async invoke(handler: Handler, request: unknown, ctx: RequestContext): Promise<Outcome> {
    const started = performance.now();
    const done = (ok: boolean) =>
      this.observer.onRequest?.(ctx, ok ? "ok" : "error", performance.now() - started);
    try {
      const result = await handler.handle(request, ctx);
      if (result === NO_RESPONSE) {
        done(true);
        return { kind: "respond", frame: Promise.resolve(null) };
      }
      if (result instanceof Later) {
        const frame = result.promise.then((body) => {
          done(true);
          if (body === NO_RESPONSE) return null;
          this.observer.onResponse?.(ctx, body, performance.now() - started);
          return this.encode(handler, body, ctx);
        });
        return { kind: "respond", frame: frame.catch((e) => this.failed(ctx, e)) };
      }
      done(true);
      this.observer.onResponse?.(ctx, result, performance.now() - started);
      return { kind: "respond", frame: Promise.resolve(this.encode(handler, result, ctx)) };
    } catch (e) {
      done(false);
      this.observer.onError?.(ctx, e);
      return { kind: "close", reason: `${handler.schema.name} failed: ${e}` };
    }
  }

  private failed(ctx: RequestContext, e: unknown): never {
    this.observer.onError?.(ctx, e);
    throw e;
  }

  private encode(handler: Handler, body: object, ctx: RequestContext): Uint8Array[] {
    const w = new Writer(512);
    w.int32(0);
    const flexibleHeader = ctx.apiKey !== API_VERSIONS_KEY &&
      isFlexible(handler.schema.response, ctx.apiVersion);
    writeResponseHeader(w, ctx.correlationId, flexibleHeader);
    encodeMessage(handler.schema.response, body, ctx.apiVersion, w);
    const chunks = w.chunksOut();
    const first = chunks[0]!;
    new DataView(first.buffer, first.byteOffset, 4).setInt32(0, w.length - 4);
    return chunks;
  }

  private unsupportedApiVersions(ctx: RequestContext): Outcome {
    const handler = this.registry.get(API_VERSIONS_KEY)!;
    const body = {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: this.registry.all().map((h) => ({
        apiKey: h.schema.apiKey,
        minVersion: h.minVersion,
        maxVersion: h.maxVersion,
      })),
    };
    const frame = this.encode(handler, body, { ...ctx, apiVersion: 0 });
    return { kind: "respond", frame: Promise.resolve(frame) };
  }
}
