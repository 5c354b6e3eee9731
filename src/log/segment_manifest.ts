/**
 * Segment manifests (DESIGN.md invariant 8): the older part of a partition's segment list lives
 * in an immutable object in the object store, so the metadata store keeps per partition only
 * its record (log end, epochs, producers, and a pointer to the newest manifest) and a bounded
 * tail of recent segment references. Each roll writes a whole new manifest under a new key and
 * swaps the pointer in the partition's fenced transaction; the old manifest becomes garbage.
 *
 * Layout, big-endian: magic "KMAN" u32, version u16, reserved u16, CRC32C of the body u32,
 * body length u32, body = gzip of JSON `{ topic, partition, segments: SegmentRef[] }`. Every
 * read verifies the checksum and validates each reference.
 * @module
 */
import { z } from "zod";
import { crc32c } from "../protocol/records/crc32c.ts";
import type { ObjectStore } from "../object_store/types.ts";
import { type SegmentRef, SegmentRefSchema } from "../metadata/records.ts";
import { StorageReadError } from "./storage_errors.ts";

const MAGIC = 0x4b4d_414e; // "KMAN"
const VERSION = 1;
const HEADER = 16;

const BodySchema = z.object({
  topic: z.string(),
  partition: z.number().int().min(0),
  segments: z.array(SegmentRefSchema),
});

/** What a manifest says. */
export interface Manifest {
  topic: string;
  partition: number;
  segments: SegmentRef[];
}

async function pipe(
  bytes: Uint8Array,
  stream: { readable: ReadableStream<Uint8Array>; writable: WritableStream<BufferSource> },
) {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** Encodes a manifest object. */
export async function encodeManifest(m: Manifest): Promise<Uint8Array> {
  const json = new TextEncoder().encode(JSON.stringify(m));
  const body = await pipe(json, new CompressionStream("gzip"));
  const out = new Uint8Array(HEADER + body.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC);
  view.setUint16(4, VERSION);
  view.setUint32(8, crc32c(body));
  view.setUint32(12, body.byteLength);
  out.set(body, HEADER);
  return out;
}

/** Decodes and verifies a manifest object; throws naming the key when it is corrupt. */
export async function decodeManifest(key: string, bytes: Uint8Array): Promise<Manifest> {
  const fail = (why: string) => new StorageReadError(`Cannot read segment manifest ${key}: ${why}`);
  if (bytes.byteLength < HEADER) throw fail("too short");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== MAGIC) throw fail("bad magic");
  if (view.getUint16(4) !== VERSION) throw fail(`unknown version ${view.getUint16(4)}`);
  const length = view.getUint32(12);
  if (HEADER + length !== bytes.byteLength) throw fail("length mismatch");
  const body = bytes.subarray(HEADER);
  if (crc32c(body) !== view.getUint32(8)) throw fail("checksum mismatch");
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await pipe(body, new DecompressionStream("gzip"))));
  } catch (e) {
    throw fail(`body unreadable (${(e as Error).message})`);
  }
  const parsed = BodySchema.safeParse(json);
  if (!parsed.success) throw fail(parsed.error.issues[0]?.message ?? "invalid");
  return parsed.data;
}

/** A new, unique key for a manifest of a partition. */
export function manifestKey(namespace: string, topic: string, partition: number): string {
  const stamp = String(Date.now()).padStart(15, "0");
  return `${namespace}/manifests/${encodeURIComponent(topic)}/${partition}/` +
    `${stamp}-${crypto.randomUUID()}.manifest`;
}

/** Whether an object key names a manifest. */
export function isManifestKey(key: string): boolean {
  return key.endsWith(".manifest");
}

/** Reads a manifest from the object store. */
export async function loadManifest(objects: ObjectStore, key: string): Promise<Manifest> {
  const obj = await objects.get(key);
  if (obj === null) {
    throw new StorageReadError(`Cannot read segment manifest ${key}: the object is missing`);
  }
  return await decodeManifest(key, obj);
}
