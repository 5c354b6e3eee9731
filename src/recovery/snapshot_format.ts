/**
 * The metadata snapshot object format: everything the metadata store held at one revision,
 * plus the segment lists of the manifests its partition records point at (manifests are
 * replaced by rolls and collected soon after, so a snapshot keeps its own copy).
 *
 * Layout, big-endian:
 *
 *   header (48 B)  magic "KSNP" u32, format version u16, reserved u16, body length u64,
 *                  SHA-256 of the body (32 B)
 *   body           gzip of newline-separated JSON:
 *                    one header line   { format, version, id, cluster_id, namespace, revision,
 *                                        created_ms, broker_id, kafscale, keys, manifests }
 *                    a line per key    { k: key, v: base64 value }
 *                    a line per manifest { m: key, topic, partition, segments: SegmentRef[] }
 *                    an end line       { end: true, keys, manifests }
 *
 * A reader checks the magic, the version (only versions it knows: an older reader refuses a
 * newer snapshot by name rather than misreading it), the length and the checksum before it
 * decompresses anything, and the counts of the end line after.
 * @module
 */
import { z } from "zod";
import { fromBase64, toBase64 } from "../util/base64.ts";
import { type SegmentRef, SegmentRefSchema } from "../metadata/records.ts";

const MAGIC = 0x4b53_4e50; // "KSNP"
/** The format version this code writes. */
export const SNAPSHOT_VERSION = 1;
/** Every format version this code reads. */
export const READABLE_VERSIONS: readonly number[] = [1];
const HEADER = 48;
const TWO_32 = 4294967296;
const FORMAT = "kafscale-metadata-snapshot";
const enc = new TextEncoder();

/** What a snapshot says about itself. */
export const SnapshotInfoSchema = z.object({
  id: z.string().min(1),
  cluster_id: z.string().nullable(),
  namespace: z.string(),
  /** The metadata store revision it was read at. */
  revision: z.number().int().min(0),
  /** When it was read (ms since the epoch, the snapshotting process's clock). */
  created_ms: z.number().int(),
  /** The broker that took it (-1: the command line). */
  broker_id: z.number().int(),
  /** The kafscale version that wrote it. */
  kafscale: z.string(),
});
export type SnapshotInfo = z.infer<typeof SnapshotInfoSchema>;

/** A manifest's segment list, as the snapshot keeps it. */
export interface SnapshotManifest {
  topic: string;
  partition: number;
  segments: SegmentRef[];
}

/** A whole snapshot, decoded. */
export interface SnapshotContent {
  info: SnapshotInfo;
  entries: { key: string; value: Uint8Array }[];
  /** By manifest object key. */
  manifests: Map<string, SnapshotManifest>;
}

/** Raised for a snapshot object that is damaged, truncated, or of an unknown version. */
export class CorruptSnapshotError extends Error {
  constructor(id: string, why: string) {
    super(`Cannot read metadata snapshot ${id}: ${why}`);
    this.name = "CorruptSnapshotError";
  }
}

const HeaderLine = SnapshotInfoSchema.extend({
  format: z.literal(FORMAT),
  version: z.number().int(),
  keys: z.number().int().min(0),
  manifests: z.number().int().min(0),
});
const KeyLine = z.object({ k: z.string(), v: z.string() });
const ManifestLine = z.object({
  m: z.string(),
  topic: z.string(),
  partition: z.number().int().min(0),
  segments: z.array(SegmentRefSchema),
});
const EndLine = z.object({
  end: z.literal(true),
  keys: z.number().int(),
  manifests: z.number().int(),
});

/** Hex SHA-256 of bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Gzips lines as they come, a few hundred at a time, so a large keyspace never sits in one
 * string and the event loop turns between chunks.
 */
async function gzipLines(lines: Iterable<string>): Promise<Uint8Array> {
  const gzip = new CompressionStream("gzip");
  const out = new Response(gzip.readable).arrayBuffer();
  const w = gzip.writable.getWriter();
  let chunk: string[] = [];
  for (const line of lines) {
    chunk.push(line);
    if (chunk.length >= 256) {
      await w.write(enc.encode(chunk.join("\n") + "\n"));
      chunk = [];
    }
  }
  if (chunk.length > 0) await w.write(enc.encode(chunk.join("\n") + "\n"));
  await w.close();
  return new Uint8Array(await out);
}

function* bodyLines(c: SnapshotContent): Iterable<string> {
  const keys = c.entries.length;
  const manifests = c.manifests.size;
  yield JSON.stringify({ format: FORMAT, version: SNAPSHOT_VERSION, ...c.info, keys, manifests });
  for (const e of c.entries) yield JSON.stringify({ k: e.key, v: toBase64(e.value) });
  for (const [m, v] of c.manifests) yield JSON.stringify({ m, ...v });
  yield JSON.stringify({ end: true, keys, manifests });
}

/** Encodes a snapshot object; resolves its bytes and the checksum of its body. */
export async function encodeSnapshot(
  c: SnapshotContent,
): Promise<{ bytes: Uint8Array; sha256: string }> {
  const body = await gzipLines(bodyLines(c));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body as BufferSource));
  const out = new Uint8Array(HEADER + body.byteLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, MAGIC);
  v.setUint16(4, SNAPSHOT_VERSION);
  v.setUint32(8, Math.floor(body.byteLength / TWO_32));
  v.setUint32(12, body.byteLength % TWO_32);
  out.set(digest, 16);
  out.set(body, HEADER);
  return { bytes: out, sha256: [...digest].map((b) => b.toString(16).padStart(2, "0")).join("") };
}

/**
 * Checks a snapshot object's header and checksum without decompressing it; resolves the
 * checksum. `expected` (from the snapshot's commit marker) must match when given.
 */
export async function verifySnapshot(
  id: string,
  bytes: Uint8Array,
  expected?: string,
): Promise<string> {
  if (bytes.byteLength < HEADER) throw new CorruptSnapshotError(id, "too short");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0) !== MAGIC) throw new CorruptSnapshotError(id, "not a snapshot (bad magic)");
  const version = v.getUint16(4);
  if (!READABLE_VERSIONS.includes(version)) {
    throw new CorruptSnapshotError(
      id,
      `format version ${version} is not one this kafscale reads (${READABLE_VERSIONS.join(", ")})` +
        (version > SNAPSHOT_VERSION ? ": restore it with a newer kafscale" : ""),
    );
  }
  const length = v.getUint32(8) * TWO_32 + v.getUint32(12);
  if (HEADER + length !== bytes.byteLength) {
    throw new CorruptSnapshotError(
      id,
      `truncated or padded (${bytes.byteLength} bytes, the header says ${HEADER + length})`,
    );
  }
  const stored = [...bytes.subarray(16, 48)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const actual = await sha256Hex(bytes.subarray(HEADER));
  if (actual !== stored) {
    throw new CorruptSnapshotError(id, "SHA-256 checksum mismatch (the object is damaged)");
  }
  if (expected !== undefined && expected !== actual) {
    throw new CorruptSnapshotError(id, "its checksum differs from the one its marker recorded");
  }
  return actual;
}

async function* lines(body: Uint8Array): AsyncIterable<string> {
  const text = new Blob([body as BlobPart]).stream()
    .pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(new TextDecoderStream());
  let rest = "";
  for await (const chunk of text) {
    rest += chunk;
    const parts = rest.split("\n");
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest !== "") yield rest;
}

function parseLine<T>(id: string, n: number, schema: z.ZodType<T>, line: string): T {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new CorruptSnapshotError(id, `line ${n} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new CorruptSnapshotError(id, `line ${n}: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/** Verifies and decodes a snapshot object. */
export async function decodeSnapshot(
  id: string,
  bytes: Uint8Array,
  expected?: string,
): Promise<SnapshotContent> {
  await verifySnapshot(id, bytes, expected);
  let header: z.infer<typeof HeaderLine> | undefined;
  let end: z.infer<typeof EndLine> | undefined;
  const entries: SnapshotContent["entries"] = [];
  const manifests = new Map<string, SnapshotManifest>();
  let n = 0;
  try {
    for await (const line of lines(bytes.subarray(HEADER))) {
      n++;
      if (line === "") continue;
      if (end) throw new CorruptSnapshotError(id, `line ${n} follows the end line`);
      if (!header) {
        header = parseLine(id, n, HeaderLine, line);
      } else if (line.startsWith('{"k":')) {
        const k = parseLine(id, n, KeyLine, line);
        entries.push({ key: k.k, value: fromBase64(k.v) });
      } else if (line.startsWith('{"m":')) {
        const { m, ...rest } = parseLine(id, n, ManifestLine, line);
        manifests.set(m, rest);
      } else {
        end = parseLine(id, n, EndLine, line);
      }
    }
  } catch (e) {
    if (e instanceof CorruptSnapshotError) throw e;
    throw new CorruptSnapshotError(id, `body unreadable (${(e as Error).message})`);
  }
  if (!header) throw new CorruptSnapshotError(id, "empty body");
  if (!end || end.keys !== entries.length || end.manifests !== manifests.size) {
    throw new CorruptSnapshotError(id, "incomplete: the key or manifest count does not match");
  }
  const { format: _f, version: _v, keys: _k, manifests: _m, ...info } = header;
  return { info, entries, manifests };
}
