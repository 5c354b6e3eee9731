import { FrameDecoder, FrameSizeError } from "./framing.ts";

function frame(body: number[]): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setInt32(0, body.length);
  out.set(body, 4);
  return out;
}

function eq(a: Uint8Array[], b: number[][]) {
  const x = JSON.stringify(a.map((f) => [...f]));
  const y = JSON.stringify(b);
  if (x !== y) throw new Error(`${x} !== ${y}`);
}

Deno.test("framing: whole frames in one chunk", () => {
  const d = new FrameDecoder(100);
  const bytes = new Uint8Array([...frame([1, 2]), ...frame([]), ...frame([3])]);
  eq(d.push(bytes), [[1, 2], [], [3]]);
});

Deno.test("framing: frames split at every byte boundary", () => {
  const bytes = new Uint8Array([...frame([1, 2, 3, 4, 5]), ...frame([6, 7])]);
  const d = new FrameDecoder(100);
  const got: Uint8Array[] = [];
  for (const b of bytes) got.push(...d.push(new Uint8Array([b])));
  eq(got, [[1, 2, 3, 4, 5], [6, 7]]);
  if (d.pendingBytes !== 0) throw new Error("bytes left over");
});

Deno.test("framing: truncated frame stays pending", () => {
  const d = new FrameDecoder(100);
  eq(d.push(frame([1, 2, 3]).subarray(0, 6)), []);
  if (d.pendingBytes !== 2) throw new Error(`pending ${d.pendingBytes}`);
});

Deno.test("framing: oversized frame is refused before buffering it", () => {
  const d = new FrameDecoder(10);
  let caught: unknown;
  try {
    d.push(frame(new Array(11).fill(0)).subarray(0, 4));
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof FrameSizeError) || caught.size !== 11) throw new Error("no size error");
});

Deno.test("framing: negative size is refused", () => {
  const d = new FrameDecoder(10);
  let caught: unknown;
  try {
    d.push(new Uint8Array([0xff, 0xff, 0xff, 0xfe]));
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof FrameSizeError)) throw new Error("no size error");
});

Deno.test("framing: a limit given as a function is read at each frame (lower before SASL login)", () => {
  let limit = 5;
  const d = new FrameDecoder(() => limit);
  eq(d.push(frame([1, 2, 3])), [[1, 2, 3]]);
  let caught: unknown;
  try {
    d.push(frame(new Array(8).fill(0)));
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof FrameSizeError) || caught.limit !== 5) throw new Error("no size error");
  limit = 100; // logged in
  const again = new FrameDecoder(() => limit);
  eq(again.push(frame(new Array(8).fill(1))), [new Array(8).fill(1)]);
});
