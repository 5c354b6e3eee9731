/**
 * DescribeUserScramCredentials (key 50), version 0 (Java admin 3.7/4.x: `kafka-configs.sh
 * --describe --entity-type users`; franz-go).
 * - Lists each user's SCRAM mechanisms and iterations (never salts or keys) from the credential
 *   store (`users/<name>/<mechanism>` in the metadata store). Null or empty users: every user
 *   that has a credential.
 * - Per user: RESOURCE_NOT_FOUND for a user without credentials, DUPLICATE_RESOURCE for a user
 *   named twice. The message-level error is 0 unless the store cannot be read
 *   (COORDINATOR_NOT_AVAILABLE, retriable).
 * - Authorization (as Kafka): DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 * @module
 */
import {
  DescribeUserScramCredentials,
  type DescribeUserScramCredentialsRequest,
  type DescribeUserScramCredentialsResponse,
} from "../protocol/messages/50_describe_user_scram_credentials.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { SCRAM_MECHANISM_CODES } from "../auth/sasl.ts";
import type { CredentialInfo } from "../auth/credentials.ts";
import type { Handler } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import { authFor } from "./_authorize.ts";
import { DESCRIBE_CLUSTER } from "./_checks.ts";

type Result = DescribeUserScramCredentialsResponse["results"][number];

/** Builds the DescribeUserScramCredentials handler. */
export function describeUserScramCredentialsHandler(services: BrokerServices): Handler {
  function describe(user: string, all: CredentialInfo[]): Result {
    const infos = all.filter((c) => c.user === user).map((c) => ({
      mechanism: SCRAM_MECHANISM_CODES[c.mechanism],
      iterations: c.iterations,
    }));
    return infos.length > 0 ? { user, errorCode: 0, errorMessage: null, credentialInfos: infos } : {
      user,
      errorCode: ErrorCode.RESOURCE_NOT_FOUND,
      errorMessage: "Attempt to describe nonexistent user",
      credentialInfos: [],
    };
  }
  return {
    schema: DescribeUserScramCredentials,
    minVersion: 0,
    maxVersion: 0,
    authorization: {
      checks: [DESCRIBE_CLUSTER],
    },
    async handle(
      req: DescribeUserScramCredentialsRequest,
      ctx,
    ): Promise<DescribeUserScramCredentialsResponse> {
      if (!authFor(services, ctx).cluster("DESCRIBE")) {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: "Cluster authorization failed.",
          results: [],
        };
      }
      let all: CredentialInfo[];
      try {
        all = await services.credentials.list();
      } catch (e) {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
          errorMessage: `Cannot read credentials: ${(e as Error).message}`,
          results: [],
        };
      }
      const named = (req.users ?? []).map((u) => u.name);
      const users = named.length > 0 ? named : [...new Set(all.map((c) => c.user))];
      const results: Result[] = [];
      for (const [i, user] of users.entries()) {
        if (users.indexOf(user) !== i) continue; // reported once, below
        results.push(
          users.lastIndexOf(user) !== i
            ? {
              user,
              errorCode: ErrorCode.DUPLICATE_RESOURCE,
              errorMessage:
                "Cannot describe SCRAM credentials for the same user twice in a single request",
              credentialInfos: [],
            }
            : describe(user, all),
        );
      }
      return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results };
    },
  };
}
