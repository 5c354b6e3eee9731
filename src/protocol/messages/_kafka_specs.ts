/**
 * Apache Kafka's JSON message definitions, read at test time as reference data (never copied
 * into the project): from the `common/message/*.json` entries of the kafka-clients jars of
 * Kafka 3.7.2 and 4.0.0 that scripts/install_test_deps.sh downloads (the default, present on
 * every machine that ran it), and from `../shared/kafka-message-specs/` when that folder is
 * beside the project (an optional extra).
 * @module
 */
import { toolsDir } from "../../testing/services.ts";
import { readZipEntries } from "../../testing/zip.ts";

/** A field of a Kafka message definition. */
export interface SpecField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  tag?: number;
  taggedVersions?: string;
  default?: string | number | boolean;
  fields?: SpecField[];
}

/** A Kafka message definition (one JSON file). */
export interface SpecMessage {
  name: string;
  apiKey: number;
  validVersions: string;
  flexibleVersions: string;
  fields: SpecField[];
  commonStructs?: { name: string; fields: SpecField[] }[];
}

/** A set of Kafka message definitions, loaded once on first use. */
export interface SpecSource {
  /** E.g. "Kafka 3.7.2". */
  readonly label: string;
  /** The jar or folder read. */
  readonly where: string;
  /** The definitions by message name ("ProduceRequest"); rejects with why they cannot be read. */
  load(): Promise<Map<string, SpecMessage>>;
}

/** The Kafka releases whose kafka-clients jars scripts/install_test_deps.sh downloads. */
export const KAFKA_JAR_VERSIONS = ["3.7.2", "4.0.0"] as const;

/** The definitions beside the project, when `../shared` is there. */
export const SHARED_SPEC_DIR = new URL(
  "../../../../shared/kafka-message-specs/",
  import.meta.url,
);

/** Parses one definition; they carry whole-line // comments (the licence header, notes). */
export function parseSpec(text: string): SpecMessage {
  const json = text.split("\n").filter((l) => !/^\s*\/\//.test(l)).join("\n");
  return JSON.parse(json);
}

type Specs = Promise<Map<string, SpecMessage>>;

function cached(load: () => Specs): () => Specs {
  let p: Specs | undefined;
  return () => p ??= load();
}

/** The definitions inside Kafka `version`'s kafka-clients jar. */
export function jarSource(version: string): SpecSource {
  const where = `${toolsDir()}/kafka-${version}/kafka-clients-${version}.jar`;
  const label = `Kafka ${version}`;
  return {
    label,
    where,
    load: cached(async () => {
      let bytes: Uint8Array;
      try {
        bytes = await Deno.readFile(where);
      } catch (e) {
        throw new Error(
          `Cannot read ${label}'s message definitions: ${where} is missing (${
            (e as Error).name
          }); run scripts/install_test_deps.sh`,
        );
      }
      const entries = await readZipEntries(
        bytes,
        (n) => /^common\/message\/[A-Za-z0-9]+\.json$/.test(n),
      );
      const out = new Map<string, SpecMessage>();
      const dec = new TextDecoder();
      for (const [name, data] of entries) {
        out.set(name.slice("common/message/".length, -".json".length), parseSpec(dec.decode(data)));
      }
      if (out.size === 0) {
        throw new Error(`Cannot read ${label}'s message definitions: ${where} has none`);
      }
      return out;
    }),
  };
}

/** The definitions in `../shared/kafka-message-specs/`, or undefined when it is absent. */
export function sharedSource(): SpecSource | undefined {
  try {
    if (!Deno.statSync(SHARED_SPEC_DIR).isDirectory) return undefined;
  } catch {
    return undefined;
  }
  return {
    label: "../shared",
    where: SHARED_SPEC_DIR.pathname,
    load: cached(async () => {
      const out = new Map<string, SpecMessage>();
      for await (const e of Deno.readDir(SHARED_SPEC_DIR)) {
        if (!e.isFile || !e.name.endsWith(".json")) continue;
        const text = await Deno.readTextFile(new URL(e.name, SHARED_SPEC_DIR));
        out.set(e.name.slice(0, -".json".length), parseSpec(text));
      }
      return out;
    }),
  };
}
