/**
 * The compactor's key map: MurmurHash3_x86_128 matches the reference (SMHasher's verification
 * value), the map keeps the latest offset per key, refuses new keys once full (existing ones
 * still update), and empties for the next pass.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { KeyMap, murmur3x86_128, SLOT_BYTES } from "./key_map.ts";

Deno.test("key map: MurmurHash3_x86_128 gives SMHasher's verification value 0xB3ECE62A", () => {
  const key = new Uint8Array(256);
  const hashes = new Uint8Array(16 * 256);
  const out = new Uint32Array(4);
  for (let i = 0; i < 256; i++) {
    key[i] = i;
    murmur3x86_128(key.subarray(0, i), out, 256 - i);
    hashes.set(new Uint8Array(out.buffer), i * 16); // little-endian words, as on x86
  }
  murmur3x86_128(hashes, out, 0);
  assertEquals(out[0], 0xb3ece62a);
});

const enc = new TextEncoder();

Deno.test("key map: the latest offset per key; full maps take no new key", () => {
  const map = new KeyMap(16 * SLOT_BYTES); // 16 slots, 14 keys
  assertEquals(map.capacity, 14);
  for (let i = 0; i < 14; i++) assert(map.put(enc.encode(`k${i}`), i));
  assertEquals(map.put(enc.encode("new"), 100), false);
  assertEquals(map.get(enc.encode("new")), -1);
  assert(map.put(enc.encode("k3"), 200)); // an existing key still updates
  assertEquals(map.get(enc.encode("k3")), 200);
  assertEquals(map.get(enc.encode("k4")), 4);
  assertEquals(map.size, 14);
  map.clear();
  assertEquals([map.size, map.get(enc.encode("k3"))], [0, -1]);
  assert(map.put(enc.encode("new"), 7));
  assertEquals(map.get(new Uint8Array()), -1);
});

Deno.test("key map: 200,000 distinct keys of every length read back their own offsets", () => {
  const map = new KeyMap(300_000 * SLOT_BYTES);
  const keyOf = (i: number) => enc.encode(`${"x".repeat(i % 40)}${i}`);
  for (let i = 0; i < 200_000; i++) assert(map.put(keyOf(i), i));
  for (let i = 0; i < 200_000; i += 7) assertEquals(map.get(keyOf(i)), i);
  assertEquals(map.size, 200_000);
});
