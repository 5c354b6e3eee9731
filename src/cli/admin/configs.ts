/**
 * `kafscale configs describe|alter` and `kafscale offsets --for-leader-epoch`: config
 * administration over DescribeConfigs and IncrementalAlterConfigs, and the leader-epoch lookup
 * the spec's (non-existent) `kafka.admin.OffsetForLeaderEpochClient` example asks for.
 * @module
 */
import { type AdminClient, checkCode } from "./client.ts";
import { type Args, opt } from "./args.ts";
import { print } from "./output.ts";
import {
  DescribeConfigs,
  type DescribeConfigsResponse,
} from "../../protocol/messages/32_describe_configs.ts";
import {
  IncrementalAlterConfigs,
  type IncrementalAlterConfigsResponse,
} from "../../protocol/messages/44_incremental_alter_configs.ts";
import {
  OffsetForLeaderEpoch,
  type OffsetForLeaderEpochResponse,
} from "../../protocol/messages/23_offset_for_leader_epoch.ts";

const SOURCES = [
  "UNKNOWN",
  "TOPIC",
  "DYNAMIC_BROKER",
  "DYNAMIC_DEFAULT_BROKER",
  "STATIC_BROKER",
  "DEFAULT",
  "BROKER_LOGGER",
];

function resource(a: Args): { resourceType: number; resourceName: string } {
  const topic = opt(a, "--topic");
  const broker = opt(a, "--broker");
  if (topic !== undefined) return { resourceType: 2, resourceName: topic };
  if (broker !== undefined) return { resourceType: 4, resourceName: broker };
  throw new Error("Missing --topic <name> or --broker <id>");
}

/** Runs a configs subcommand. */
export async function configsCommand(c: AdminClient, sub: string, a: Args): Promise<void> {
  const json = a.flags.has("--json");
  const res = resource(a);
  if (sub === "describe") {
    const r = await c.call<DescribeConfigsResponse>(DescribeConfigs, {
      resources: [{ ...res, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const out = r.results[0]!;
    checkCode(out.errorCode, `describe ${res.resourceName}`, out.errorMessage);
    const rows = out.configs.map((e) => ({
      name: e.name,
      value: e.isSensitive ? "(sensitive)" : e.value ?? "",
      source: SOURCES[e.configSource ?? 0] ?? String(e.configSource),
      readOnly: e.readOnly,
    }));
    return print(json, rows, ["NAME", "VALUE", "SOURCE", "READ-ONLY"], [
      "name",
      "value",
      "source",
      "readOnly",
    ]);
  }
  if (sub === "alter") {
    const sets = (a.values.get("--set") ?? []).map((kv) => {
      const i = kv.indexOf("=");
      if (i < 1) throw new Error(`--set takes key=value, not ${kv}`);
      return { name: kv.slice(0, i), configOperation: 0, value: kv.slice(i + 1) };
    });
    const deletes = (a.values.get("--delete") ?? []).map((name) => ({
      name,
      configOperation: 1,
      value: null,
    }));
    if (sets.length + deletes.length === 0) {
      throw new Error("Nothing to alter: use --set key=value or --delete key");
    }
    const r = await c.call<IncrementalAlterConfigsResponse>(IncrementalAlterConfigs, {
      resources: [{ ...res, configs: [...sets, ...deletes] }],
      validateOnly: a.flags.has("--validate-only"),
    });
    checkCode(r.responses[0]!.errorCode, `alter ${res.resourceName}`, r.responses[0]!.errorMessage);
    return print(json, [{ resource: res.resourceName, altered: true }], ["RESOURCE", "ALTERED"], [
      "resource",
      "altered",
    ]);
  }
  throw new Error(`Unknown configs command "${sub}"; use describe or alter`);
}

/** `kafscale offsets --for-leader-epoch topic:partition:epoch [...]`. */
export async function offsetsCommand(c: AdminClient, a: Args): Promise<void> {
  const specs = a.values.get("--for-leader-epoch") ?? [];
  if (specs.length === 0) throw new Error("Missing --for-leader-epoch topic:partition:epoch");
  const wanted = specs.map((s) => {
    const m = /^(.+):(\d+):(\d+)$/.exec(s);
    if (!m) throw new Error(`--for-leader-epoch takes topic:partition:epoch, not ${s}`);
    return { topic: m[1]!, partition: Number(m[2]), epoch: Number(m[3]) };
  });
  const r = await c.call<OffsetForLeaderEpochResponse>(OffsetForLeaderEpoch, {
    replicaId: -1,
    topics: wanted.map((w) => ({
      topic: w.topic,
      partitions: [{ partition: w.partition, currentLeaderEpoch: -1, leaderEpoch: w.epoch }],
    })),
  });
  const rows = r.topics.flatMap((t) =>
    t.partitions.map((p) => {
      checkCode(p.errorCode, `look up ${t.topic}-${p.partition}`);
      return {
        topic: t.topic,
        partition: p.partition,
        leaderEpoch: p.leaderEpoch ?? -1,
        endOffset: p.endOffset,
      };
    })
  );
  print(a.flags.has("--json"), rows, ["TOPIC", "PARTITION", "LEADER-EPOCH", "END-OFFSET"], [
    "topic",
    "partition",
    "leaderEpoch",
    "endOffset",
  ]);
}
