/** Tests of the zip reader on archives built here, entry by entry. */
import { assertEquals, assertRejects } from "./assert.ts";
import { readZipEntries } from "./zip.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A minimal zip (CRCs left 0: the reader does not check them). */
function makeZip(entries: { name: string; method: number; data: Uint8Array }[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const local = new Uint8Array(30 + name.length + e.data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, e.method, true);
    lv.setUint32(18, e.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(e.data, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, e.method, true);
    cv.setUint32(20, e.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const cdSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, end];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("zip: reads stored and deflated entries, only those wanted", async () => {
  const text = "// a comment\n" + '{"name": "ProduceRequest"}\n'.repeat(50);
  const zip = makeZip([
    { name: "a/stored.json", method: 0, data: enc.encode("stored") },
    { name: "a/deflated.json", method: 8, data: await deflate(enc.encode(text)) },
    { name: "b/other.class", method: 0, data: enc.encode("x") },
  ]);
  const got = await readZipEntries(zip, (n) => n.startsWith("a/"));
  assertEquals([...got.keys()], ["a/stored.json", "a/deflated.json"]);
  assertEquals(dec.decode(got.get("a/stored.json")), "stored");
  assertEquals(dec.decode(got.get("a/deflated.json")), text);
});

Deno.test("zip: a file that is not a zip is refused with a clear message", async () => {
  await assertRejects(
    () => readZipEntries(enc.encode("not a zip archive, just text".repeat(3)), () => true),
    Error,
    "Cannot read the zip archive: no end of central directory",
  );
});
