/**
 * A connection's SASL session on a SASL listener: who is logged in, until when, and the
 * exchange under way. The dispatcher asks it before every request (`admit`), SaslHandshake and
 * SaslAuthenticate drive it, and after a v0 handshake it takes the raw tokens old clients send.
 *
 * States:
 * - `start`: unauthenticated. ApiVersions, SaslHandshake and SaslAuthenticate are admitted;
 *   anything else closes the connection, as Apache Kafka does.
 * - `exchange`: a handshake chose a mechanism; SaslAuthenticate requests (v1 handshake) or raw
 *   size-prefixed tokens (v0 handshake, kafka-python 2.0) carry the exchange.
 * - `authenticated`: the principal (`User:<name>`) is set; every request is admitted until the
 *   session lifetime (KIP-368, `KAFSCALE_SASL_SESSION_LIFETIME_MS`) ends, after which only a
 *   re-authentication (SaslHandshake v1 + SaslAuthenticate with the same mechanism and user) is.
 *   During a re-authentication the old session still admits requests until it expires.
 * - `closing`: authentication failed or the client broke the protocol: the answer (if any) is
 *   the last thing the connection sends.
 *
 * A failed authentication is answered SASL_AUTHENTICATION_FAILED after `failureDelayMs` (to
 * slow guessing), reported through `onAuthentication` (metrics, the log: address and user name,
 * never a password or proof), and the connection is closed.
 * @module
 */
import { ErrorCode } from "../protocol/errors.ts";
import {
  type ExchangeDeps,
  SaslAuthenticationError,
  type SaslExchange,
  type SaslMechanism,
  type SaslStep,
  startExchange,
} from "../auth/sasl.ts";
import type {
  SaslAuthenticateResult,
  SaslContext,
  SaslHandshakeResult,
} from "../handlers/registry.ts";

/** The principal of a connection that did not authenticate (PLAINTEXT and SSL listeners). */
export const ANONYMOUS = "User:ANONYMOUS";

const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const API_VERSIONS = 18;

/** One authentication's outcome, for metrics and the log. */
export interface AuthenticationEvent {
  mechanism: SaslMechanism;
  /** success, failure (refused: wrong credentials, bad messages), error (could not check). */
  outcome: "success" | "failure" | "error";
  user: string | null;
  remote: string;
  reauthentication: boolean;
  /** Why it failed (never a secret). */
  reason?: string;
}

/** What a session needs. */
export interface SaslSessionOptions {
  mechanisms: readonly SaslMechanism[];
  deps: ExchangeDeps;
  /** 0: sessions never expire. */
  sessionLifetimeMs: number;
  /** Pause before answering a failed authentication (ms). */
  failureDelayMs: number;
  /** The client's address, for the log. */
  remote: string;
  now?(): number;
  onAuthentication?(event: AuthenticationEvent): void;
}

const empty = new Uint8Array(0);

/** One connection's SASL state (see the module doc). */
export class SaslSession implements SaslContext {
  private state: "start" | "exchange" | "authenticated" | "closing" = "start";
  private exchange: SaslExchange | null = null;
  private mechanism: SaslMechanism | null = null;
  /** The exchange runs over raw tokens (SaslHandshake v0). */
  private raw = false;
  private reauthenticating = false;
  /** SaslAuthenticate version of the last success; -1 when it ran over raw tokens. */
  private authenticatedWith = -1;
  private expiresAt: number | null = null;
  private user: string | null = null;
  /** Set once the connection must close after its current answer. */
  closeReason: string | null = null;

  constructor(private readonly options: SaslSessionOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** `User:<name>` once authenticated, else null. */
  get principal(): string | null {
    return this.user === null ? null : `User:${this.user}`;
  }

  /** The next frame is a raw SASL token, not a Kafka request (after a v0 handshake). */
  get expectsRawToken(): boolean {
    return this.state === "exchange" && this.raw;
  }

  /** Why a request with this API key must close the connection, or null to serve it. */
  admit(apiKey: number, apiName: string): string | null {
    const sasl = apiKey === SASL_HANDSHAKE || apiKey === SASL_AUTHENTICATE;
    if (this.user !== null) {
      if (sasl || this.expiresAt === null || this.now() < this.expiresAt) return null;
      return `Cannot serve ${apiName}: the SASL session expired and the client did not ` +
        "re-authenticate";
    }
    if (sasl || apiKey === API_VERSIONS) return null;
    return `Cannot serve ${apiName} before SASL authentication completes`;
  }

  /** SaslHandshake: chooses the mechanism of a first authentication or a re-authentication. */
  handshake(mechanism: string, version: number): SaslHandshakeResult {
    const mechanisms = [...this.options.mechanisms];
    const enabled = mechanisms.find((m) => m === mechanism);
    const reauth = this.state === "authenticated" && version >= 1 && this.authenticatedWith >= 1;
    if (this.state !== "start" && !reauth) {
      this.closeReason = `Cannot handle SaslHandshake in SASL state ${this.state}`;
      this.state = "closing";
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
    }
    if (!enabled || (reauth && enabled !== this.mechanism)) {
      this.closeReason = reauth
        ? `Cannot re-authenticate with ${mechanism}: the session used ${this.mechanism}`
        : `Cannot authenticate with SASL mechanism ${JSON.stringify(mechanism)}: not enabled`;
      this.state = "closing";
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    }
    this.mechanism = enabled;
    this.exchange = startExchange(enabled, this.options.deps);
    this.raw = version === 0;
    this.reauthenticating = reauth;
    this.state = "exchange";
    return { errorCode: 0, mechanisms };
  }

  /** SaslAuthenticate: one step of the exchange the handshake started. */
  async authenticate(authBytes: Uint8Array, version: number): Promise<SaslAuthenticateResult> {
    const answer = (errorCode: number, errorMessage: string | null, bytes: Uint8Array = empty) => ({
      errorCode,
      errorMessage,
      authBytes: bytes,
      sessionLifetimeMs: 0,
    });
    if (this.state === "authenticated") {
      return answer(
        ErrorCode.ILLEGAL_SASL_STATE,
        "SaslAuthenticate request received after successful authentication",
      );
    }
    if (this.state !== "exchange" || this.raw) {
      this.closeReason = "Cannot handle SaslAuthenticate before a SaslHandshake v1";
      this.state = "closing";
      return answer(
        ErrorCode.ILLEGAL_SASL_STATE,
        "Unexpected SaslAuthenticate: send SaslHandshake first",
      );
    }
    const step = await this.step(authBytes, version);
    if (step instanceof SaslAuthenticationError) {
      return answer(ErrorCode.SASL_AUTHENTICATION_FAILED, this.clientMessage(step));
    }
    return {
      ...answer(0, null, step.response),
      sessionLifetimeMs: step.done ? this.options.sessionLifetimeMs : 0,
    };
  }

  /** A raw token after a v0 handshake: its answer (to frame as is), or null to close. */
  async rawToken(token: Uint8Array): Promise<Uint8Array | null> {
    const step = await this.step(token, -1);
    return step instanceof SaslAuthenticationError ? null : step.response;
  }

  /** Runs one step; on success past the last one the session is authenticated. */
  private async step(
    token: Uint8Array,
    version: number,
  ): Promise<SaslStep | SaslAuthenticationError> {
    const exchange = this.exchange!;
    const mechanism = this.mechanism!;
    const event = {
      mechanism,
      remote: this.options.remote,
      reauthentication: this.reauthenticating,
    };
    let step: SaslStep;
    try {
      step = await exchange.step(token);
      if (step.done && this.reauthenticating && step.user !== this.user) {
        throw new SaslAuthenticationError(
          `Cannot change the principal from User:${this.user} to User:${step.user} when re-authenticating`,
          { user: step.user },
        );
      }
    } catch (e) {
      this.state = "closing";
      if (!(e instanceof SaslAuthenticationError)) {
        this.options.onAuthentication?.({
          ...event,
          outcome: "error",
          user: exchange.user,
          reason: String(e),
        });
        throw e; // the credential store failed: the connection closes without an answer
      }
      this.closeReason = `SASL authentication failed (${mechanism})`;
      this.options.onAuthentication?.({
        ...event,
        outcome: "failure",
        user: e.user ?? exchange.user,
        reason: e.message,
      });
      await new Promise((r) => setTimeout(r, this.options.failureDelayMs));
      return e;
    }
    if (step.done) {
      this.user = step.user;
      this.state = "authenticated";
      this.reauthenticating = false;
      this.authenticatedWith = version;
      const lifetime = this.options.sessionLifetimeMs;
      this.expiresAt = lifetime > 0 ? this.now() + lifetime : null;
      this.exchange = null;
      this.options.onAuthentication?.({ ...event, outcome: "success", user: step.user });
    }
    return step;
  }

  private clientMessage(e: SaslAuthenticationError): string {
    return e.invalidCredentials
      ? "Authentication failed during authentication due to invalid credentials with SASL " +
        `mechanism ${this.mechanism}`
      : `Authentication failed: ${e.message}`;
  }
}
