/**
 * Two brokers on one etcd and s3rver, each with a SASL_PLAINTEXT and a PLAINTEXT listener:
 * `kafscale users add` writes the first user straight into etcd before any broker starts; a
 * user added through one broker (AlterUserScramCredentials) logs in on the other at once, and
 * one deleted there is refused there at once; each listener's clients get both brokers at that
 * listener's addresses (Metadata, FindCoordinator, DescribeCluster).
 */
import { assertEquals, assertRejects } from "../src/testing/assert.ts";
import { etcdMissing, s3Missing } from "../src/testing/services.ts";
import { KafkaConnection, type SaslLogin } from "../src/client/connection.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import {
  FindCoordinator,
  type FindCoordinatorResponse,
} from "../src/protocol/messages/10_find_coordinator.ts";
import {
  DescribeCluster,
  type DescribeClusterResponse,
} from "../src/protocol/messages/60_describe_cluster.ts";
import {
  AlterUserScramCredentials,
  type AlterUserScramCredentialsResponse,
} from "../src/protocol/messages/51_alter_user_scram_credentials.ts";
import { saltPassword } from "../src/auth/scram.ts";
import { type BrokerProcess, freePort, removeDir, startBroker, until } from "./_harness.ts";
import { backendEnv, withServices } from "./_setup.ts";
import { addUser, ALICE } from "./_secure.ts";

const missing = etcdMissing() ?? s3Missing();

Deno.test({
  name:
    "security cluster: users are shared through etcd at once, and each listener's clients see both brokers at that listener",
  ignore: missing !== undefined,
  async fn() {
    await withServices(async (etcd, s3) => {
      const scratch = await Deno.makeTempDir({ prefix: "kafscale-users-cli-" });
      const brokers: BrokerProcess[] = [];
      const at: { sasl: string; plain: string }[] = [];
      try {
        const shared = {
          ...backendEnv(etcd, s3),
          KAFSCALE_SASL_MECHANISMS: "SCRAM-SHA-256,SCRAM-SHA-512",
        };
        await addUser(ALICE, { dataDir: scratch, env: shared }); // straight into etcd
        for (const id of [1, 2]) {
          const [sasl, plain] = [freePort(), freePort()];
          at.push({ sasl: `127.0.0.1:${sasl}`, plain: `127.0.0.1:${plain}` });
          brokers.push(
            await startBroker({
              port: sasl,
              env: {
                ...shared,
                KAFSCALE_BROKER_ID: String(id),
                KAFSCALE_BROKER_LEASE_SECONDS: "3",
                KAFSCALE_LISTENERS:
                  `SASL_PLAINTEXT://127.0.0.1:${sasl},PLAINTEXT://127.0.0.1:${plain}`,
              },
            }),
          );
        }
        const [a, b] = at as [typeof at[0], typeof at[0]];
        const alice: SaslLogin = { mechanism: "SCRAM-SHA-512", ...ALICE };
        const onA = await KafkaConnection.connect(a.sasl, "t", { sasl: alice });
        const onB = await KafkaConnection.connect(b.sasl, "t", { sasl: alice });
        try {
          const md = {
            topics: null,
            allowAutoTopicCreation: false,
            includeClusterAuthorizedOperations: false,
            includeTopicAuthorizedOperations: false,
          };
          const seen = await until(
            "both brokers",
            () => onB.request<MetadataResponse>(Metadata, 12, md),
            (m) => m.brokers.length === 2,
          );
          assertEquals(seen.brokers.map((x) => `${x.nodeId} ${x.host}:${x.port}`), [
            `1 ${a.sasl}`,
            `2 ${b.sasl}`,
          ]);
          const plain = await KafkaConnection.connect(a.plain);
          const pm = await until(
            "both brokers",
            () => plain.request<MetadataResponse>(Metadata, 12, md),
            (m) => m.brokers.length === 2,
          );
          assertEquals(pm.brokers.map((x) => `${x.host}:${x.port}`), [a.plain, b.plain]);
          const dc = await plain.request<DescribeClusterResponse>(DescribeCluster, 1, {
            includeClusterAuthorizedOperations: false,
            endpointType: 1,
          });
          assertEquals(dc.brokers.map((x) => `${x.host}:${x.port}`), [a.plain, b.plain]);
          const fc = await plain.request<FindCoordinatorResponse>(FindCoordinator, 4, {
            keyType: 0,
            coordinatorKeys: ["g1", "g2", "g3", "g4"],
          });
          const fcs = await onA.request<FindCoordinatorResponse>(FindCoordinator, 4, {
            keyType: 0,
            coordinatorKeys: ["g1", "g2", "g3", "g4"],
          });
          for (const [i, c] of fc.coordinators!.entries()) {
            const byId = (list: typeof at) => list[c.nodeId! - 1]!;
            assertEquals(`${c.host}:${c.port}`, byId(at).plain);
            assertEquals(
              `${fcs.coordinators![i]!.host}:${fcs.coordinators![i]!.port}`,
              byId(at).sasl,
            );
          }
          await plain.close();

          // A user added through broker 1 logs in on broker 2 at once (read at every login).
          const salt = crypto.getRandomValues(new Uint8Array(16));
          const saltedPassword = await saltPassword("erin-secret", salt, {
            iterations: 4096,
            hash: "SHA-256",
          });
          const added = await onA.request<AlterUserScramCredentialsResponse>(
            AlterUserScramCredentials,
            0,
            {
              deletions: [],
              upsertions: [{ name: "erin", mechanism: 1, iterations: 4096, salt, saltedPassword }],
            },
          );
          assertEquals(added.results, [{ user: "erin", errorCode: 0, errorMessage: null }]);
          const erin: SaslLogin = {
            mechanism: "SCRAM-SHA-256",
            user: "erin",
            password: "erin-secret",
          };
          (await KafkaConnection.connect(b.sasl, "t", { sasl: erin })).close();

          const removed = await onB.request<AlterUserScramCredentialsResponse>(
            AlterUserScramCredentials,
            0,
            {
              deletions: [{ name: "erin", mechanism: 1 }],
              upsertions: [],
            },
          );
          assertEquals(removed.results[0]!.errorCode, 0);
          await assertRejects(
            () => KafkaConnection.connect(a.sasl, "t", { sasl: erin }),
            Error,
            "SASL_AUTHENTICATION_FAILED",
          );
        } finally {
          await onA.close();
          await onB.close();
        }
      } finally {
        for (const x of brokers) {
          await x.stop("SIGKILL");
          await removeDir(x.dataDir);
        }
        await removeDir(scratch);
      }
    });
  },
});
