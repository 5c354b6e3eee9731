/**
 * The per-connection SASL session state machine: what it admits before and after logging in,
 * every handshake and authenticate out of order, failures (delayed, reported without secrets,
 * closing), raw v0 tokens, and session expiry with re-authentication (KIP-368) on a clock the
 * test controls.
 */
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { makeCredential, ScramClient, type ScramCredential } from "../auth/scram.ts";
import { createDecoys, type CredentialLookup } from "../auth/sasl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { type AuthenticationEvent, SaslSession, type SaslSessionOptions } from "./sasl_session.ts";

const enc = new TextEncoder();
const creds = new Map<string, ScramCredential>();
for (const [user, pw] of [["alice", "a-pw"], ["bob", "b-pw"]]) {
  creds.set(
    `${user}/SCRAM-SHA-256`,
    await makeCredential(pw!, { hash: "SHA-256", iterations: 4096 }),
  );
}
const lookup: CredentialLookup = { get: (u, m) => Promise.resolve(creds.get(`${u}/${m}`) ?? null) };

function session(o: Partial<SaslSessionOptions> & { clock?: { now: number } } = {}) {
  const events: AuthenticationEvent[] = [];
  const s = new SaslSession({
    mechanisms: ["SCRAM-SHA-256", "PLAIN"],
    deps: { credentials: lookup, decoys: createDecoys() },
    sessionLifetimeMs: 0,
    failureDelayMs: 1,
    remote: "10.0.0.9:4242",
    onAuthentication: (e) => events.push(e),
    now: o.clock ? () => o.clock!.now : undefined,
    ...o,
  });
  return { s, events };
}

/** A full SCRAM-SHA-256 login over SaslAuthenticate v2; the last answer. */
async function scramLogin(s: SaslSession, user: string, password: string) {
  assertEquals(s.handshake("SCRAM-SHA-256", 1).errorCode, 0);
  const c = new ScramClient(user, password, "SHA-256");
  const first = await s.authenticate(c.first(), 2);
  assertEquals(first.errorCode, 0);
  return await s.authenticate(await c.final(first.authBytes), 2);
}

Deno.test("sasl session: before login only ApiVersions, SaslHandshake and SaslAuthenticate are admitted", () => {
  const { s } = session();
  assertEquals([s.admit(18, "ApiVersions"), s.admit(17, "SaslHandshake"), s.admit(36, "x")], [
    null,
    null,
    null,
  ]);
  assertEquals(
    s.admit(3, "Metadata"),
    "Cannot serve Metadata before SASL authentication completes",
  );
  assertEquals(s.admit(0, "Produce"), "Cannot serve Produce before SASL authentication completes");
  assertEquals(s.principal, null);
});

Deno.test("sasl session: SCRAM login sets the principal and admits everything; the lifetime is returned", async () => {
  const { s, events } = session({ sessionLifetimeMs: 60_000 });
  const last = await scramLogin(s, "alice", "a-pw");
  assertEquals([last.errorCode, last.sessionLifetimeMs], [0, 60_000]);
  assertEquals(s.principal, "User:alice");
  assertEquals(s.admit(0, "Produce"), null);
  assertEquals(s.closeReason, null);
  assertEquals(events.map((e) => [e.outcome, e.user, e.mechanism]), [[
    "success",
    "alice",
    "SCRAM-SHA-256",
  ]]);
  const again = await s.authenticate(new Uint8Array(), 2);
  assertEquals(again.errorCode, ErrorCode.ILLEGAL_SASL_STATE, "authenticate after login");
  assertEquals(s.closeReason, null, "answered, not closed, as Kafka does");
});

Deno.test("sasl session: a wrong password answers SASL_AUTHENTICATION_FAILED after the delay, is reported without secrets, and closes", async () => {
  const { s, events } = session({ failureDelayMs: 50 });
  const started = performance.now();
  const last = await scramLogin(s, "alice", "wrong-password");
  assert(performance.now() - started >= 45, "the failure waited for the delay");
  assertEquals(last.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assertEquals(
    last.errorMessage,
    "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256",
  );
  assertEquals(s.closeReason, "SASL authentication failed (SCRAM-SHA-256)");
  assertEquals(s.principal, null);
  assertEquals(s.admit(3, "Metadata") !== null, true);
  assertEquals(events.length, 1);
  const e = events[0]!;
  assertEquals([e.outcome, e.user, e.remote, e.reason], [
    "failure",
    "alice",
    "10.0.0.9:4242",
    "invalid credentials",
  ]);
  assert(!JSON.stringify(events).includes("wrong-password"), "no password in the event");
  const unknown = session();
  assertEquals(
    (await scramLogin(unknown.s, "nobody", "x")).errorCode,
    ErrorCode.SASL_AUTHENTICATION_FAILED,
  );
  assertEquals(unknown.events[0]!.reason, "unknown user");
});

Deno.test("sasl session: handshakes and authentications out of order are refused and close", async () => {
  const none = session();
  const r = await none.s.authenticate(new Uint8Array(), 1);
  assertEquals(r.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  assertEquals(none.s.closeReason, "Cannot handle SaslAuthenticate before a SaslHandshake v1");

  const unsupported = session();
  assertEquals(unsupported.s.handshake("SCRAM-SHA-512", 1), {
    errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
    mechanisms: ["SCRAM-SHA-256", "PLAIN"],
  });
  assertEquals(
    unsupported.s.closeReason,
    'Cannot authenticate with SASL mechanism "SCRAM-SHA-512": not enabled',
  );

  const twice = session();
  assertEquals(twice.s.handshake("PLAIN", 1).errorCode, 0);
  assertEquals(twice.s.handshake("PLAIN", 1).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  assertEquals(twice.s.closeReason, "Cannot handle SaslHandshake in SASL state exchange");

  const raw = session();
  assertEquals(raw.s.handshake("PLAIN", 0).errorCode, 0);
  assertEquals(
    (await raw.s.authenticate(enc.encode("\0alice\0a-pw"), 0)).errorCode,
    ErrorCode.ILLEGAL_SASL_STATE,
  );
  assert(raw.s.closeReason !== null, "SaslAuthenticate after a v0 handshake");

  const malformed = session();
  malformed.s.handshake("PLAIN", 1);
  const bad = await malformed.s.authenticate(enc.encode("no-nul-bytes"), 1);
  assertEquals(bad.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assertEquals(
    bad.errorMessage,
    "Authentication failed: Invalid PLAIN message: expected authzid, user, password",
  );
});

Deno.test("sasl session: after a v0 handshake raw tokens carry the exchange (PLAIN and SCRAM)", async () => {
  const plain = session();
  plain.s.handshake("PLAIN", 0);
  assert(plain.s.expectsRawToken);
  assertEquals(await plain.s.rawToken(enc.encode("\0alice\0a-pw")), new Uint8Array(0));
  assertEquals([plain.s.expectsRawToken, plain.s.principal], [false, "User:alice"]);
  assertEquals(
    plain.s.handshake("PLAIN", 1).errorCode,
    ErrorCode.ILLEGAL_SASL_STATE,
    "no re-auth after v0",
  );

  const scram = session();
  scram.s.handshake("SCRAM-SHA-256", 0);
  const c = new ScramClient("bob", "b-pw", "SHA-256");
  const serverFirst = await scram.s.rawToken(c.first());
  const serverFinal = await scram.s.rawToken(await c.final(serverFirst!));
  c.verify(serverFinal!);
  assertEquals(scram.s.principal, "User:bob");

  const wrong = session();
  wrong.s.handshake("PLAIN", 0);
  assertEquals(await wrong.s.rawToken(enc.encode("\0alice\0nope")), null, "a failure closes");
  assertEquals(wrong.events[0]!.outcome, "failure");
});

Deno.test("sasl session: past its lifetime a session admits only re-authentication, which renews it", async () => {
  const clock = { now: 1_000 };
  const { s, events } = session({ sessionLifetimeMs: 500, clock });
  await scramLogin(s, "alice", "a-pw");
  clock.now = 1_499;
  assertEquals(s.admit(0, "Produce"), null);
  clock.now = 1_500;
  assertEquals(
    s.admit(0, "Produce"),
    "Cannot serve Produce: the SASL session expired and the client did not re-authenticate",
  );
  assertEquals(s.admit(18, "ApiVersions") !== null, true);
  const renewed = await scramLogin(s, "alice", "a-pw");
  assertEquals([renewed.errorCode, renewed.sessionLifetimeMs], [0, 500]);
  assertEquals(s.admit(0, "Produce"), null);
  clock.now = 2_000;
  assertEquals(s.admit(0, "Produce") !== null, true, "the new session ends 500 ms after renewal");
  assertEquals(events.map((e) => e.reauthentication), [false, true]);

  const other = session({ sessionLifetimeMs: 500, clock });
  await scramLogin(other.s, "alice", "a-pw");
  const changed = await scramLogin(other.s, "bob", "b-pw");
  assertEquals(changed.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert(
    other.events[1]!.reason!.includes("Cannot change the principal from User:alice to User:bob"),
  );

  const mech = session({ sessionLifetimeMs: 500, clock });
  await scramLogin(mech.s, "alice", "a-pw");
  assertEquals(mech.s.handshake("PLAIN", 1).errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  assertEquals(
    mech.s.closeReason,
    "Cannot re-authenticate with PLAIN: the session used SCRAM-SHA-256",
  );
});

Deno.test("sasl session: a credential store that fails is an error, not a failed login", async () => {
  const broken: CredentialLookup = { get: () => Promise.reject(new Error("etcd unreachable")) };
  const { s, events } = session({ deps: { credentials: broken, decoys: createDecoys() } });
  s.handshake("PLAIN", 1);
  await assertRejects(
    () => s.authenticate(enc.encode("\0alice\0a-pw"), 1),
    Error,
    "etcd unreachable",
  );
  assertEquals(events.map((e) => e.outcome), ["error"]);
});
