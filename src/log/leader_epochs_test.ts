import { assertEquals } from "../testing/assert.ts";
import { endOffsetForEpoch } from "./leader_epochs.ts";

const history = [
  { epoch: 0, start_offset: 0 },
  { epoch: 2, start_offset: 100 },
  { epoch: 5, start_offset: 250 },
];

Deno.test("leader epochs: latest epoch ends at the log end", () => {
  assertEquals(endOffsetForEpoch(history, 400, 5), { epoch: 5, endOffset: 400 });
});
Deno.test("leader epochs: an older epoch ends where the next starts", () => {
  assertEquals(endOffsetForEpoch(history, 400, 0), { epoch: 0, endOffset: 100 });
  assertEquals(endOffsetForEpoch(history, 400, 2), { epoch: 2, endOffset: 250 });
});
Deno.test("leader epochs: an unknown epoch between known ones answers the largest below it", () => {
  assertEquals(endOffsetForEpoch(history, 400, 3), { epoch: 2, endOffset: 250 });
});
Deno.test("leader epochs: above the latest is undefined (-1/-1)", () => {
  assertEquals(endOffsetForEpoch(history, 400, 9), { epoch: -1, endOffset: -1 });
  assertEquals(endOffsetForEpoch([], 0, 0), { epoch: -1, endOffset: -1 });
});

Deno.test("leader epochs: below the first known epoch ends where the first one starts", () => {
  assertEquals(endOffsetForEpoch([{ epoch: 3, start_offset: 10 }], 20, 1), {
    epoch: 1,
    endOffset: 10,
  });
});
