import { assert, assertEquals } from "../testing/assert.ts";
import { EventLoopMonitor } from "./event_loop.ts";

Deno.test("event loop: a blocked sample keeps readiness down for the hold time, then it recovers", () => {
  const m = new EventLoopMonitor({ blockedMs: 2000, holdMs: 15_000 });
  m.record(3, 1000);
  assertEquals(m.blocked(1100), null);
  m.record(4200, 6000);
  const why = m.blocked(6100);
  assert(why?.startsWith("event loop was blocked for 4.2 s"), String(why));
  m.record(1, 6500);
  assert(m.blocked(20_000) !== null, "still within the hold time");
  m.record(1, 21_000);
  assertEquals(m.blocked(21_001), null);
  assertEquals(m.maxRecentMs(), 4200);
  m.record(1, 70_000); // the blocked sample is now older than a minute
  assertEquals(m.maxRecentMs(), 1);
});

Deno.test("event loop: a sampling timer overdue by seconds is reported while sampling runs", () => {
  const m = new EventLoopMonitor({ intervalMs: 500, blockedMs: 2000 });
  m.start();
  try {
    const now = performance.now();
    assertEquals(m.blocked(now), null);
    const why = m.blocked(now + 3000);
    assert(why?.startsWith("event loop stalled: the lag timer is 2."), String(why));
    assert(m.maxRecentMs(now + 3000) >= 2000, "an overdue timer counts as lag");
  } finally {
    m.stop();
  }
  assertEquals(m.blocked(performance.now() + 3000), null, "a stopped monitor reports nothing");
});

Deno.test("event loop: synchronous work longer than the interval is sampled as lag", async () => {
  const lags: number[] = [];
  const seen = Promise.withResolvers<void>();
  const m = new EventLoopMonitor({
    intervalMs: 50,
    onSample(lag) {
      lags.push(lag);
      if (lag >= 250) seen.resolve();
    },
  });
  m.start();
  try {
    const until = performance.now() + 400;
    while (performance.now() < until) { /* block the loop */ }
    await seen.promise; // the timer due 50 ms in fires at least 350 ms late
    assert(m.maxRecentMs() >= 250, `max ${m.maxRecentMs()}`);
  } finally {
    m.stop();
  }
});
