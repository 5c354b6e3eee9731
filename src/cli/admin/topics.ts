/**
 * `kafscale topics list|describe|create|delete|alter`: topic administration over Metadata,
 * CreateTopics, DeleteTopics and CreatePartitions.
 * @module
 */
import { type AdminClient, checkCode } from "./client.ts";
import { type Args, need, opt } from "./args.ts";
import { print } from "./output.ts";
import { Metadata, type MetadataResponse } from "../../protocol/messages/03_metadata.ts";
import {
  CreateTopics,
  type CreateTopicsResponse,
} from "../../protocol/messages/19_create_topics.ts";
import {
  DeleteTopics,
  type DeleteTopicsResponse,
} from "../../protocol/messages/20_delete_topics.ts";
import {
  CreatePartitions,
  type CreatePartitionsResponse,
} from "../../protocol/messages/37_create_partitions.ts";
import { topicIdHex } from "../../cluster/topics.ts";

async function metadata(c: AdminClient, topics: string[] | null): Promise<MetadataResponse> {
  return await c.call<MetadataResponse>(Metadata, {
    topics: topics === null ? null : topics.map((name) => ({ name, topicId: new Uint8Array(16) })),
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
}

/** Runs a topics subcommand. */
export async function topicsCommand(c: AdminClient, sub: string, a: Args): Promise<void> {
  const json = a.flags.has("--json");
  const name = a.positional[0];
  switch (sub) {
    case "list": {
      const md = await metadata(c, null);
      const rows = md.topics.map((t) => ({ topic: t.name, partitions: t.partitions.length }))
        .sort((x, y) => String(x.topic).localeCompare(String(y.topic)));
      return print(json, rows, ["TOPIC", "PARTITIONS"], ["topic", "partitions"]);
    }
    case "describe": {
      const md = await metadata(c, [need(name, "topic name")]);
      const t = md.topics[0]!;
      checkCode(t.errorCode, `describe ${name}`);
      const rows = t.partitions.map((p) => ({
        topic: t.name,
        topicId: t.topicId ? topicIdHex(t.topicId) : "",
        partition: p.partitionIndex,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch ?? -1,
      }));
      return print(json, rows, ["TOPIC", "TOPIC-ID", "PARTITION", "LEADER", "EPOCH"], [
        "topic",
        "topicId",
        "partition",
        "leader",
        "leaderEpoch",
      ]);
    }
    case "create": {
      const configs = (a.values.get("--config") ?? []).map((kv) => {
        const i = kv.indexOf("=");
        return { name: kv.slice(0, i), value: kv.slice(i + 1) };
      });
      const r = await c.call<CreateTopicsResponse>(CreateTopics, {
        topics: [{
          name: need(name, "topic name"),
          numPartitions: Number(opt(a, "--partitions", "-1")),
          replicationFactor: -1,
          assignments: [],
          configs,
        }],
        timeoutMs: 30000,
        validateOnly: a.flags.has("--validate-only"),
      });
      checkCode(r.topics[0]!.errorCode, `create ${name}`, r.topics[0]!.errorMessage);
      return print(json, [{ topic: name, created: true }], ["TOPIC", "CREATED"], [
        "topic",
        "created",
      ]);
    }
    case "delete": {
      const r = await c.call<DeleteTopicsResponse>(DeleteTopics, {
        topics: [{ name: need(name, "topic name"), topicId: new Uint8Array(16) }],
        topicNames: [name],
        timeoutMs: 30000,
      });
      checkCode(r.responses[0]!.errorCode, `delete ${name}`, r.responses[0]!.errorMessage);
      return print(json, [{ topic: name, deleted: true }], ["TOPIC", "DELETED"], [
        "topic",
        "deleted",
      ]);
    }
    case "alter": {
      const count = Number(need(opt(a, "--partitions"), "--partitions"));
      const r = await c.call<CreatePartitionsResponse>(CreatePartitions, {
        topics: [{ name: need(name, "topic name"), count, assignments: null }],
        timeoutMs: 30000,
        validateOnly: a.flags.has("--validate-only"),
      });
      checkCode(r.results[0]!.errorCode, `alter ${name}`, r.results[0]!.errorMessage);
      return print(json, [{ topic: name, partitions: count }], ["TOPIC", "PARTITIONS"], [
        "topic",
        "partitions",
      ]);
    }
    default:
      throw new Error(
        `Unknown topics command "${sub}"; use list, describe, create, delete or alter`,
      );
  }
}
