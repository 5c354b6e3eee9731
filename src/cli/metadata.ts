/**
 * `kafscale metadata snapshot|list|restore|verify`: metadata snapshots in the object store and
 * recovery when the metadata store is lost (src/recovery/). Each opens the stores `serve`
 * uses under the same flags and environment. On the embedded default a running broker locks
 * the metadata directory: stop it first (serve takes snapshots itself).
 * @module
 */
import { type Config, ConfigError, loadConfig } from "../config/config.ts";
import { parseServeFlags } from "./serve.ts";
import { openMetadataStore, openObjectStore } from "./stores.ts";
import { VERSION } from "./version.ts";
import { print } from "./admin/output.ts";
import { takeSnapshot } from "../recovery/snapshot.ts";
import { listSnapshots, readMarker } from "../recovery/snapshot_store.ts";
import { type RestoreReport, restoreSnapshot } from "../recovery/restore.ts";
import { type VerifyReport, verifyStores } from "../recovery/verify.ts";
import type { MetadataStore } from "../metadata/types.ts";
import type { ObjectStore } from "../object_store/types.ts";

/** Help text of `kafscale metadata`. */
export const METADATA_HELP =
  `Metadata commands (snapshots in the object store; take serve's flags and variables):
  kafscale metadata snapshot                     snapshot the metadata store now
  kafscale metadata list [--json]                committed snapshots, newest first
  kafscale metadata restore --latest | --snapshot <id> [--force] [--scan-all]
                                                 load a snapshot into an empty metadata store
                                                 (stop every broker first), then roll every
                                                 partition forward from the segment objects
                                                 written since; --force empties a store that
                                                 is not empty first
  kafscale metadata verify [--deep] [--json]     every segment reference resolves, every
                                                 object is referenced or collectable; --deep
                                                 reads every segment and the newest snapshot
`;

interface MetaArgs {
  latest: boolean;
  snapshot?: string;
  force: boolean;
  scanAll: boolean;
  deep: boolean;
  json: boolean;
  serveFlags: string[];
}

function parseArgs(args: string[]): MetaArgs {
  const out: MetaArgs = {
    latest: false,
    force: false,
    scanAll: false,
    deep: false,
    json: false,
    serveFlags: [],
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--latest") out.latest = true;
    else if (a === "--force") out.force = true;
    else if (a === "--scan-all") out.scanAll = true;
    else if (a === "--deep") out.deep = true;
    else if (a === "--json") out.json = true;
    else if (a === "--snapshot" || a.startsWith("--snapshot=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : args[++i];
      if (!v) throw new ConfigError("Option --snapshot needs a snapshot id");
      out.snapshot = v;
    } else if (a.startsWith("--")) {
      out.serveFlags.push(a);
      if (!a.includes("=") && args[i + 1] !== undefined) out.serveFlags.push(args[++i]!);
    } else throw new ConfigError(`Unexpected argument ${a}`);
  }
  return out;
}

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

/** Runs a metadata subcommand; resolves the exit code. */
export async function metadata(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(METADATA_HELP);
    return 0;
  }
  const [sub, ...rest] = args;
  const usage = (why = "expected snapshot, list, restore or verify") => {
    console.error(`kafscale metadata: ${why}\n\n${METADATA_HELP}`);
    return 2;
  };
  if (!["snapshot", "list", "restore", "verify"].includes(sub ?? "")) return usage();
  let a: MetaArgs;
  let config: Config;
  try {
    a = parseArgs(rest);
    config = loadConfig(parseServeFlags(a.serveFlags));
  } catch (e) {
    console.error(`kafscale metadata: ${(e as Error).message}`);
    return e instanceof ConfigError ? 2 : 1;
  }
  if (sub === "restore" && a.latest === (a.snapshot !== undefined)) {
    return usage("restore takes --latest or --snapshot <id> (one of them)");
  }
  let objects: ObjectStore | undefined;
  let meta: MetadataStore | undefined;
  try {
    const o = await openObjectStore(config);
    objects = o.objects;
    if (sub === "list") return await list(objects, config, a.json);
    const m = await openMetadataStore(config).catch((e) => {
      const hint = config.etcdEndpoints ? "" : " (stop the broker that uses this data directory)";
      throw new Error(`Cannot open the metadata store: ${(e as Error).message}${hint}`);
    });
    meta = m.meta;
    if (sub === "snapshot") {
      const began = performance.now();
      const marker = await takeSnapshot(meta, objects, {
        namespace: config.s3Namespace,
        brokerId: -1,
        version: VERSION,
      });
      console.log(
        `snapshot ${marker.id}: ${marker.keys} keys and ${marker.manifests} manifests at ` +
          `revision ${marker.revision}, ${marker.bytes} bytes, written to ${o.name} in ` +
          `${Math.round(performance.now() - began)} ms`,
      );
      return 0;
    }
    if (sub === "restore") {
      const report = await restoreSnapshot(meta, objects, {
        namespace: config.s3Namespace,
        snapshot: a.snapshot ?? "latest",
        force: a.force,
        graceMs: config.gcGraceMs,
        scanAll: a.scanAll,
        progress: (line) => console.error(line),
      });
      console.log(restoreSummary(report, m.name).join("\n"));
      return 0;
    }
    const report = await verifyStores(meta, objects, {
      namespace: config.s3Namespace,
      graceMs: config.gcGraceMs,
      deep: a.deep,
    });
    if (a.json) console.log(JSON.stringify(report, null, 2));
    else console.log(verifySummary(report).join("\n"));
    const bad = report.dangling.length > 0 || report.snapshots.newestProblem !== null;
    return bad ? 1 : 0;
  } catch (e) {
    console.error(`kafscale metadata ${sub}: ${(e as Error).message}`);
    return 1;
  } finally {
    await meta?.close();
    await objects?.close();
  }
}

async function list(objects: ObjectStore, config: Config, json: boolean): Promise<number> {
  const listing = await listSnapshots(objects, config.s3Namespace);
  const rows = [];
  for (const id of listing.committed) {
    const m = await readMarker(objects, config.s3Namespace, id);
    rows.push({
      id,
      created: when(m.created_ms),
      age: ago(Date.now() - m.created_ms),
      revision: m.revision,
      keys: m.keys,
      bytes: m.bytes,
      broker: m.broker_id < 0 ? "cli" : m.broker_id,
      sha256: m.sha256,
    });
  }
  const headers = ["ID", "CREATED", "AGE", "REVISION", "KEYS", "BYTES", "BY"];
  print(json, rows, headers, ["id", "created", "age", "revision", "keys", "bytes", "broker"]);
  return 0;
}

/** The lines `restore` prints: what was rolled forward, and what is as of the snapshot. */
export function restoreSummary(r: RestoreReport, target: string): string[] {
  const s = r.snapshot;
  const out = [
    `restored snapshot ${s.id} (taken ${when(s.created_ms)}, ${ago(Date.now() - s.created_ms)} ` +
    `ago, revision ${s.revision}, ${s.keys} keys) into ${target}`,
    `read the indexes of ${r.scan.read} of ${r.scan.objects} segment objects` +
    (r.scan.undescribed > 0 ? ` (${r.scan.undescribed} written before objects had indexes)` : ""),
    "rolled forward (records committed after the snapshot, found in the object store):",
  ];
  let unchanged = 0;
  let voided = 0;
  let superseded = 0;
  for (const p of r.partitions) {
    voided += p.void;
    superseded += p.superseded;
    if (p.end === p.snapshotEnd && p.start === p.snapshotStart && p.lost.length === 0) {
      unchanged++;
      continue;
    }
    out.push(
      `  ${p.topic}-${p.partition}: log end ${p.snapshotEnd} -> ${p.end} (+${
        p.end - p.snapshotEnd
      } offsets, ${p.rolledForwardSegments} segments)` +
        (p.start !== p.snapshotStart ? `, log start ${p.snapshotStart} -> ${p.start}` : ""),
    );
    for (const l of p.lost) {
      out.push(
        l.from === p.snapshotStart
          ? `    offsets ${l.from}-${l.to - 1} are gone from the start of the log ` +
            "(retention or DeleteRecords after the snapshot)"
          : `    LOST offsets ${l.from}-${l.to - 1}: no object holds them any more`,
      );
    }
  }
  out.push(`  partitions unchanged since the snapshot: ${unchanged}`);
  if (voided > 0) out.push(`  uploads left out (fenced or failed commits): ${voided}`);
  if (superseded > 0) {
    out.push(`  uploads left out (merged since, or in the snapshot): ${superseded}`);
  }
  for (const u of r.unknown) {
    out.push(
      `NOT restored: ${u.segments} segments of ${u.topic} (topic id ${u.topicId}) partitions ` +
        `${u.partitions.join(",")}: ${u.why}`,
    );
  }
  const c = r.counts;
  out.push(
    `rolled back to the snapshot (${when(s.created_ms)}): ${c.topics} topics and their ` +
      `configs, ${c.groups} groups and ${c.offsets} committed offsets, ${c.users} user ` +
      `credentials; changes to them after it are lost (consumers resume from the snapshot's ` +
      `offsets). Producer ids restart at ${r.producerIdsFrom}.`,
  );
  return out;
}

/** The lines `verify` prints. */
export function verifySummary(r: VerifyReport): string[] {
  const o = r.objects;
  const s = r.snapshots;
  const out = [
    `partitions: ${r.partitions}, segment references: ${r.references}, manifests: ${r.manifests}`,
    `dangling references: ${r.dangling.length}`,
    ...r.dangling.slice(0, 50).map((d) =>
      `  ${d.topic}-${d.partition} ${
        d.base_offset < 0 ? "manifest" : `offsets ${d.base_offset}-${d.last_offset}`
      } in ${d.key}: ${d.why}`
    ),
    `objects: ${o.total} (referenced ${o.referenced}, collectable ${o.collectable}, ` +
    `young and unreferenced ${o.young})`,
    `snapshots: ${s.committed} committed` +
    (s.newest ? `, newest ${s.newest.id} (${ago(s.newest.ageSeconds * 1000)} old)` : "") +
    (s.uncommitted ? `, ${s.uncommitted} unfinished` : "") +
    (s.broken ? `, ${s.broken} markers without a snapshot` : ""),
  ];
  if (s.newestProblem) out.push(`  newest snapshot unreadable: ${s.newestProblem}`);
  out.push(r.dangling.length === 0 && !s.newestProblem ? "ok" : "PROBLEMS FOUND");
  return out;
}
