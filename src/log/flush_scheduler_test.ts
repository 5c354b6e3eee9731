/**
 * The flush scheduler on a clock the test drives: an idle scheduler starts a cycle at the end of
 * the turn; with spacing 0, requests during a cycle go into the next one (started when it
 * finishes); starts are at least the spacing apart, and with a spacing slow cycles overlap up to
 * a limit; closing cancels what was scheduled.
 */
import { assertEquals } from "../testing/assert.ts";
import { FlushScheduler } from "./flush_scheduler.ts";
import { FakeTimers, settle } from "./_fake_timers.ts";

/** A scheduler whose cycles the test finishes (or fails) one by one. */
function harness(spacingMs: number) {
  const timers = new FakeTimers();
  const cycles: Array<{ startedAt: number; finish: () => void; fail: (e: Error) => void }> = [];
  const scheduler = new FlushScheduler(
    () =>
      new Promise<void>((finish, fail) => cycles.push({ startedAt: timers.now(), finish, fail })),
    { spacingMs, timers },
  );
  /** Finishes the cycle in flight and lets the scheduler see it. */
  const finish = async () => {
    cycles.at(-1)!.finish();
    await settle();
  };
  return { timers, cycles, scheduler, finish };
}

Deno.test("flush scheduler: an idle scheduler starts one cycle at the end of the turn", () => {
  const { timers, cycles, scheduler } = harness(0);
  scheduler.request();
  scheduler.request(); // another partition appended in the same turn
  scheduler.request();
  assertEquals(scheduler.state, "waiting");
  assertEquals(cycles.length, 0, "not inside the append itself");
  assertEquals(timers.scheduled, { soon: 1, timers: [] }, "no timer: the end of this turn");
  timers.turn();
  assertEquals(cycles.length, 1);
  assertEquals(scheduler.state, "running");
  cycles[0]!.finish();
  return scheduler.close();
});

Deno.test("flush scheduler: with spacing 0, requests during a cycle go into the next, started when it ends", async () => {
  const { timers, cycles, scheduler, finish } = harness(0);
  scheduler.request();
  timers.turn();
  scheduler.request(); // appends while the first cycle is in flight
  scheduler.request();
  timers.turn();
  assertEquals(cycles.length, 1, "one cycle in flight at a time");
  assertEquals(timers.scheduled, { soon: 0, timers: [] });
  await finish();
  assertEquals(scheduler.state, "waiting");
  timers.turn();
  assertEquals(cycles.length, 2, "the next cycle started right after the first");
  await finish();
  assertEquals(scheduler.state, "idle", "nothing was asked for during the second cycle");
  assertEquals(timers.scheduled, { soon: 0, timers: [] });
  await scheduler.close();
});

Deno.test("flush scheduler: starts are at least the spacing apart, never bunched by requests", async () => {
  const { timers, cycles, scheduler } = harness(10);
  scheduler.request(); // idle for long: starts at the end of the turn
  timers.turn();
  assertEquals(cycles.map((c) => c.startedAt), [0]);
  timers.advance(3);
  cycles[0]!.finish(); // the cycle took 3 ms
  await settle();
  for (let i = 0; i < 50; i++) scheduler.request(); // a burst of produce requests
  timers.turn();
  assertEquals(cycles.length, 1);
  assertEquals(timers.scheduled, { soon: 0, timers: [10] }, "waits out the spacing");
  timers.advance(6);
  assertEquals(cycles.length, 1);
  timers.advance(1);
  assertEquals(cycles.map((c) => c.startedAt), [0, 10]);
  cycles[1]!.finish();
  await settle();
  timers.advance(100);
  scheduler.request(); // idle again for long: no wait
  timers.turn();
  assertEquals(cycles.map((c) => c.startedAt), [0, 10, 110]);
  cycles[2]!.finish();
  await scheduler.close();
});

Deno.test("flush scheduler: with a spacing, slow cycles overlap up to the limit, paced by the spacing", async () => {
  const { timers, cycles, scheduler } = harness(10);
  for (let t = 0; t < 60; t += 10) { // a request every 10 ms; no cycle finishes (a slow PUT)
    scheduler.request();
    timers.turn();
    timers.advance(10);
  }
  assertEquals(cycles.map((c) => c.startedAt), [0, 10, 20, 30], "MAX_CYCLES_IN_FLIGHT");
  assertEquals(scheduler.state, "running");
  cycles[0]!.finish();
  await settle();
  timers.turn(); // the spacing has long passed: the held-back work starts at once
  assertEquals(cycles.map((c) => c.startedAt), [0, 10, 20, 30, 60]);
  for (const c of cycles.slice(1)) c.finish();
  await scheduler.close();
});

Deno.test("flush scheduler: a failed cycle does not stop the next one", async () => {
  const { timers, cycles, scheduler } = harness(0);
  scheduler.request();
  timers.turn();
  scheduler.request();
  cycles[0]!.fail(new Error("S3 is down"));
  await settle();
  timers.turn();
  assertEquals(cycles.length, 2);
  cycles[1]!.finish();
  await scheduler.close();
});

Deno.test("flush scheduler: close cancels a scheduled start and waits for the cycle in flight", async () => {
  const { timers, cycles, scheduler } = harness(10);
  scheduler.request();
  timers.turn();
  scheduler.request(); // the next cycle is due after this one
  let closed = false;
  const closing = scheduler.close().then(() => closed = true);
  await settle();
  assertEquals(closed, false, "the cycle in flight is waited for");
  cycles[0]!.finish();
  await closing;
  timers.advance(100);
  timers.turn();
  scheduler.request();
  timers.turn();
  assertEquals([cycles.length, scheduler.state], [1, "closed"]);
  assertEquals(timers.scheduled, { soon: 0, timers: [] });
});
