/**
 * Reads entries of a zip archive (a Java jar) in memory, for tests that take reference data out
 * of the Kafka jars scripts/install_test_deps.sh downloads (no `unzip` needed). Supports what
 * jars use: stored and deflated entries, no zip64, no encryption.
 * @module
 */

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Inflates raw deflate data (zip method 8). */
async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Finds the end-of-central-directory record (it ends the file, before a short comment). */
function findEnd(view: DataView): number {
  const last = view.byteLength - 22;
  for (let at = last; at >= 0 && at >= last - 0xffff; at--) {
    if (view.getUint32(at, true) === EOCD) return at;
  }
  throw new Error("Cannot read the zip archive: no end of central directory (not a zip file?)");
}

/**
 * The contents of the entries whose names `wanted` accepts, by entry name.
 * Throws for a damaged archive or an entry stored in a way this reader does not support.
 */
export async function readZipEntries(
  bytes: Uint8Array,
  wanted: (name: string) => boolean,
): Promise<Map<string, Uint8Array>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEnd(view);
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) {
    throw new Error("Cannot read the zip archive: zip64 archives are not supported");
  }
  const names = new TextDecoder();
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== CENTRAL) {
      throw new Error(`Cannot read the zip archive: entry ${i} of ${count} is damaged`);
    }
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + skip;
    if (!wanted(name)) continue;
    if (view.getUint32(local, true) !== LOCAL) {
      throw new Error(`Cannot read ${name} from the zip archive: its local header is damaged`);
    }
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = bytes.subarray(start, start + compressed);
    if (method === 0) out.set(name, data.slice());
    else if (method === 8) out.set(name, await inflate(data));
    else throw new Error(`Cannot read ${name} from the zip archive: compression method ${method}`);
  }
  return out;
}
