import { assertEquals, assertThrows } from "../testing/assert.ts";
import {
  CorruptSegmentError,
  decodeSegment,
  encodeSegment,
  findBatch,
  parseOwnSegment,
} from "./segment_format.ts";

const batches = [
  { baseOffset: 100, lastOffset: 104, maxTimestamp: 5, bytes: new Uint8Array([1, 2, 3]) },
  { baseOffset: 105, lastOffset: 105, maxTimestamp: 9, bytes: new Uint8Array([4, 5]) },
];

Deno.test("segment format: a segment reads back with its batches, offsets and newest timestamp", () => {
  const seg = decodeSegment("k", encodeSegment(batches));
  assertEquals([seg.baseOffset, seg.lastOffset, seg.maxTimestamp], [100, 105, 9]);
  assertEquals(seg.batches, [
    { baseOffset: 100, lastOffset: 104, position: 0, size: 3 },
    { baseOffset: 105, lastOffset: 105, position: 3, size: 2 },
  ]);
  assertEquals([...seg.data], [1, 2, 3, 4, 5]);
  assertEquals(findBatch(seg, 105), 1);
  assertEquals(findBatch(seg, 106), -1);
});

Deno.test("segment format: a changed byte fails the checksum; our own bytes parse without it", () => {
  const bytes = encodeSegment(batches);
  assertEquals(parseOwnSegment(bytes), decodeSegment("k", bytes));
  const changed = bytes.slice();
  changed[48] = changed[48]! ^ 0xff; // the first data byte
  assertThrows(() => decodeSegment("k", changed), CorruptSegmentError, "checksum mismatch");
  assertThrows(() => decodeSegment("k", bytes.subarray(0, 40)), CorruptSegmentError, "too short");
  const wrongMagic = bytes.slice();
  wrongMagic[0] = 0;
  assertThrows(() => parseOwnSegment(wrongMagic), CorruptSegmentError, "bad magic");
});
