/**
 * The admin CLI's Kafka client: one connection, API versions negotiated with ApiVersions
 * (the highest version both sides speak), so the CLI works against any Kafka-compatible
 * broker, Apache Kafka included.
 * @module
 */
import { KafkaConnection } from "../../client/connection.ts";
import { ApiVersions, type ApiVersionsResponse } from "../../protocol/messages/18_api_versions.ts";
import type { ApiSchema } from "../../protocol/schema.ts";
import { parseVersions } from "../../protocol/versions.ts";
import { errorName } from "../../protocol/errors.ts";

/** A negotiated admin session. */
export class AdminClient {
  private constructor(
    private readonly conn: KafkaConnection,
    private readonly ranges: Map<number, { min: number; max: number }>,
  ) {}

  /** Connects and negotiates versions. */
  static async connect(bootstrap: string): Promise<AdminClient> {
    const conn = await KafkaConnection.connect(bootstrap, "kafscale-admin");
    let res = await conn.request<ApiVersionsResponse>(ApiVersions, 3, {
      clientSoftwareName: "kafscale-admin",
      clientSoftwareVersion: "1",
    });
    if (res.errorCode !== 0) res = await conn.request<ApiVersionsResponse>(ApiVersions, 0, {});
    const ranges = new Map(
      res.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]),
    );
    return new AdminClient(conn, ranges);
  }

  /** The version to use for an API, or throws when the broker lacks it. */
  version(schema: ApiSchema): number {
    const theirs = this.ranges.get(schema.apiKey);
    const ours = parseVersions(schema.request.validVersions);
    if (!theirs) throw new Error(`Cannot call ${schema.name}: the broker does not support it`);
    const v = Math.min(theirs.max, ours.max);
    if (v < Math.max(theirs.min, ours.min)) {
      throw new Error(`Cannot call ${schema.name}: no common version`);
    }
    return v;
  }

  /** Sends a request at the negotiated version. */
  call<T>(schema: ApiSchema, body: object): Promise<T> {
    return this.conn.request<T>(schema, this.version(schema), body);
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return this.conn.close();
  }
}

/** Throws a readable error for a non-zero Kafka error code. */
export function checkCode(code: number, what: string, message?: string | null): void {
  if (code !== 0) {
    throw new Error(`Cannot ${what}: ${errorName(code)}${message ? ` (${message})` : ""}`);
  }
}
