import { crc32c } from "./crc32c.ts";
import { assertEquals } from "../../testing/assert.ts";
import { seededRandom } from "./_prng.ts";

/** Bit-at-a-time reference: slow, obviously right. */
function reference(bytes: Uint8Array, initial = 0): number {
  let c = ~initial >>> 0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

Deno.test("crc32c: standard check value of '123456789' is 0xE3069283", () => {
  assertEquals(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
});

Deno.test("crc32c: known vectors (32 zeros, 32 x 0xFF, ascending 0..31, empty)", () => {
  assertEquals(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assertEquals(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assertEquals(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assertEquals(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  assertEquals(crc32c(new Uint8Array(0)), 0);
});

Deno.test("crc32c: incremental equals whole, for every split point", () => {
  const data = Uint8Array.from({ length: 700 }, (_, i) => (i * 31 + 7) & 0xff);
  const whole = crc32c(data);
  for (let cut = 0; cut <= data.length; cut++) {
    assertEquals(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut))), whole);
  }
});

Deno.test("crc32c: matches a bitwise reference at every length, alignment and seed", () => {
  const rnd = seededRandom(7);
  const pool = Uint8Array.from({ length: 4096 }, () => Math.floor(rnd() * 256));
  for (let iter = 0; iter < 400; iter++) {
    // Lengths straddle the byte path, the word path threshold and the 16-byte block edges.
    const len = iter < 300 ? iter : Math.floor(rnd() * 4000);
    const start = Math.floor(rnd() * 8);
    const slice = pool.subarray(start, start + len);
    const initial = iter % 3 === 0 ? 0 : Math.floor(rnd() * 4294967296);
    assertEquals(crc32c(slice, initial), reference(slice, initial), `len ${len} at ${start}`);
  }
});

Deno.test("crc32c: a view over a larger buffer sums only its own bytes", () => {
  const big = new Uint8Array(2048).fill(0xaa);
  const mid = big.subarray(333, 333 + 1000);
  assertEquals(crc32c(mid), reference(new Uint8Array(1000).fill(0xaa)));
});
