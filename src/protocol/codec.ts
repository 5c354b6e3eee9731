/**
 * The one generic encoder/decoder: walks a declarative schema for a given version.
 * Plans (the fields present in a version, split into regular and tagged) are computed once
 * per field list and version, so the hot path only loops over prepared arrays.
 * @module
 */
import { DecodeError, Reader, Writer } from "./primitives.ts";
import type { DefaultValue, Field, MessageSchema } from "./schema.ts";
import { inRange, parseVersions } from "./versions.ts";

/** A decoded message or struct: field names to values. */
export type Struct = Record<string, unknown>;

interface Plan {
  regular: Field[];
  tagged: Field[];
  taggedByTag: Map<number, Field>;
  absent: Field[];
}

const plans = new WeakMap<readonly Field[], Map<number, Plan>>();
const ZERO_UUID = new Uint8Array(16);

function planFor(fields: readonly Field[], version: number): Plan {
  let byVersion = plans.get(fields);
  if (!byVersion) plans.set(fields, byVersion = new Map());
  let plan = byVersion.get(version);
  if (plan) return plan;
  plan = { regular: [], tagged: [], taggedByTag: new Map(), absent: [] };
  for (const f of fields) {
    if (!inRange(parseVersions(f.versions), version)) plan.absent.push(f);
    else if (f.tag !== undefined && inRange(parseVersions(f.taggedVersions ?? "none"), version)) {
      plan.tagged.push(f);
      plan.taggedByTag.set(f.tag, f);
    } else plan.regular.push(f);
  }
  plan.tagged.sort((a, b) => a.tag! - b.tag!);
  byVersion.set(version, plan);
  return plan;
}

/** True when `version` of the message uses the flexible (compact, tagged) encoding. */
export function isFlexible(schema: MessageSchema, version: number): boolean {
  return inRange(parseVersions(schema.flexibleVersions), version);
}

function isNullable(f: Field, version: number): boolean {
  return f.nullable !== undefined && inRange(parseVersions(f.nullable), version);
}

/** The value a reader sees for a field that is absent (or a value that was left undefined). */
export function defaultFor(f: Field): unknown {
  const d: DefaultValue | undefined = f.default;
  if (d !== undefined) return d;
  switch (f.type) {
    case "string":
      return "";
    case "bool":
      return false;
    case "uuid":
      return ZERO_UUID;
    case "bytes":
      return new Uint8Array(0);
    case "records":
      return null;
    case "{}":
      return defaultStruct(f.fields ?? []);
    default:
      return f.type.startsWith("[]") ? [] : 0;
  }
}

function defaultStruct(fields: readonly Field[]): Struct {
  const out: Struct = {};
  for (const f of fields) out[f.name] = defaultFor(f);
  return out;
}

/** Decodes a message body at `version`. */
export function decodeMessage<T>(schema: MessageSchema, r: Reader, version: number): T {
  return decodeStruct(r, schema.fields, version, isFlexible(schema, version)) as T;
}

/** Encodes a message body at `version` into `w` (a new writer when omitted). */
export function encodeMessage(
  schema: MessageSchema,
  value: object,
  version: number,
  w: Writer = new Writer(),
): Writer {
  encodeStruct(w, schema.fields, value as Struct, version, isFlexible(schema, version));
  return w;
}

function decodeStruct(r: Reader, fields: readonly Field[], v: number, flex: boolean): Struct {
  const plan = planFor(fields, v);
  const out: Struct = {};
  for (const f of plan.absent) out[f.name] = defaultFor(f);
  for (const f of plan.tagged) out[f.name] = defaultFor(f);
  for (const f of plan.regular) out[f.name] = readValue(r, f, v, flex);
  if (flex) readTaggedFields(r, plan, out, v);
  return out;
}

function readTaggedFields(r: Reader, plan: Plan, out: Struct, v: number): void {
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const body = r.raw(size);
    const f = plan.taggedByTag.get(tag);
    if (f) out[f.name] = readValue(new Reader(body), f, v, true);
  }
}

function readValue(r: Reader, f: Field, v: number, flex: boolean): unknown {
  const t = f.type;
  if (t === "[]" || t.startsWith("[]")) {
    const n = r.arrayLength(flex);
    if (n < 0) return isNullable(f, v) ? null : [];
    const items: unknown[] = new Array(n);
    if (t === "[]") {
      const sub = f.fields ?? [];
      for (let i = 0; i < n; i++) items[i] = decodeStruct(r, sub, v, flex);
    } else {
      const elem = t.slice(2) as Field["type"];
      for (let i = 0; i < n; i++) items[i] = readScalar(r, elem, f, v, flex);
    }
    return items;
  }
  if (t === "{}") {
    if (isNullable(f, v) && r.int8() < 0) return null;
    return decodeStruct(r, f.fields ?? [], v, flex);
  }
  return readScalar(r, t, f, v, flex);
}

function readScalar(r: Reader, t: Field["type"], f: Field, v: number, flex: boolean): unknown {
  switch (t) {
    case "int8":
      return r.int8();
    case "int16":
      return r.int16();
    case "int32":
      return r.int32();
    case "int64":
      return r.int64();
    case "uint16":
      return r.uint16();
    case "uint32":
      return r.uint32();
    case "float64":
      return r.float64();
    case "bool":
      return r.bool();
    case "uuid":
      return r.uuid();
    case "string": {
      const s = flex ? r.compactNullableString() : r.nullableString();
      return s === null && !isNullable(f, v) ? "" : s;
    }
    case "bytes":
    case "records": {
      const b = flex ? r.compactNullableBytes() : r.nullableBytes();
      return b === null && t === "bytes" && !isNullable(f, v) ? new Uint8Array(0) : b;
    }
    default:
      throw new DecodeError(`Cannot decode field ${f.name}: unknown type ${t}`);
  }
}

function encodeStruct(w: Writer, fields: readonly Field[], s: Struct, v: number, flex: boolean) {
  const plan = planFor(fields, v);
  for (const f of plan.regular) writeValue(w, f, s[f.name], v, flex);
  if (!flex) return;
  const present: Array<[Field, unknown]> = [];
  for (const f of plan.tagged) {
    const value = s[f.name];
    if (value !== undefined && !isDefault(f, value)) present.push([f, value]);
  }
  w.uvarint(present.length);
  for (const [f, value] of present) {
    const body = new Writer(64);
    writeValue(body, f, value, v, true);
    const bytes = body.finish();
    w.uvarint(f.tag!).uvarint(bytes.byteLength).raw(bytes);
  }
}

function isDefault(f: Field, value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof Uint8Array) return f.type === "uuid" && value.every((b) => b === 0);
  if (value !== null && typeof value === "object") return false;
  return value === defaultFor(f);
}

function writeValue(w: Writer, f: Field, value: unknown, v: number, flex: boolean): void {
  const t = f.type;
  const val = value === undefined ? defaultFor(f) : value;
  if (t === "[]" || t.startsWith("[]")) {
    if (val === null) {
      w.arrayLength(isNullable(f, v) ? null : 0, flex);
      return;
    }
    const items = val as unknown[];
    w.arrayLength(items.length, flex);
    if (t === "[]") {
      const sub = f.fields ?? [];
      for (const item of items) encodeStruct(w, sub, item as Struct, v, flex);
    } else {
      const elem = t.slice(2) as Field["type"];
      for (const item of items) writeScalar(w, elem, f, item, v, flex);
    }
    return;
  }
  if (t === "{}") {
    if (isNullable(f, v)) {
      if (val === null) {
        w.int8(-1);
        return;
      }
      w.int8(1);
    }
    encodeStruct(w, f.fields ?? [], (val ?? {}) as Struct, v, flex);
    return;
  }
  writeScalar(w, t, f, val, v, flex);
}

function writeScalar(
  w: Writer,
  t: Field["type"],
  f: Field,
  val: unknown,
  v: number,
  flex: boolean,
) {
  switch (t) {
    case "int8":
      w.int8(val as number);
      return;
    case "int16":
      w.int16(val as number);
      return;
    case "int32":
      w.int32(val as number);
      return;
    case "int64":
      w.int64(val as number);
      return;
    case "uint16":
      w.uint16(val as number);
      return;
    case "uint32":
      w.uint32(val as number);
      return;
    case "float64":
      w.float64(val as number);
      return;
    case "bool":
      w.bool(val as boolean);
      return;
    case "uuid":
      w.uuid(val as Uint8Array);
      return;
    case "string": {
      const s = val === null && !isNullable(f, v) ? "" : (val as string | null);
      if (flex) w.compactNullableString(s);
      else w.nullableString(s);
      return;
    }
    case "bytes":
    case "records": {
      const b = val as Uint8Array | null;
      if (flex) w.compactNullableBytes(b);
      else w.nullableBytes(b);
      return;
    }
    default:
      throw new TypeError(`Cannot encode field ${f.name}: unknown type ${t}`);
  }
}
