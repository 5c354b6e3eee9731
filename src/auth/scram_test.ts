/**
 * SCRAM against the RFCs' own exchanges (RFC 7677 for SHA-256, RFC 5802's SHA-1 example run
 * through the same code), our client against our server for both mechanisms, and every way a
 * client message can be wrong.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "../testing/assert.ts";
import { fromBase64 } from "../util/base64.ts";
import {
  decodeSaslName,
  encodeSaslName,
  makeCredential,
  parseClientFirst,
  passwordMatches,
  ScramClient,
  type ScramCredential,
  type ScramHash,
  ScramServerExchange,
} from "./scram.ts";
import { SaslAuthenticationError } from "./types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function server(
  hash: ScramHash,
  users: Record<string, ScramCredential>,
  nonce?: string,
): ScramServerExchange {
  return new ScramServerExchange({
    hash,
    lookup: (u) => Promise.resolve(users[u] ?? null),
    decoy: () =>
      makeCredential("decoy", { hash, iterations: 4096, salt: new Uint8Array(16).fill(7) }),
    nonce: nonce === undefined ? undefined : () => nonce,
  });
}

/** Runs an RFC's example exchange message by message. */
async function rfcExchange(v: {
  hash: ScramHash;
  salt: string;
  serverNonce: string;
  clientFirst: string;
  serverFirst: string;
  clientFinal: string;
  serverFinal: string;
}): Promise<void> {
  const credential = await makeCredential("pencil", {
    hash: v.hash,
    iterations: 4096,
    salt: fromBase64(v.salt),
  });
  const s = server(v.hash, { user: credential }, v.serverNonce);
  const first = await s.step(enc.encode(v.clientFirst));
  assertEquals(dec.decode(first.response), v.serverFirst);
  assertEquals(first.done, false);
  const final = await s.step(enc.encode(v.clientFinal));
  assertEquals(dec.decode(final.response), v.serverFinal);
  assertEquals(final.done && final.user, "user");
}

Deno.test("scram: RFC 7677's SCRAM-SHA-256 example exchange, byte for byte", async () => {
  await rfcExchange({
    hash: "SHA-256",
    salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
    serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    serverFirst:
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
  });
});

Deno.test("scram: RFC 5802's SCRAM-SHA-1 example exchange through the same code", async () => {
  await rfcExchange({
    hash: "SHA-1",
    salt: "QSXCR+Q6sek8bf92",
    serverNonce: "3rfcNHYJY1ZVvWVs7j",
    clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    clientFinal:
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
  });
});

for (const hash of ["SHA-256", "SHA-512"] as const) {
  Deno.test(`scram: our client logs in to our server with SCRAM-${hash}, names with , and =`, async () => {
    const user = "a,b=c";
    const credential = await makeCredential("s3cret", { hash, iterations: 4096 });
    const s = server(hash, { [user]: credential });
    const c = new ScramClient(user, "s3cret", hash);
    const first = await s.step(c.first());
    assert(!first.done);
    const final = await s.step(await c.final(first.response));
    assert(final.done);
    assertEquals(final.user, user);
    c.verify(final.response);
  });
}

Deno.test("scram: a wrong password and an unknown user fail alike at the final step", async () => {
  const credential = await makeCredential("right", { hash: "SHA-256", iterations: 4096 });
  for (
    const [user, password, why] of [["alice", "wrong", "invalid credentials"], [
      "nobody",
      "right",
      "unknown user",
    ]]
  ) {
    const s = server("SHA-256", { alice: credential });
    const c = new ScramClient(user!, password!, "SHA-256");
    const first = await s.step(c.first());
    assert(!first.done, "the first step never reveals whether the user exists");
    const e = await assertRejects(
      async () => await s.step(await c.final(first.response)),
      SaslAuthenticationError,
    );
    assertEquals([e.message, e.user, e.invalidCredentials], [why, user, true]);
  }
});

Deno.test("scram: malformed and out-of-order client messages are refused", async () => {
  const credential = await makeCredential("pw", { hash: "SHA-256", iterations: 4096 });
  const bad = async (messages: string[], want: string) => {
    const s = server("SHA-256", { u: credential }, "srv");
    const e = await assertRejects(async () => {
      for (const m of messages) await s.step(enc.encode(m));
    }, SaslAuthenticationError);
    assert(e.message.includes(want), `${e.message} should mention ${want}`);
  };
  await bad(["n=u,r=abc"], "no GS2 header");
  await bad(["p=tls-unique,,n=u,r=abc"], "channel binding is not supported");
  await bad(["n,,m=ext,n=u,r=abc"], "mandatory extensions");
  await bad(["n,,r=abc,n=u"], "expected n=<user>,r=<nonce>");
  await bad(["n,,n=a=b,r=abc"], "malformed user name");
  await bad(["n,,n=,r=abc"], "empty user name");
  await bad(["n,a=other,n=u,r=abc"], "authorization id differs");
  await bad(["n,,n=u,r=abc,tokenauth=true"], "delegation token");
  await bad(["n,,n=u,r=abc", "c=biws,r=abcsrv"], "no proof");
  await bad(["n,,n=u,r=abc", "c=eSws,r=abcsrv,p=AAAA"], "channel binding differs");
  await bad(["n,,n=u,r=abc", "c=biws,r=abcXXX,p=AAAA"], "nonce differs");
  await bad(["n,,n=u,r=abc", "c=biws,r=abcsrv,p=!!"], "malformed proof");
  await bad(["n,,n=u,r=abc", "c=biws,r=abcsrv,p=AAAA"], "invalid credentials");
  await bad(["\xff"], "no GS2 header");
  const s = server("SHA-256", { u: credential });
  await assertRejects(() => s.step(new Uint8Array([0xff, 0xfe])), SaslAuthenticationError, "UTF-8");
  await assertRejects(() => s.step(enc.encode("n,,n=u,r=x")), SaslAuthenticationError);
  await assertRejects(
    () => s.step(enc.encode("n,,n=u,r=x")),
    SaslAuthenticationError,
    "already complete",
  );
});

Deno.test("scram: saslnames escape , and = and refuse other = sequences", () => {
  assertEquals(encodeSaslName("a,b=c"), "a=2Cb=3Dc");
  assertEquals(decodeSaslName("a=2Cb=3Dc"), "a,b=c");
  assertEquals(decodeSaslName("a=2D"), null);
  assertEquals(parseClientFirst("y,,n=bob,r=n1").gs2Header, "y,,");
  assertEquals(parseClientFirst("n,a=bob,n=bob,r=n1").gs2Header, "n,a=bob,");
  assertThrows(() => parseClientFirst("x,,n=bob,r=n1"), SaslAuthenticationError, "flag");
  assertThrows(() => parseClientFirst("n,,n=bob,r=a,b"), SaslAuthenticationError, "malformed");
});

Deno.test("scram: a password matches the credential derived from it, and only that one", async () => {
  const c = await makeCredential("pw", { hash: "SHA-512", iterations: 4096 });
  assertEquals(await passwordMatches("SHA-512", "pw", c), true);
  assertEquals(await passwordMatches("SHA-512", "pw2", c), false);
});
