/**
 * The snappy and lz4 codecs against reference output (the lz4 command line tool's frame with
 * linked blocks, block and content checksums and a content size; the Snappy library's raw
 * block), round trips of both through every form at block and fragment edges, Kafka's frame
 * header, xxHash32 vectors, and bad input: every prefix of a valid stream and a stream with
 * damaged bytes either decode or throw an Error, never hang or throw anything else.
 */
import { assert, assertEquals } from "../../testing/assert.ts";
import { lz4Compress, lz4Decompress, xxh32 } from "./lz4.ts";
import { isXerial, snappyCompress, snappyDecompress } from "./snappy.ts";

const enc = new TextEncoder();
const hex = (s: string) => new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)));
const TEXT = "kafscale kafscale kafscale: the quick brown fox jumps over the lazy dog, the quick " +
  "brown fox!";
/** `lz4 -BD -BX --content-size` of TEXT (lz4 1.9). */
const LZ4_CLI = hex(
  "04224d187c405d0000000000000068450000009d6b61667363616c65200900f1113a2074686520717569636b2062" +
    "726f776e20666f78206a756d7073206f7665721f00916c617a7920646f672c0e00072d005020666f78210462ce74" +
    "00000000dbb94e00",
);
/** python-snappy's `compress` of TEXT (raw). */
const SNAPPY_REF = hex(
  "5d206b61667363616c65204209007c3a2074686520717569636b2062726f776e20666f78206a756d7073206f7665" +
    "72051f206c617a7920646f672c050e3a2d000021",
);

/** Inputs at the codecs' edges: empty, tiny, block and fragment sizes, incompressible. */
function inputs(): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  for (const n of [0, 1, 4, 12, 13, 60, 61, 257, 32768, 65535, 65536, 65537, 200_000]) {
    out.push([`random ${n}`, Uint8Array.from({ length: n }, random)]);
    out.push([`text ${n}`, Uint8Array.from({ length: n }, (_, i) => TEXT.charCodeAt(i % 70))]);
    out.push([`runs ${n}`, Uint8Array.from({ length: n }, (_, i) => (i >> 9) & 3)]);
  }
  return out;
}

Deno.test("codecs: xxHash32 vectors and the frame header Kafka's reader checks", () => {
  assertEquals(xxh32(new Uint8Array()), 0x02cc5d05);
  assertEquals(xxh32(enc.encode("a")), 0x550d7456);
  assertEquals(xxh32(enc.encode("Nobody inspects the spammish repetition")), 0xe2293b2f);
  // Magic, FLG (independent blocks), BD (64 KiB), then the header checksum byte.
  assertEquals([...lz4Compress(enc.encode("x")).subarray(0, 7)], [
    4,
    0x22,
    0x4d,
    0x18,
    0x60,
    0x40,
    0x82,
  ]);
});

Deno.test("codecs: reference lz4 frame and snappy block decode", () => {
  assertEquals(new TextDecoder().decode(lz4Decompress(LZ4_CLI)), TEXT);
  assertEquals(new TextDecoder().decode(snappyDecompress(SNAPPY_REF)), TEXT);
});

Deno.test("codecs: lz4 and both snappy forms round-trip at block and fragment edges", () => {
  for (const [name, data] of inputs()) {
    const lz4 = lz4Compress(data);
    assertEquals(lz4Decompress(lz4), data, `lz4 ${name}`);
    for (const xerial of [false, true]) {
      const s = snappyCompress(data, xerial);
      assertEquals(isXerial(s), xerial);
      assertEquals(snappyDecompress(s), data, `snappy ${xerial ? "xerial" : "raw"} ${name}`);
    }
    if (name.startsWith("runs") && data.length > 1000) {
      assert(lz4.length < data.length / 10 && snappyCompress(data).length < data.length / 10);
    }
  }
});

Deno.test("codecs: truncated or damaged streams decode or throw an Error, nothing else", () => {
  const data = inputs().find(([n]) => n === "text 65537")![1];
  const streams = [
    ["lz4", lz4Compress(data), lz4Decompress],
    ["snappy raw", snappyCompress(data, false), snappyDecompress],
    ["snappy xerial", snappyCompress(data, true), snappyDecompress],
  ] as const;
  for (const [name, s, decode] of streams) {
    const cuts = [0, 1, 5, 7, 15, 16, 17, 20, 100, s.length >> 1, s.length - 5, s.length - 1];
    for (const cut of cuts) {
      try {
        decode(s.subarray(0, cut));
      } catch (e) {
        assert(
          e instanceof Error && /Cannot decompress/.test(e.message),
          `${name} cut ${cut}: ${e}`,
        );
      }
    }
    for (let at = 0; at < Math.min(s.length, 400); at += 3) {
      const bad = s.slice();
      bad[at] = bad[at]! ^ 0xa5;
      try {
        decode(bad);
      } catch (e) {
        assert(
          e instanceof Error && /Cannot decompress/.test(e.message),
          `${name} byte ${at}: ${e}`,
        );
      }
    }
  }
});

Deno.test("codecs: a length header larger than the data holds is refused before allocating", () => {
  // Raw snappy claiming 2 GiB of output from 7 bytes; an lz4 frame claiming 1 TiB of content.
  const snappy = hex("ffffffff07" + "0061");
  let thrown: unknown;
  try {
    snappyDecompress(snappy);
  } catch (e) {
    thrown = e;
  }
  assert(String(thrown).includes("length header larger"), String(thrown));
  const frame = hex("04224d18" + "68" + "40" + "0000000000010000" + "00" + "00000000");
  assertEquals(lz4Decompress(frame).length, 0);
});
