/**
 * AlterUserScramCredentials (key 51), version 0 (Java admin 3.7/4.x: `kafka-configs.sh --alter
 * --add-config 'SCRAM-SHA-256=[iterations=8192,password=...]' --entity-type users`; franz-go).
 * - Upsertions carry the salt, iterations and salted password the client computed; the broker
 *   stores salt, iterations, StoredKey and ServerKey derived from it (never the salted password)
 *   under `users/<name>/<mechanism>`. Deletions remove one mechanism's credential.
 * - One result per user named; a user's operations apply only when all of them are valid:
 *   UNACCEPTABLE_CREDENTIAL for an empty name or salt, or iterations outside 4096-16384;
 *   UNSUPPORTED_SASL_MECHANISM for a mechanism other than 1 (SCRAM-SHA-256) or 2 (SCRAM-SHA-512);
 *   DUPLICATE_RESOURCE for a user and mechanism altered twice; RESOURCE_NOT_FOUND for deleting
 *   a credential that does not exist; COORDINATOR_NOT_AVAILABLE when the store fails.
 * - Every change is an admin write, logged at info with the principal, the client's address,
 *   users and mechanisms (nothing secret).
 * - Authorization (as Kafka): ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED for every
 *   user named.
 * @module
 */
import {
  AlterUserScramCredentials,
  type AlterUserScramCredentialsRequest,
  type AlterUserScramCredentialsResponse,
} from "../protocol/messages/51_alter_user_scram_credentials.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { scramMechanismOf } from "../auth/sasl.ts";
import { keysFromSaltedPassword, SCRAM_HASH, type ScramMechanism } from "../auth/scram.ts";
import { checkCredential } from "../auth/credentials.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { ALTER_CLUSTER } from "./_checks.ts";

type Upsertion = AlterUserScramCredentialsRequest["upsertions"][number];
type Op =
  | { kind: "delete"; user: string; mechanism: ScramMechanism }
  | { kind: "upsert"; user: string; mechanism: ScramMechanism; u: Upsertion };
type Fail = { errorCode: number; errorMessage: string };

/** Builds the AlterUserScramCredentials handler. */
export function alterUserScramCredentialsHandler(services: BrokerServices): Handler {
  /** Checks one user's operations; the first problem, or the operations to apply. */
  async function plan(
    user: string,
    req: AlterUserScramCredentialsRequest,
  ): Promise<Fail | Op[]> {
    const fail = (code: number, errorMessage: string) => ({ errorCode: code, errorMessage });
    if (user === "") return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
    const ops: Op[] = [];
    const raw = [
      ...req.deletions.filter((d) => d.name === user).map((d) => ({ d, u: undefined })),
      ...req.upsertions.filter((u) => u.name === user).map((u) => ({ d: undefined, u })),
    ];
    for (const { d, u } of raw) {
      const mechanism = scramMechanismOf((d ?? u)!.mechanism);
      if (!mechanism) return fail(ErrorCode.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
      if (ops.some((o) => o.mechanism === mechanism)) {
        return fail(
          ErrorCode.DUPLICATE_RESOURCE,
          "A user credential cannot be altered twice in the same request",
        );
      }
      ops.push(u ? { kind: "upsert", user, mechanism, u } : { kind: "delete", user, mechanism });
    }
    for (const op of ops) {
      if (op.kind === "upsert") {
        const why = checkCredential(user, op.mechanism, {
          salt: op.u.salt,
          iterations: op.u.iterations,
          storedKey: new Uint8Array(SIZE[op.mechanism]),
          serverKey: new Uint8Array(SIZE[op.mechanism]),
        }) ?? (op.u.saltedPassword.length === 0 ? "the salted password is empty" : null);
        if (why) {
          return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, `Cannot accept the credential: ${why}`);
        }
      } else if (!await services.credentials.get(user, op.mechanism)) {
        return fail(
          ErrorCode.RESOURCE_NOT_FOUND,
          "Attempt to delete a user credential that does not exist",
        );
      }
    }
    return ops;
  }

  async function apply(ops: Op[]): Promise<void> {
    for (const op of ops) {
      if (op.kind === "delete") {
        await services.credentials.delete(op.user, op.mechanism);
        continue;
      }
      const keys = await keysFromSaltedPassword(SCRAM_HASH[op.mechanism], op.u.saltedPassword);
      await services.credentials.put(op.user, op.mechanism, {
        salt: op.u.salt,
        iterations: op.u.iterations,
        ...keys,
      });
    }
  }

  return {
    schema: AlterUserScramCredentials,
    minVersion: 0,
    maxVersion: 0,
    authorization: {
      checks: [ALTER_CLUSTER],
    },
    async handle(
      req: AlterUserScramCredentialsRequest,
      ctx,
    ): Promise<AlterUserScramCredentialsResponse> {
      const users = [...new Set([...req.deletions, ...req.upsertions].map((o) => o.name))];
      if (!authFor(services, ctx).cluster("ALTER")) {
        return {
          throttleTimeMs: 0,
          results: users.map((user) => ({
            user,
            errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
            errorMessage: "Cluster authorization failed.",
          })),
        };
      }
      const results = [];
      for (const user of users) {
        let outcome: Fail | Op[];
        try {
          outcome = await plan(user, req);
          if (Array.isArray(outcome)) await apply(outcome);
        } catch (e) {
          outcome = {
            errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
            errorMessage: `Cannot store credentials: ${(e as Error).message}`,
          };
        }
        if (!Array.isArray(outcome)) {
          results.push({ user, ...outcome });
          continue;
        }
        services.log.info("SCRAM credentials altered", {
          user,
          upserted: outcome.filter((o) => o.kind === "upsert").map((o) => o.mechanism),
          deleted: outcome.filter((o) => o.kind === "delete").map((o) => o.mechanism),
          principal: ctx.principal,
          remote: ctx.remote,
          client: ctx.clientId,
        });
        results.push({ user, errorCode: 0, errorMessage: null });
      }
      return { throttleTimeMs: 0, results };
    },
  };
}

const SIZE: Record<ScramMechanism, number> = { "SCRAM-SHA-256": 32, "SCRAM-SHA-512": 64 };
