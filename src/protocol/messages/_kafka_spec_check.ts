/**
 * Compares our message schemas with Apache Kafka's message definitions in
 * `../shared/kafka-message-specs/` (reference data read at test time, never copied).
 * @module
 */
import type { Field, MessageSchema } from "../schema.ts";

/** Where the definitions live when `../shared` is beside the project. */
export const SPEC_DIR = new URL("../../../../shared/kafka-message-specs/", import.meta.url);

interface SpecField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  tag?: number;
  taggedVersions?: string;
  default?: string | number | boolean;
  fields?: SpecField[];
}
interface SpecMessage {
  name: string;
  apiKey: number;
  validVersions: string;
  flexibleVersions: string;
  fields: SpecField[];
  commonStructs?: { name: string; fields: SpecField[] }[];
}

/** True when the definitions folder exists. */
export function specsPresent(): boolean {
  try {
    return Deno.statSync(SPEC_DIR).isDirectory;
  } catch {
    return false;
  }
}

function loadSpec(name: string): SpecMessage {
  const text = Deno.readTextFileSync(new URL(`${name}.json`, SPEC_DIR));
  // The definitions carry // comments; strip whole-line ones and trailing ones outside strings.
  const json = text.split("\n").filter((l) => !/^\s*\/\//.test(l)).join("\n");
  return JSON.parse(json);
}

const camel = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const PRIMITIVES = new Set([
  "int8",
  "int16",
  "int32",
  "int64",
  "uint16",
  "uint32",
  "float64",
  "bool",
  "string",
  "bytes",
  "uuid",
  "records",
]);

function expectedType(f: SpecField): string {
  if (f.type.startsWith("[]")) {
    const inner = f.type.slice(2);
    return PRIMITIVES.has(inner) ? f.type : "[]";
  }
  return PRIMITIVES.has(f.type) ? f.type : "{}";
}

function normDefault(d: unknown): string | undefined {
  if (d === undefined || d === null) return d === null ? "null" : undefined;
  const s = String(d);
  if (/^-?0x[0-9a-f]+$/i.test(s)) return String(Number(s));
  return s;
}

function compareFields(
  path: string,
  ours: readonly Field[],
  theirs: SpecField[],
  spec: SpecMessage,
  errors: string[],
) {
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    const o = ours[i];
    const t = theirs[i];
    if (!o || !t) {
      errors.push(`${path}[${i}]: ours ${o?.name ?? "missing"}, Kafka ${t?.name ?? "missing"}`);
      continue;
    }
    const p = `${path}.${t.name}`;
    if (o.name !== camel(t.name)) errors.push(`${p}: named ${o.name}`);
    if (o.type !== expectedType(t)) errors.push(`${p}: type ${o.type}, Kafka ${t.type}`);
    if (o.versions !== t.versions) errors.push(`${p}: versions ${o.versions}, Kafka ${t.versions}`);
    if ((o.nullable ?? "none") !== (t.nullableVersions ?? "none")) {
      errors.push(`${p}: nullable ${o.nullable}, Kafka ${t.nullableVersions}`);
    }
    if (o.tag !== t.tag) errors.push(`${p}: tag ${o.tag}, Kafka ${t.tag}`);
    if ((o.taggedVersions ?? "none") !== (t.taggedVersions ?? "none")) {
      errors.push(`${p}: taggedVersions ${o.taggedVersions}, Kafka ${t.taggedVersions}`);
    }
    const od = normDefault(o.default);
    const td = normDefault(t.default);
    if (td !== undefined && od !== td && !(td === "" && od === undefined)) {
      errors.push(`${p}: default ${od}, Kafka ${td}`);
    }
    const subTheirs = t.fields ??
      spec.commonStructs?.find((c) => c.name === t.type.replace("[]", ""))?.fields;
    if (o.fields || subTheirs) compareFields(p, o.fields ?? [], subTheirs ?? [], spec, errors);
  }
}

/** Lists every difference between our schema and Kafka's (empty when they match). */
export function checkMessage(ours: MessageSchema): string[] {
  const spec = loadSpec(ours.name);
  const errors: string[] = [];
  if (ours.apiKey !== spec.apiKey) errors.push(`apiKey ${ours.apiKey}, Kafka ${spec.apiKey}`);
  if (ours.validVersions !== spec.validVersions) {
    errors.push(`validVersions ${ours.validVersions}, Kafka ${spec.validVersions}`);
  }
  if (ours.flexibleVersions !== spec.flexibleVersions) {
    errors.push(`flexibleVersions ${ours.flexibleVersions}, Kafka ${spec.flexibleVersions}`);
  }
  compareFields(ours.name, ours.fields, spec.fields, spec, errors);
  return errors;
}
