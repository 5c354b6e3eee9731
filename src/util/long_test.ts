import { assertEquals } from "../testing/assert.ts";
import { formatLong, LONG_MAX_TEXT, parseLong } from "./long.ts";

Deno.test("long: Long.MAX_VALUE is held as MAX_SAFE_INTEGER and shown as Long.MAX_VALUE again", () => {
  assertEquals(parseLong(LONG_MAX_TEXT), Number.MAX_SAFE_INTEGER);
  assertEquals(formatLong(parseLong(LONG_MAX_TEXT)!), LONG_MAX_TEXT);
  assertEquals(parseLong("-9223372036854775808"), Number.MIN_SAFE_INTEGER);
  assertEquals([parseLong(" 3600000 "), formatLong(3600000)], [3600000, "3600000"]);
});

Deno.test("long: anything but a whole number within Kafka's long range is refused", () => {
  for (const bad of ["", "1.5", "1e3", "abc", "9223372036854775808", "-9223372036854775809"]) {
    assertEquals(parseLong(bad), null, bad);
  }
});
