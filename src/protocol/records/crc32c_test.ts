import { crc32c } from "./crc32c.ts";
import { assertEquals } from "../../testing/assert.ts";

Deno.test("crc32c: standard check value of '123456789'", () => {
  assertEquals(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
});

Deno.test("crc32c: known vectors (zeros, ones, ascending)", () => {
  assertEquals(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assertEquals(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assertEquals(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assertEquals(crc32c(new Uint8Array(0)), 0);
});

Deno.test("crc32c: incremental equals whole, for every split point", () => {
  const data = Uint8Array.from({ length: 97 }, (_, i) => (i * 31 + 7) & 0xff);
  const whole = crc32c(data);
  for (let cut = 0; cut <= data.length; cut++) {
    assertEquals(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut))), whole);
  }
});
