/**
 * Compares our message schemas with Apache Kafka's message definitions (`_kafka_specs.ts`),
 * version by version. Releases differ in the versions they know: Kafka 3.7 lacks some we
 * implement (Produce v11, ApiVersions v4...), Kafka 4.0 dropped old ones (KIP-896: Produce
 * v0-2...) and adds newer ones we do not implement. So a schema is compared with a definition
 * in every version both list as valid: the same fields in the same order, with the same names,
 * types, nullability, tags and defaults, and the same flexible (compact) encoding. A separate
 * check makes sure every version we implement is compared with at least one release.
 * @module
 */
import type { Field, MessageSchema } from "../schema.ts";
import type { SpecField, SpecMessage } from "./_kafka_specs.ts";

/** An inclusive version range; empty when `min > max`. */
interface Range {
  min: number;
  max: number;
}

/** Parses "none", "3", "3+", "3-5". */
export function parseVersions(s: string | undefined): Range {
  if (s === undefined || s === "none") return { min: 1, max: 0 };
  const m = /^(\d+)(\+|-(\d+))?$/.exec(s);
  if (!m) throw new TypeError(`Cannot parse version range ${JSON.stringify(s)}`);
  const min = Number(m[1]);
  const max = m[2] === "+" ? Infinity : m[3] !== undefined ? Number(m[3]) : min;
  return { min, max };
}

const has = (s: string | undefined, v: number) => {
  const r = parseVersions(s);
  return v >= r.min && v <= r.max;
};

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

/** Differences found, each with the versions it was found in. */
type Report = Map<string, number[]>;

function note(report: Report, message: string, v: number) {
  const vs = report.get(message) ?? [];
  if (vs.at(-1) !== v) vs.push(v);
  report.set(message, vs);
}

function compareFieldsAt(
  path: string,
  lists: { ours: readonly Field[]; theirs: SpecField[] },
  ctx: { spec: SpecMessage; v: number; report: Report },
) {
  const { spec, v, report } = ctx;
  const ours = lists.ours.filter((f) => has(f.versions, v));
  const theirs = lists.theirs.filter((f) => has(f.versions, v));
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    const o = ours[i];
    const t = theirs[i];
    if (!o || !t) {
      note(report, `${path}[${i}]: ours ${o?.name ?? "missing"}, Kafka ${t?.name ?? "missing"}`, v);
      continue;
    }
    const p = `${path}.${t.name}`;
    if (o.name !== camel(t.name)) note(report, `${p}: named ${o.name}`, v);
    if (o.type !== expectedType(t)) note(report, `${p}: type ${o.type}, Kafka ${t.type}`, v);
    const [on, tn] = [has(o.nullable, v), has(t.nullableVersions, v)];
    if (on !== tn) note(report, `${p}: nullable ${on}, Kafka ${tn}`, v);
    const [ot, tt] = [has(o.taggedVersions, v), has(t.taggedVersions, v)];
    if (ot !== tt) note(report, `${p}: tagged ${ot}, Kafka ${tt}`, v);
    else if (ot && o.tag !== t.tag) note(report, `${p}: tag ${o.tag}, Kafka ${t.tag}`, v);
    const od = normDefault(o.default);
    const td = normDefault(t.default);
    if (td !== undefined && od !== td && !(td === "" && od === undefined)) {
      note(report, `${p}: default ${od}, Kafka ${td}`, v);
    }
    const subTheirs = t.fields ??
      spec.commonStructs?.find((c) => c.name === t.type.replace("[]", ""))?.fields;
    if (o.fields || subTheirs) {
      compareFieldsAt(p, { ours: o.fields ?? [], theirs: subTheirs ?? [] }, ctx);
    }
  }
}

/** "0-3,5" for [0, 1, 2, 3, 5]. */
function showVersions(vs: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < vs.length;) {
    let j = i;
    while (j + 1 < vs.length && vs[j + 1] === vs[j]! + 1) j++;
    parts.push(i === j ? `${vs[i]}` : `${vs[i]}-${vs[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** The versions both `ours` and `spec` list as valid. */
export function commonVersions(ours: MessageSchema, spec: SpecMessage): number[] {
  const a = parseVersions(ours.validVersions);
  const b = parseVersions(spec.validVersions);
  const out: number[] = [];
  for (let v = Math.max(a.min, b.min); v <= Math.min(a.max, b.max); v++) out.push(v);
  return out;
}

/**
 * Lists every difference between our schema and Kafka's definition in the versions both list
 * as valid (empty when they match), each with the versions it concerns.
 */
export function checkMessage(ours: MessageSchema, spec: SpecMessage): string[] {
  const errors: string[] = [];
  if (ours.apiKey !== spec.apiKey) errors.push(`apiKey ${ours.apiKey}, Kafka ${spec.apiKey}`);
  const versions = commonVersions(ours, spec);
  if (versions.length === 0) {
    errors.push(
      `no version in common: ours ${ours.validVersions}, Kafka ${spec.validVersions}`,
    );
  }
  const report: Report = new Map();
  for (const v of versions) {
    const [of, tf] = [has(ours.flexibleVersions, v), has(spec.flexibleVersions, v)];
    if (of !== tf) note(report, `flexible ${of}, Kafka ${tf}`, v);
    compareFieldsAt(ours.name, { ours: ours.fields, theirs: spec.fields }, {
      spec,
      v,
      report,
    });
  }
  for (const [message, vs] of report) errors.push(`v${showVersions(vs)}: ${message}`);
  return errors;
}

/** Versions of `ours` that none of `specs` lists as valid (so no definition checks them). */
export function uncheckedVersions(ours: MessageSchema, specs: SpecMessage[]): number[] {
  const r = parseVersions(ours.validVersions);
  const out: number[] = [];
  for (let v = r.min; v <= r.max; v++) {
    if (!specs.some((s) => has(s.validVersions, v))) out.push(v);
  }
  return out;
}
