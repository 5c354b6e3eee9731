/**
 * Two brokers on one etcd and s3rver with KAFSCALE_AUTHORIZER=acl: an ACL created through one
 * broker is enforced by the other within a second (its watch on `acls/`), and so is its
 * deletion; a broker started later reads the ACLs already there.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import { KafkaConnection, type SaslLogin } from "../src/client/connection.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import {
  CreateTopics,
  type CreateTopicsResponse,
} from "../src/protocol/messages/19_create_topics.ts";
import { CreateAcls, type CreateAclsResponse } from "../src/protocol/messages/30_create_acls.ts";
import { DeleteAcls, type DeleteAclsResponse } from "../src/protocol/messages/31_delete_acls.ts";
import { type BrokerProcess, freePort, removeDir, startBroker } from "./_harness.ts";
import { backendEnv, withServices } from "./_setup.ts";
import { addUser, ALICE } from "./_secure.ts";

const missing = etcdMissing() ?? s3Missing();
const ADMIN = { user: "admin", password: "admin-secret-2" };
const TOPIC_AUTHORIZATION_FAILED = 29;

/** Polls `ok` (every 10 ms) for at most `ms`; resolves how long it took, or throws. */
async function within(what: string, ms: number, ok: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await ok()) return performance.now() - started;
    const took = performance.now() - started;
    if (took > ms) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test({
  name:
    "acl cluster: an ACL created or deleted through one broker counts on the other within a second",
  ignore: missing !== undefined,
  async fn() {
    await withServices(async (etcd, s3) => {
      const scratch = await Deno.makeTempDir({ prefix: "kafscale-acl-cluster-" });
      const brokers: BrokerProcess[] = [];
      const connections: KafkaConnection[] = [];
      try {
        const shared = {
          ...backendEnv(etcd, s3),
          KAFSCALE_SASL_MECHANISMS: "SCRAM-SHA-256,SCRAM-SHA-512",
          KAFSCALE_AUTHORIZER: "acl",
          KAFSCALE_SUPER_USERS: "User:admin",
          KAFSCALE_AUTO_CREATE_TOPICS: "0",
        };
        for (const u of [ADMIN, ALICE]) await addUser(u, { dataDir: scratch, env: shared });
        const at: string[] = [];
        const start = async (id: number) => {
          const port = freePort();
          at.push(`127.0.0.1:${port}`);
          brokers.push(
            await startBroker({
              port,
              env: {
                ...shared,
                KAFSCALE_BROKER_ID: String(id),
                KAFSCALE_BROKER_LEASE_SECONDS: "3",
                KAFSCALE_LISTENERS: `SASL_PLAINTEXT://127.0.0.1:${port}`,
              },
            }),
          );
        };
        await start(1);
        await start(2);
        const login = async (address: string, who: { user: string; password: string }) => {
          const sasl: SaslLogin = { mechanism: "SCRAM-SHA-512", ...who };
          const c = await KafkaConnection.connect(address, "acl-cluster", { sasl });
          connections.push(c);
          return c;
        };
        const adminOnA = await login(at[0]!, ADMIN);
        const adminOnB = await login(at[1]!, ADMIN);
        const aliceOnB = await login(at[1]!, ALICE);
        const created = await adminOnA.request<CreateTopicsResponse>(CreateTopics, 7, {
          topics: [{
            name: "t",
            numPartitions: 1,
            replicationFactor: 1,
            assignments: [],
            configs: [],
          }],
          timeoutMs: 5000,
          validateOnly: false,
        });
        assertEquals(created.topics[0]!.errorCode, 0);
        const aliceSees = async (c: KafkaConnection) =>
          (await c.request<MetadataResponse>(Metadata, 12, {
            topics: [{ name: "t", topicId: new Uint8Array(16) }],
            allowAutoTopicCreation: false,
            includeTopicAuthorizedOperations: false,
          })).topics[0]!.errorCode !== TOPIC_AUTHORIZATION_FAILED;
        assert(!await aliceSees(aliceOnB), "no ACL yet");

        const acl = {
          resourceType: 2,
          resourceName: "t",
          resourcePatternType: 3,
          principal: "User:alice",
          host: "*",
          operation: 8,
          permissionType: 3,
        };
        const r = await adminOnA.request<CreateAclsResponse>(CreateAcls, 3, { creations: [acl] });
        assertEquals(r.results[0]!.errorCode, 0);
        const seen = await within(
          "broker 2 enforcing the new ACL",
          1000,
          () => aliceSees(aliceOnB),
        );
        console.log(`broker 2 enforced the ACL created on broker 1 after ${seen.toFixed(0)} ms`);

        // A broker started now reads the ACL at start-up.
        await start(3);
        const aliceOnC = await login(at[2]!, ALICE);
        assert(await aliceSees(aliceOnC), "broker 3 read the ACL when it started");

        const aliceOnA = await login(at[0]!, ALICE);
        const d = await adminOnB.request<DeleteAclsResponse>(DeleteAcls, 3, {
          filters: [{
            resourceTypeFilter: 2,
            resourceNameFilter: "t",
            patternTypeFilter: 3,
            principalFilter: "User:alice",
            hostFilter: "*",
            operation: 8,
            permissionType: 3,
          }],
        });
        assertEquals(d.filterResults[0]!.matchingAcls.length, 1);
        const gone = await within(
          "broker 1 lifting the deleted ACL",
          1000,
          async () => !await aliceSees(aliceOnA),
        );
        console.log(`broker 1 lifted the ACL deleted on broker 2 after ${gone.toFixed(0)} ms`);
        await within("broker 3 lifting it too", 1000, async () => !await aliceSees(aliceOnC));
      } finally {
        for (const c of connections) await c.close();
        for (const x of brokers) {
          await x.stop("SIGKILL");
          await removeDir(x.dataDir);
        }
        await removeDir(scratch);
      }
    });
  },
});
