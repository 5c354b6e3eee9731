/**
 * DescribeUserScramCredentials, AlterUserScramCredentials and DescribeClientQuotas on the
 * memory metadata store: what is stored (keys derived from the salted password, never it), every
 * per-user error Kafka defines, store failures, and the admin log line.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { MemoryMetadataStore } from "../metadata/memory.ts";
import { MetadataCredentialStore } from "../auth/credentials.ts";
import { keysFromSaltedPassword, passwordMatches, saltPassword } from "../auth/scram.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { createLogger } from "../metrics/logger.ts";
import { alterUserScramCredentialsHandler } from "./51_alter_user_scram_credentials.ts";
import { describeUserScramCredentialsHandler } from "./50_describe_user_scram_credentials.ts";
import { describeClientQuotasHandler } from "./48_describe_client_quotas.ts";
import type { RequestContext } from "./registry.ts";
import type {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
} from "../protocol/messages/51_alter_user_scram_credentials.ts";
import type { BrokerServices } from "./services.ts";
import { OpenAuthorizer } from "../auth/authorizer.ts";

const ctx: RequestContext = {
  apiKey: 51,
  apiVersion: 0,
  correlationId: 1,
  clientId: "adminclient-1",
  remote: "10.0.0.7:51234",
  connectionId: 1,
  listener: "SASL_SSL",
  principal: "User:admin",
  sasl: null,
};

function setup() {
  const meta = new MemoryMetadataStore();
  const credentials = new MetadataCredentialStore(meta);
  const lines: Record<string, unknown>[] = [];
  const services = {
    credentials,
    authorizer: new OpenAuthorizer(),
    log: createLogger("info", (l) => lines.push(JSON.parse(l))),
  } as unknown as BrokerServices;
  const alter = alterUserScramCredentialsHandler(services);
  return {
    meta,
    credentials,
    lines,
    alter: {
      handle: async (req: AlterUserScramCredentialsRequest, c: RequestContext) =>
        await alter.handle(req, c) as AlterUserScramCredentialsResponse,
    },
    describe: describeUserScramCredentialsHandler(services),
  };
}

const salt = new Uint8Array(16).fill(3);
const upsert = async (name: string, mechanism: number, password = "pw", iterations = 4096) => ({
  name,
  mechanism,
  iterations,
  salt,
  saltedPassword: await saltPassword(password, salt, {
    iterations,
    hash: mechanism === 2 ? "SHA-512" : "SHA-256",
  }),
});

Deno.test("AlterUserScramCredentials stores keys derived from the salted password, and Describe lists them", async () => {
  const s = setup();
  const u = await upsert("alice", 2, "a-pw", 8192);
  const r = await s.alter.handle(
    { deletions: [], upsertions: [u, await upsert("bob", 1)] },
    ctx,
  );
  assertEquals(r.results, [
    { user: "alice", errorCode: 0, errorMessage: null },
    { user: "bob", errorCode: 0, errorMessage: null },
  ]);
  const stored = (await s.credentials.get("alice", "SCRAM-SHA-512"))!;
  assertEquals(
    stored.storedKey,
    (await keysFromSaltedPassword("SHA-512", u.saltedPassword)).storedKey,
  );
  assertEquals(await passwordMatches("SHA-512", "a-pw", stored), true);
  const raw = JSON.stringify(
    (await s.meta.getPrefix("users/")).map((e) => new TextDecoder().decode(e.value)),
  );
  assert(
    !raw.includes(btoa(String.fromCharCode(...u.saltedPassword))),
    "the salted password is not stored",
  );
  const log = s.lines.find((l) => l.user === "alice")!;
  assertEquals([log.msg, log.principal, log.remote, log.upserted], [
    "SCRAM credentials altered",
    "User:admin",
    "10.0.0.7:51234",
    ["SCRAM-SHA-512"],
  ]);
  const all = await s.describe.handle({ users: null }, ctx);
  assertEquals(all, {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    results: [
      {
        user: "alice",
        errorCode: 0,
        errorMessage: null,
        credentialInfos: [{ mechanism: 2, iterations: 8192 }],
      },
      {
        user: "bob",
        errorCode: 0,
        errorMessage: null,
        credentialInfos: [{ mechanism: 1, iterations: 4096 }],
      },
    ],
  });
  assertEquals((await s.describe.handle({ users: [] }, ctx)).results.length, 2, "empty means all");
});

Deno.test("AlterUserScramCredentials: each user's operations apply only when all are valid", async () => {
  const s = setup();
  await s.alter.handle({ deletions: [], upsertions: [await upsert("keep", 1)] }, ctx);
  const r = await s.alter.handle({
    deletions: [{ name: "ghost", mechanism: 1 }, { name: "twice", mechanism: 1 }],
    upsertions: [
      await upsert("", 1),
      await upsert("mech", 0),
      await upsert("mech3", 3),
      await upsert("twice", 1),
      { ...await upsert("few", 1), iterations: 4095 },
      { ...await upsert("many", 1), iterations: 16385 },
      { ...await upsert("nosalt", 1), salt: new Uint8Array() },
      { ...await upsert("nopw", 1), saltedPassword: new Uint8Array() },
      await upsert("keep", 2),
    ],
  }, ctx);
  const by = Object.fromEntries(r.results.map((x) => [x.user, [x.errorCode, x.errorMessage]]));
  assertEquals(by, {
    ghost: [
      ErrorCode.RESOURCE_NOT_FOUND,
      "Attempt to delete a user credential that does not exist",
    ],
    twice: [
      ErrorCode.DUPLICATE_RESOURCE,
      "A user credential cannot be altered twice in the same request",
    ],
    "": [ErrorCode.UNACCEPTABLE_CREDENTIAL, "Username must not be empty"],
    mech: [ErrorCode.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism"],
    mech3: [ErrorCode.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism"],
    few: [
      ErrorCode.UNACCEPTABLE_CREDENTIAL,
      "Cannot accept the credential: 4095 iterations are too few for SCRAM-SHA-256 (at least 4096)",
    ],
    many: [
      ErrorCode.UNACCEPTABLE_CREDENTIAL,
      "Cannot accept the credential: 16385 iterations are too many for SCRAM-SHA-256 (at most 16384)",
    ],
    nosalt: [ErrorCode.UNACCEPTABLE_CREDENTIAL, "Cannot accept the credential: the salt is empty"],
    nopw: [
      ErrorCode.UNACCEPTABLE_CREDENTIAL,
      "Cannot accept the credential: the salted password is empty",
    ],
    keep: [0, null],
  });
  assertEquals((await s.credentials.list()).map((c) => `${c.user} ${c.mechanism}`), [
    "keep SCRAM-SHA-256",
    "keep SCRAM-SHA-512",
  ], "nothing of a failed user was applied");
});

Deno.test("DescribeUserScramCredentials: unknown and duplicated users, and a store that fails", async () => {
  const s = setup();
  await s.alter.handle({ deletions: [], upsertions: [await upsert("alice", 1)] }, ctx);
  const r = await s.describe.handle({
    users: [{ name: "alice" }, { name: "nobody" }, { name: "alice" }],
  }, ctx);
  assertEquals(r.results, [
    {
      user: "alice",
      errorCode: ErrorCode.DUPLICATE_RESOURCE,
      errorMessage: "Cannot describe SCRAM credentials for the same user twice in a single request",
      credentialInfos: [],
    },
    {
      user: "nobody",
      errorCode: ErrorCode.RESOURCE_NOT_FOUND,
      errorMessage: "Attempt to describe nonexistent user",
      credentialInfos: [],
    },
  ]);
  await s.meta.close();
  const broken = {
    credentials: {
      list: () => Promise.reject(new Error("etcd unreachable")),
      get: () => Promise.reject(new Error("etcd unreachable")),
    },
    authorizer: new OpenAuthorizer(),
    log: createLogger("error", () => {}),
  } as unknown as BrokerServices;
  const d = await describeUserScramCredentialsHandler(broken).handle({ users: null }, ctx);
  assertEquals([d.errorCode, d.errorMessage], [
    ErrorCode.COORDINATOR_NOT_AVAILABLE,
    "Cannot read credentials: etcd unreachable",
  ]);
  const a = await alterUserScramCredentialsHandler(broken).handle({
    deletions: [{ name: "x", mechanism: 1 }],
    upsertions: [],
  }, ctx);
  assertEquals(a.results, [{
    user: "x",
    errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
    errorMessage: "Cannot store credentials: etcd unreachable",
  }]);
});

Deno.test("DescribeClientQuotas: no quotas exist; a bad filter is INVALID_REQUEST", () => {
  const h = describeClientQuotasHandler(
    { authorizer: new OpenAuthorizer() } as unknown as BrokerServices,
  );
  const ok = h.handle({
    components: [{ entityType: "user", matchType: 2, match: null }],
    strict: false,
  }, ctx);
  assertEquals(ok, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, entries: [] });
  const badType = h.handle({
    components: [{ entityType: "topic", matchType: 0, match: "x" }],
    strict: false,
  }, ctx);
  assertEquals([badType.errorCode, badType.errorMessage], [
    ErrorCode.INVALID_REQUEST,
    "Unknown entity type topic",
  ]);
  const badMatch = h.handle({
    components: [{ entityType: "user", matchType: 7, match: "x" }],
    strict: false,
  }, ctx);
  assertEquals([badMatch.errorCode, badMatch.errorMessage], [
    ErrorCode.INVALID_REQUEST,
    "Unknown match type 7",
  ]);
});
