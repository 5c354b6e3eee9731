/**
 * An in-process broker enforcing ACLs (KAFSCALE_AUTHORIZER=acl) on one SASL_PLAINTEXT listener,
 * with users created before clients connect (`admin` is the super user), logins over our own
 * client, and ACLs granted and revoked through CreateAcls/DeleteAcls as an admin tool would.
 * @module
 */
import { parseConfig } from "../src/config/config.ts";
import { type RunningBroker, startBroker } from "../src/cli/broker.ts";
import { silentLogger } from "../src/metrics/logger.ts";
import { KafkaConnection } from "../src/client/connection.ts";
import { makeCredential } from "../src/auth/scram.ts";
import {
  type Operation,
  OPERATION_CODES,
  PATTERN_TYPE_CODES,
  type PatternType,
  RESOURCE_TYPE_CODES,
  type ResourceType,
} from "../src/auth/acl.ts";
import { CreateAcls, type CreateAclsResponse } from "../src/protocol/messages/30_create_acls.ts";
import { DeleteAcls, type DeleteAclsResponse } from "../src/protocol/messages/31_delete_acls.ts";

/** One ACL to grant: ALLOW unless said, from any host, LITERAL unless said. */
export interface Grant {
  type: ResourceType;
  name: string;
  op: Operation;
  principal: string;
  pattern?: PatternType;
  deny?: boolean;
  host?: string;
}

/** A running ACL broker and its users' logins. */
export interface AclBroker {
  broker: RunningBroker;
  address: string;
  /** A new connection logged in as `user` (PLAIN). */
  login(user: string): Promise<KafkaConnection>;
  /** The super user's connection. */
  admin: KafkaConnection;
  grant(...grants: Grant[]): Promise<void>;
  /** Deletes every ACL of `principal`; resolves how many. */
  revokeAll(principal: string): Promise<number>;
  close(): Promise<void>;
}

/** Users of every ACL broker (password: `<name>-secret`). */
export const USERS = ["admin", "alice", "bob", "carol"];

/** Starts the broker; `env` adds or overrides settings. */
export async function startAclBroker(env: Record<string, string> = {}): Promise<AclBroker> {
  const dataDir = await Deno.makeTempDir({ prefix: "kafscale-acl-" });
  const config = parseConfig({
    KAFSCALE_LISTENERS: "SASL_PLAINTEXT://127.0.0.1:0",
    KAFSCALE_SASL_MECHANISMS: "PLAIN,SCRAM-SHA-256",
    KAFSCALE_METRICS_ADDR: "127.0.0.1:0",
    KAFSCALE_DATA_DIR: dataDir,
    KAFSCALE_AUTHORIZER: "acl",
    KAFSCALE_SUPER_USERS: "User:admin",
    KAFSCALE_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
    ...env,
  });
  const broker = await startBroker(config, silentLogger);
  const address = `127.0.0.1:${broker.port}`;
  const connections: KafkaConnection[] = [];
  try {
    for (const user of USERS) {
      await broker.services.credentials.put(
        user,
        "SCRAM-SHA-256",
        await makeCredential(`${user}-secret`, { hash: "SHA-256", iterations: 4096 }),
      );
    }
  } catch (e) {
    await broker.stop();
    throw e;
  }
  const login = async (user: string) => {
    const c = await KafkaConnection.connect(address, `acl-test-${user}`, {
      sasl: { mechanism: "PLAIN", user, password: `${user}-secret` },
    });
    connections.push(c);
    return c;
  };
  const admin = await login("admin");
  return {
    broker,
    address,
    login,
    admin,
    async grant(...grants: Grant[]) {
      const r = await admin.request<CreateAclsResponse>(CreateAcls, 3, {
        creations: grants.map((g) => ({
          resourceType: RESOURCE_TYPE_CODES[g.type],
          resourceName: g.name,
          resourcePatternType: PATTERN_TYPE_CODES[g.pattern ?? "LITERAL"],
          principal: g.principal,
          host: g.host ?? "*",
          operation: OPERATION_CODES[g.op],
          permissionType: g.deny ? 2 : 3,
        })),
      });
      const bad = r.results.find((x) => x.errorCode !== 0);
      if (bad) throw new Error(`Cannot grant: ${bad.errorCode} ${bad.errorMessage}`);
    },
    async revokeAll(principal: string) {
      const r = await admin.request<DeleteAclsResponse>(DeleteAcls, 3, {
        filters: [{
          resourceTypeFilter: 1,
          resourceNameFilter: null,
          patternTypeFilter: 1,
          principalFilter: principal,
          hostFilter: null,
          operation: 1,
          permissionType: 1,
        }],
      });
      const f = r.filterResults[0]!;
      if (f.errorCode !== 0) throw new Error(`Cannot revoke: ${f.errorCode} ${f.errorMessage}`);
      return f.matchingAcls.length;
    },
    async close() {
      for (const c of connections) await c.close();
      await broker.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** A bit set of operations, as authorized_operations fields carry them. */
export function opBits(...ops: Operation[]): number {
  return ops.reduce((m, op) => m | (1 << OPERATION_CODES[op]), 0);
}
