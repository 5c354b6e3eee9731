/** The compaction throttle: a one-second burst, then waits paid at the rate; closing stops waits. */
import { assertEquals, assertRejects } from "../testing/assert.ts";
import { Throttle, ThrottleClosedError } from "./throttle.ts";

Deno.test("throttle: bytes beyond a one-second burst wait at the rate", async () => {
  let now = 10_000;
  const waits: number[] = [];
  const t = new Throttle({
    bytesPerSecond: 1000,
    now: () => now,
    sleep: (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
  });
  await t.take(1000); // the burst
  await t.take(500);
  await t.take(500);
  assertEquals(waits, [500, 500]);
  now += 5000; // idle time earns at most one second
  await t.take(1500);
  assertEquals(waits, [500, 500, 500]);
  assertEquals(t.waitedMs, 1500);
});

Deno.test("throttle: no limit at 0; closing wakes a waiter and refuses later takes", async () => {
  await new Throttle({ bytesPerSecond: 0 }).take(1e12);
  const t = new Throttle({ bytesPerSecond: 1 });
  await t.take(1);
  const waiting = t.take(3600); // an hour
  t.close();
  await assertRejects(() => waiting, ThrottleClosedError);
  await assertRejects(() => t.take(1), ThrottleClosedError);
});
