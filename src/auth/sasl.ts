/**
 * The SASL mechanisms the broker offers (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) behind one shape:
 * an exchange takes client tokens and answers them until it is done and names its user, or
 * throws `SaslAuthenticationError`. Per-connection state (which exchange, who is logged in,
 * until when) lives with the server (src/server/sasl_session.ts); credentials come from the
 * port in credentials.ts, read on every authentication so a user added on any broker can log
 * in everywhere at once.
 * @module
 */
import {
  hmac,
  passwordMatches,
  SCRAM_HASH,
  type ScramCredential,
  type ScramMechanism,
  ScramServerExchange,
} from "./scram.ts";
import { SaslAuthenticationError, type SaslExchange, type SaslStep } from "./types.ts";
export { SaslAuthenticationError, type SaslExchange, type SaslStep } from "./types.ts";

/** Every mechanism the broker implements, in the order it lists them. */
export const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;

/** A mechanism name. */
export type SaslMechanism = typeof SASL_MECHANISMS[number];

/** Whether `name` is a mechanism the broker implements. */
export function isSaslMechanism(name: string): name is SaslMechanism {
  return (SASL_MECHANISMS as readonly string[]).includes(name);
}

/** The SCRAM mechanisms, whose credentials are stored. */
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ["SCRAM-SHA-256", "SCRAM-SHA-512"];

/** Kafka's codes for the SCRAM mechanisms (Describe/AlterUserScramCredentials). */
export const SCRAM_MECHANISM_CODES: Readonly<Record<ScramMechanism, number>> = {
  "SCRAM-SHA-256": 1,
  "SCRAM-SHA-512": 2,
};

/** The mechanism of a Kafka code, or undefined for 0 (unknown) and others. */
export function scramMechanismOf(code: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => SCRAM_MECHANISM_CODES[m] === code);
}

/** Whether `name` is a SCRAM mechanism. */
export function isScramMechanism(name: string): name is ScramMechanism {
  return (SCRAM_MECHANISMS as readonly string[]).includes(name);
}

/** Reads stored SCRAM credentials (the narrow part of the credential port a login needs). */
export interface CredentialLookup {
  get(user: string, mechanism: ScramMechanism): Promise<ScramCredential | null>;
}

/** Stand-in credentials for unknown users, so they cost and fail like a wrong password. */
export interface Decoys {
  credential(user: string, mechanism: ScramMechanism): Promise<ScramCredential>;
}

/** Decoys derived from a random secret of this broker (the same salt for the same name). */
export function createDecoys(): Decoys {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const enc = new TextEncoder();
  return {
    async credential(user, mechanism) {
      const hash = SCRAM_HASH[mechanism];
      const seed = await hmac("SHA-256", secret, enc.encode(`${mechanism}\0${user}`));
      const key = await hmac(hash, seed, enc.encode("key"));
      return { salt: seed, iterations: 4096, storedKey: key, serverKey: key };
    },
  };
}

/** What an exchange needs from the broker. */
export interface ExchangeDeps {
  credentials: CredentialLookup;
  decoys: Decoys;
}

/** Starts the server's side of an exchange for `mechanism`. */
export function startExchange(mechanism: SaslMechanism, deps: ExchangeDeps): SaslExchange {
  if (mechanism === "PLAIN") return new PlainExchange(deps);
  return new ScramServerExchange({
    hash: SCRAM_HASH[mechanism],
    lookup: (user) => deps.credentials.get(user, mechanism),
    decoy: (user) => deps.decoys.credential(user, mechanism),
  });
}

/**
 * Checks a user's password against the stored SCRAM credential (SHA-512 when there is one,
 * else SHA-256) by deriving its keys with the stored salt and iterations. An unknown user costs
 * the same work as a wrong password. Used by PLAIN and by the console's login.
 */
export async function checkPassword(
  deps: ExchangeDeps,
  user: string,
  password: string,
): Promise<"ok" | "wrong password" | "unknown user"> {
  for (const mechanism of ["SCRAM-SHA-512", "SCRAM-SHA-256"] as const) {
    const stored = await deps.credentials.get(user, mechanism);
    if (!stored) continue;
    return await passwordMatches(SCRAM_HASH[mechanism], password, stored) ? "ok" : "wrong password";
  }
  const decoy = await deps.decoys.credential(user, "SCRAM-SHA-512");
  await passwordMatches("SHA-512", password, decoy);
  return "unknown user";
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * PLAIN (RFC 4616): one message `authzid NUL authcid NUL password`, checked against the user's
 * stored SCRAM credential (SHA-512 when there is one, else SHA-256) by deriving its keys from
 * the password with the stored salt and iterations. Send it only over TLS.
 */
class PlainExchange implements SaslExchange {
  private named: string | null = null;
  private used = false;

  constructor(private readonly deps: ExchangeDeps) {}

  get user(): string | null {
    return this.named;
  }

  async step(token: Uint8Array): Promise<SaslStep> {
    if (this.used) throw new SaslAuthenticationError("Invalid PLAIN exchange: already complete");
    this.used = true;
    let text: string;
    try {
      text = utf8.decode(token);
    } catch {
      throw new SaslAuthenticationError("Invalid PLAIN message: not UTF-8");
    }
    const parts = text.split("\0");
    if (parts.length !== 3) {
      throw new SaslAuthenticationError("Invalid PLAIN message: expected authzid, user, password");
    }
    const [authzid, user, password] = parts as [string, string, string];
    if (user === "" || password === "") {
      throw new SaslAuthenticationError("Invalid PLAIN message: empty user name or password");
    }
    this.named = user;
    if (authzid !== "" && authzid !== user) {
      throw new SaslAuthenticationError(
        "Invalid PLAIN message: authorization id differs from user",
        {
          user,
        },
      );
    }
    const outcome = await checkPassword(this.deps, user, password);
    if (outcome === "ok") return { done: true, user, response: new Uint8Array(0) };
    // An unknown user gets the same answer as a wrong password.
    throw new SaslAuthenticationError(
      outcome === "unknown user" ? "unknown user" : "invalid credentials",
      { user, invalidCredentials: true },
    );
  }
}
