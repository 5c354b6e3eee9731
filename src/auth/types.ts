/**
 * What every SASL mechanism shares: an exchange's steps and its one error.
 * @module
 */

/** One answer of an exchange: more to come, or done with the authenticated user. */
export type SaslStep =
  | { done: false; response: Uint8Array }
  | { done: true; response: Uint8Array; user: string };

/** The server's side of one authentication. */
export interface SaslExchange {
  /** The user the client named so far (for logs), or null. */
  readonly user: string | null;
  step(token: Uint8Array): Promise<SaslStep>;
}

/**
 * Authentication failed. `message` says why, for the broker's log; when `invalidCredentials`
 * the client is told only that the credentials were wrong (not whether the user exists).
 */
export class SaslAuthenticationError extends Error {
  readonly user: string | null;
  readonly invalidCredentials: boolean;

  constructor(message: string, options: { user?: string; invalidCredentials?: boolean } = {}) {
    super(message);
    this.name = "SaslAuthenticationError";
    this.user = options.user ?? null;
    this.invalidCredentials = options.invalidCredentials ?? false;
  }
}
