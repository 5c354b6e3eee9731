/**
 * SCRAM (RFC 5802, RFC 7677) without I/O: the key derivation, the message grammar, and the
 * server's side of one exchange as a small state machine over WebCrypto (PBKDF2, HMAC, SHA).
 *
 * A stored credential is (salt, iterations, StoredKey, ServerKey), never a password:
 * SaltedPassword = Hi(password, salt, i) (PBKDF2), ClientKey = HMAC(SaltedPassword, "Client Key"),
 * StoredKey = H(ClientKey), ServerKey = HMAC(SaltedPassword, "Server Key"). The client proves it
 * knows ClientKey: ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage), so the server checks
 * H(ClientProof XOR HMAC(StoredKey, AuthMessage)) == StoredKey and answers
 * ServerSignature = HMAC(ServerKey, AuthMessage) to prove it knew the credential too.
 *
 * Passwords are UTF-8 bytes without SASLprep, as Apache Kafka's Java code does, so a password
 * set through `kafka-configs.sh` and one set through `kafscale users add` derive the same keys.
 *
 * Exchange states (`ScramServerExchange`): awaiting the client-first message -> awaiting the
 * client-final message -> done (or failed: any error ends the exchange).
 * @module
 */
import { fromBase64, toBase64 } from "../util/base64.ts";
import { SaslAuthenticationError, type SaslExchange, type SaslStep } from "./types.ts";

/** The hash functions SCRAM is used with (SHA-1 only for RFC 5802's test vector). */
export type ScramHash = "SHA-1" | "SHA-256" | "SHA-512";

/** The SCRAM mechanisms the broker offers. */
export type ScramMechanism = "SCRAM-SHA-256" | "SCRAM-SHA-512";

/** Each mechanism's hash. */
export const SCRAM_HASH: Record<ScramMechanism, ScramHash> = {
  "SCRAM-SHA-256": "SHA-256",
  "SCRAM-SHA-512": "SHA-512",
};

/** Fewest iterations accepted (Kafka's minimum for both mechanisms). */
export const MIN_ITERATIONS = 4096;
/** Most iterations accepted (Kafka's maximum). */
export const MAX_ITERATIONS = 16384;

/** What is stored for one user and mechanism: never the password. */
export interface ScramCredential {
  salt: Uint8Array;
  iterations: number;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const BITS: Record<ScramHash, number> = { "SHA-1": 160, "SHA-256": 256, "SHA-512": 512 };

/** Copies into a fresh ArrayBuffer-backed array (what WebCrypto's types ask for). */
function own(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b);
}

/** Hi(password, salt, iterations): PBKDF2 with HMAC-`hash`. */
export async function saltPassword(
  password: string,
  salt: Uint8Array,
  options: { iterations: number; hash: ScramHash },
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: options.hash, salt: own(salt), iterations: options.iterations },
    key,
    BITS[options.hash],
  );
  return new Uint8Array(bits);
}

/** HMAC-`hash`(key, data). */
export async function hmac(
  hash: ScramHash,
  key: Uint8Array,
  data: Uint8Array,
): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", own(key), { name: "HMAC", hash }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, own(data)));
}

/** H(data). */
export async function digest(hash: ScramHash, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(hash, own(data)));
}

/** a XOR b (equal lengths). */
export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Compares in time independent of where the arrays differ. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false; // lengths are public (the hash's size)
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** StoredKey and ServerKey from a salted password (what AlterUserScramCredentials sends). */
export async function keysFromSaltedPassword(
  hash: ScramHash,
  salted: Uint8Array,
): Promise<{ storedKey: Uint8Array; serverKey: Uint8Array }> {
  const clientKey = await hmac(hash, salted, encoder.encode("Client Key"));
  return {
    storedKey: await digest(hash, clientKey),
    serverKey: await hmac(hash, salted, encoder.encode("Server Key")),
  };
}

/** A new credential for `password` with a random 32-byte salt (or the one given). */
export async function makeCredential(
  password: string,
  options: { hash: ScramHash; iterations: number; salt?: Uint8Array },
): Promise<ScramCredential> {
  const salt = options.salt ?? crypto.getRandomValues(new Uint8Array(32));
  const salted = await saltPassword(password, salt, options);
  return {
    salt,
    iterations: options.iterations,
    ...await keysFromSaltedPassword(options.hash, salted),
  };
}

/** Whether `password` matches a stored credential (PLAIN over SCRAM credentials). */
export async function passwordMatches(
  hash: ScramHash,
  password: string,
  credential: ScramCredential,
): Promise<boolean> {
  const salted = await saltPassword(password, credential.salt, {
    iterations: credential.iterations,
    hash,
  });
  const { storedKey } = await keysFromSaltedPassword(hash, salted);
  return timingSafeEqual(storedKey, credential.storedKey);
}

/** Decodes a saslname (`=2C` is a comma, `=3D` an equals sign; any other `=` is an error). */
export function decodeSaslName(s: string): string | null {
  if (/=(?!2C|3D)/.test(s)) return null;
  return s.replaceAll("=2C", ",").replaceAll("=3D", "=");
}

/** Encodes a saslname. */
export function encodeSaslName(s: string): string {
  return s.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

/** The attributes of a message (`k=v,...`), in order; null when one is malformed. */
function attributes(s: string): [string, string][] | null {
  const out: [string, string][] = [];
  for (const part of s.split(",")) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/s.exec(part);
    if (!m) return null;
    out.push([m[1]!, m[2]!]);
  }
  return out;
}

/** A parsed client-first message. */
export interface ClientFirst {
  /** "n,," or "y,," or "n,a=<authzid>,": echoed (base64) in the client-final message. */
  gs2Header: string;
  user: string;
  nonce: string;
  bare: string;
  /** Extensions after the nonce (Kafka's `tokenauth=true`...). */
  extensions: Map<string, string>;
}

/** Parses a client-first message; throws SaslAuthenticationError when malformed. */
export function parseClientFirst(text: string): ClientFirst {
  const bad = (why: string): never => {
    throw new SaslAuthenticationError(`Invalid SCRAM client-first message: ${why}`);
  };
  const m = /^([^,]*),([^,]*),(.*)$/s.exec(text);
  if (!m) return bad("no GS2 header");
  const [, flag, authzid, bare] = m as unknown as [string, string, string, string];
  if (flag.startsWith("p")) return bad("channel binding is not supported");
  if (flag !== "n" && flag !== "y") return bad(`unknown channel binding flag ${flag}`);
  const attrs = attributes(bare) ?? bad("malformed attributes");
  const [n, r, ...rest] = attrs;
  if (n?.[0] === "m") return bad("mandatory extensions are not supported");
  if (n?.[0] !== "n" || r?.[0] !== "r") return bad("expected n=<user>,r=<nonce>");
  const user = decodeSaslName(n[1]) ?? bad("malformed user name");
  if (user === "") bad("empty user name");
  if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(r[1])) bad("malformed nonce");
  if (authzid !== "") {
    const a = authzid.startsWith("a=") ? decodeSaslName(authzid.slice(2)) : null;
    if (a !== user) bad("authorization id differs from the user name");
  }
  return {
    gs2Header: `${flag},${authzid},`,
    user,
    nonce: r[1],
    bare,
    extensions: new Map(rest),
  };
}

/** A parsed client-final message. */
export interface ClientFinal {
  channelBinding: string;
  nonce: string;
  proof: Uint8Array;
  /** The message up to (without) ",p=...": part of the AuthMessage. */
  withoutProof: string;
}

/** Parses a client-final message; throws SaslAuthenticationError when malformed. */
export function parseClientFinal(text: string): ClientFinal {
  const bad = (why: string): never => {
    throw new SaslAuthenticationError(`Invalid SCRAM client-final message: ${why}`);
  };
  const at = text.lastIndexOf(",p=");
  if (at < 0) return bad("no proof");
  const attrs = attributes(text.slice(0, at)) ?? bad("malformed attributes");
  const [c, r] = attrs;
  if (c?.[0] !== "c" || r?.[0] !== "r") return bad("expected c=<binding>,r=<nonce>");
  const proof = text.slice(at + 3);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(proof)) bad("malformed proof");
  return {
    channelBinding: c[1],
    nonce: r[1],
    proof: fromBase64(proof),
    withoutProof: text.slice(0, at),
  };
}

/** How the server side of an exchange finds credentials and makes nonces. */
export interface ScramServerOptions {
  hash: ScramHash;
  /** The user's credential for this mechanism, or null when there is none. */
  lookup(user: string): Promise<ScramCredential | null>;
  /**
   * A credential to run the exchange with when the user has none, so an unknown user fails at
   * the same step, after the same work, as a wrong password (no user enumeration).
   */
  decoy(user: string): Promise<ScramCredential>;
  /** The server's part of the nonce (default: 24 random bytes, base64). */
  nonce?(): string;
}

/** The server's side of one SCRAM exchange (two client messages). */
export class ScramServerExchange implements SaslExchange {
  private state: "first" | "final" | "done" = "first";
  private first: ClientFirst | null = null;
  private serverFirst = "";
  private nonce = "";
  private credential: ScramCredential | null = null;
  private known = false;

  constructor(private readonly options: ScramServerOptions) {}

  /** The user named so far (for logs), or null before the client-first message. */
  get user(): string | null {
    return this.first?.user ?? null;
  }

  /** Takes one client message and answers it. */
  async step(token: Uint8Array): Promise<SaslStep> {
    const state = this.state;
    this.state = "done"; // any error ends the exchange; a step that succeeds moves it on
    if (state === "done") {
      throw new SaslAuthenticationError("Invalid SCRAM exchange: it is already complete");
    }
    let text: string;
    try {
      text = decoder.decode(token);
    } catch {
      throw new SaslAuthenticationError("Invalid SCRAM message: not UTF-8");
    }
    return state === "first" ? await this.onFirst(text) : await this.onFinal(text);
  }

  private async onFirst(text: string): Promise<SaslStep> {
    const first = parseClientFirst(text);
    this.first = first;
    if (first.extensions.get("tokenauth") === "true") {
      throw new SaslAuthenticationError(
        "Cannot authenticate with a delegation token: not supported",
      );
    }
    const found = await this.options.lookup(first.user);
    this.known = found !== null;
    const credential = found ?? await this.options.decoy(first.user);
    this.credential = credential;
    const ours = this.options.nonce?.() ?? toBase64(crypto.getRandomValues(new Uint8Array(24)));
    this.nonce = first.nonce + ours;
    this.serverFirst = `r=${this.nonce},s=${toBase64(credential.salt)},i=${credential.iterations}`;
    this.state = "final";
    return { done: false, response: encoder.encode(this.serverFirst) };
  }

  private async onFinal(text: string): Promise<SaslStep> {
    const first = this.first!;
    const credential = this.credential!;
    const final = parseClientFinal(text);
    if (final.channelBinding !== toBase64(encoder.encode(first.gs2Header))) {
      throw new SaslAuthenticationError(
        "Invalid SCRAM client-final message: channel binding differs",
      );
    }
    // Ends with, as Apache Kafka checks: librdkafka 2.0 (Debian's kcat) repeats the client's nonce.
    if (!final.nonce.endsWith(this.nonce)) {
      throw new SaslAuthenticationError("Invalid SCRAM client-final message: nonce differs");
    }
    const hash = this.options.hash;
    const authMessage = encoder.encode(`${first.bare},${this.serverFirst},${final.withoutProof}`);
    const signature = await hmac(hash, credential.storedKey, authMessage);
    const ok = final.proof.length === signature.length &&
      timingSafeEqual(await digest(hash, xor(final.proof, signature)), credential.storedKey);
    if (!ok || !this.known) {
      throw new SaslAuthenticationError(
        this.known ? "invalid credentials" : "unknown user",
        { user: first.user, invalidCredentials: true },
      );
    }
    const serverSignature = await hmac(hash, credential.serverKey, authMessage);
    return {
      done: true,
      user: first.user,
      response: encoder.encode(`v=${toBase64(serverSignature)}`),
    };
  }
}

/** The client's side of SCRAM (our test client and benchmark log in with it). */
export class ScramClient {
  private readonly nonce: string;
  private bare = "";
  private serverSignature: Uint8Array | null = null;

  constructor(
    private readonly user: string,
    private readonly password: string,
    private readonly hash: ScramHash,
    nonce?: string,
  ) {
    this.nonce = nonce ?? toBase64(crypto.getRandomValues(new Uint8Array(18)));
  }

  /** The client-first message. */
  first(): Uint8Array {
    this.bare = `n=${encodeSaslName(this.user)},r=${this.nonce}`;
    return encoder.encode(`n,,${this.bare}`);
  }

  /** The client-final message for the server-first message. */
  async final(serverFirst: Uint8Array): Promise<Uint8Array> {
    const text = decoder.decode(serverFirst);
    const attrs = new Map(attributes(text) ?? []);
    const nonce = attrs.get("r") ?? "";
    if (!nonce.startsWith(this.nonce)) {
      throw new Error("Cannot log in: the server's nonce is wrong");
    }
    const salt = fromBase64(attrs.get("s") ?? "");
    const iterations = Number(attrs.get("i"));
    const salted = await saltPassword(this.password, salt, { iterations, hash: this.hash });
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = encoder.encode(`${this.bare},${text},${withoutProof}`);
    const clientKey = await hmac(this.hash, salted, encoder.encode("Client Key"));
    const storedKey = await digest(this.hash, clientKey);
    const proof = xor(clientKey, await hmac(this.hash, storedKey, authMessage));
    const serverKey = await hmac(this.hash, salted, encoder.encode("Server Key"));
    this.serverSignature = await hmac(this.hash, serverKey, authMessage);
    return encoder.encode(`${withoutProof},p=${toBase64(proof)}`);
  }

  /** Checks the server-final message; throws when the server did not know the credential. */
  verify(serverFinal: Uint8Array): void {
    const v = /^v=(.*)$/.exec(decoder.decode(serverFinal))?.[1];
    if (!v || !this.serverSignature || toBase64(this.serverSignature) !== v) {
      throw new Error("Cannot log in: the server's signature is wrong");
    }
  }
}
