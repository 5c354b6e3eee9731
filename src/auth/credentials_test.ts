/**
 * The credential port on the memory metadata store, and PLAIN checked against stored SCRAM
 * credentials: right and wrong passwords, unknown users, malformed messages.
 */
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { keys } from "../metadata/records.ts";
import { checkCredential, MetadataCredentialStore } from "./credentials.ts";
import { makeCredential } from "./scram.ts";
import { createDecoys, SaslAuthenticationError, startExchange } from "./sasl.ts";

const enc = new TextEncoder();

Deno.test("credentials: put, get, list and delete, keyed safely whatever the name", async () => {
  const meta = new MemoryMetadataStore();
  const store = new MetadataCredentialStore(meta, () => 42);
  // The password has characters base64 never uses, so the stored salt and keys cannot
  // contain it by chance (a "pw" appears in random base64 one time in twenty).
  const c = await makeCredential("my pw!", { hash: "SHA-512", iterations: 8192 });
  await store.put("a/b c", "SCRAM-SHA-512", c);
  await store.put(
    "alice",
    "SCRAM-SHA-256",
    await makeCredential("pw", { hash: "SHA-256", iterations: 4096 }),
  );
  assertEquals(await store.get("a/b c", "SCRAM-SHA-256"), null);
  const got = await store.get("a/b c", "SCRAM-SHA-512");
  assertEquals(got, c);
  assert(await meta.get("users/a%2Fb%20c/SCRAM-SHA-512"), "URI-encoded key");
  assertEquals(await store.list(), [
    { user: "a/b c", mechanism: "SCRAM-SHA-512", iterations: 8192 },
    { user: "alice", mechanism: "SCRAM-SHA-256", iterations: 4096 },
  ]);
  assertEquals(await store.delete("alice", "SCRAM-SHA-256"), true);
  assertEquals(await store.delete("alice", "SCRAM-SHA-256"), false);
  assertEquals((await store.list()).map((i) => i.user), ["a/b c"]);
  const raw = new TextDecoder().decode(
    (await meta.get(keys.userCredential("a/b c", "SCRAM-SHA-512")))!.value,
  );
  assert(!raw.includes("my pw!"), "no password is stored");
  await meta.close();
});

Deno.test("credentials: out-of-bounds iterations, empty salts or names and wrong key sizes are refused", async () => {
  const store = new MetadataCredentialStore(new MemoryMetadataStore());
  const c = await makeCredential("pw", { hash: "SHA-256", iterations: 4096 });
  assertEquals(checkCredential("u", "SCRAM-SHA-256", c), null);
  assertEquals(checkCredential("", "SCRAM-SHA-256", c), "the user name is empty");
  assertEquals(
    checkCredential("u", "SCRAM-SHA-256", { ...c, iterations: 4095 }),
    "4095 iterations are too few for SCRAM-SHA-256 (at least 4096)",
  );
  assertEquals(
    checkCredential("u", "SCRAM-SHA-256", { ...c, iterations: 16385 }),
    "16385 iterations are too many for SCRAM-SHA-256 (at most 16384)",
  );
  assertEquals(
    checkCredential("u", "SCRAM-SHA-256", { ...c, salt: new Uint8Array() }),
    "the salt is empty",
  );
  assertEquals(
    checkCredential("u", "SCRAM-SHA-512", c),
    "the keys are not 64 bytes, the size of SCRAM-SHA-512's hash",
  );
  await assertRejects(
    () => store.put("u", "SCRAM-SHA-256", { ...c, iterations: 10 }),
    RangeError,
    "Cannot store SCRAM-SHA-256 credential of u: 10 iterations are too few",
  );
});

Deno.test("PLAIN: the right password logs in against either SCRAM credential; anything else fails", async () => {
  const store = new MetadataCredentialStore(new MemoryMetadataStore());
  await store.put(
    "alice",
    "SCRAM-SHA-256",
    await makeCredential("a-pw", { hash: "SHA-256", iterations: 4096 }),
  );
  await store.put(
    "bob",
    "SCRAM-SHA-512",
    await makeCredential("b-pw", { hash: "SHA-512", iterations: 4096 }),
  );
  const deps = { credentials: store, decoys: createDecoys() };
  const plain = (msg: string) => startExchange("PLAIN", deps).step(enc.encode(msg));
  for (const [msg, user] of [["\0alice\0a-pw", "alice"], ["bob\0bob\0b-pw", "bob"]]) {
    const r = await plain(msg!);
    assertEquals(r.done && [r.user, r.response.length], [user, 0]);
  }
  const fails: [string, string, boolean][] = [
    ["\0alice\0wrong", "invalid credentials", true],
    ["\0carol\0a-pw", "unknown user", true],
    ["alice\0a-pw", "expected authzid, user, password", false],
    ["\0\0a-pw", "empty user name or password", false],
    ["\0alice\0", "empty user name or password", false],
    ["bob\0alice\0a-pw", "authorization id differs", false],
  ];
  for (const [msg, why, invalid] of fails) {
    const e = await assertRejects(() => plain(msg), SaslAuthenticationError, why);
    assertEquals(e.invalidCredentials, invalid, msg);
  }
  await assertRejects(
    () => startExchange("PLAIN", deps).step(new Uint8Array([0xc3])),
    SaslAuthenticationError,
    "not UTF-8",
  );
  const once = startExchange("PLAIN", deps);
  await once.step(enc.encode("\0alice\0a-pw"));
  await assertRejects(
    () => once.step(enc.encode("\0alice\0a-pw")),
    SaslAuthenticationError,
    "already complete",
  );
});
