/**
 * Declarative message schemas. A schema is a field list where each field carries the versions
 * that have it (DESIGN.md house rule 3); one generic codec (`codec.ts`) reads and writes every
 * version from it. Field names are Kafka's names in lowerCamelCase, so a test can check each
 * schema against Apache Kafka's message definitions.
 * @module
 */

/** Scalar types of the Kafka message format. */
export type PrimitiveType =
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint16"
  | "uint32"
  | "float64"
  | "bool"
  | "string"
  | "bytes"
  | "uuid"
  | "records";

/** A field's type: a primitive, an array of primitives, an array of structs `[]`, a struct `{}`. */
export type FieldType = PrimitiveType | `[]${PrimitiveType}` | "[]" | "{}";

/** A default value as Kafka writes it in its definitions. */
export type DefaultValue = number | string | boolean | null;

/** One field of a message or struct. */
export interface Field {
  readonly name: string;
  readonly type: FieldType;
  /** Versions that carry the field, e.g. "0+", "3-5". */
  readonly versions: string;
  /** Versions in which the field may be null. */
  readonly nullable?: string;
  /** Tag number, for tagged fields of flexible versions. */
  readonly tag?: number;
  /** Versions in which the field is tagged (written only when not default). */
  readonly taggedVersions?: string;
  /** The value a reader sees when the field is absent. */
  readonly default?: DefaultValue;
  /** Sub-fields of a `[]` or `{}` field. */
  readonly fields?: readonly Field[];
}

/** A request or response definition. */
export interface MessageSchema {
  readonly name: string;
  readonly apiKey: number;
  readonly validVersions: string;
  /** First flexible version as a range, e.g. "9+", or "none". */
  readonly flexibleVersions: string;
  readonly fields: readonly Field[];
}

/** A request/response pair for one API key. */
export interface ApiSchema {
  readonly apiKey: number;
  readonly name: string;
  readonly request: MessageSchema;
  readonly response: MessageSchema;
}

/** Options of a field besides name, type and versions. */
export type FieldOptions = Omit<Field, "name" | "type" | "versions">;

/** A scalar or primitive-array field. */
export function field(
  name: string,
  type: PrimitiveType | `[]${PrimitiveType}`,
  versions: string,
  options: FieldOptions = {},
): Field {
  return { name, type, versions, ...options };
}

/** An array-of-structs field. */
export function array(
  name: string,
  versions: string,
  fields: readonly Field[],
  options: Omit<FieldOptions, "fields"> = {},
): Field {
  return { name, type: "[]", versions, fields, ...options };
}

/** A single struct field. */
export function struct(
  name: string,
  versions: string,
  fields: readonly Field[],
  options: Omit<FieldOptions, "fields"> = {},
): Field {
  return { name, type: "{}", versions, fields, ...options };
}

/** Shorthand for a tagged field: `tagged(0, "3+")` gives tag and taggedVersions. */
export function tagged(tag: number, versions: string): Pick<Field, "tag" | "taggedVersions"> {
  return { tag, taggedVersions: versions };
}
