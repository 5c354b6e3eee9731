import { assertEquals } from "../testing/assert.ts";
import { UndoStack } from "./undo_stack.ts";

Deno.test("undo stack: steps run newest first, once each, and a failing step does not stop the rest", async () => {
  const done: string[] = [];
  const undo = new UndoStack();
  undo.push(() => done.push("stores"));
  undo.push(async () => {
    await Promise.resolve();
    done.push("registry");
  });
  undo.push(() => {
    throw new Error("closing twice");
  });
  undo.push(() => done.push("listeners"));
  await undo.unwind();
  assertEquals(done, ["listeners", "registry", "stores"]);
  await undo.unwind();
  assertEquals(done.length, 3, "a second unwind has nothing left to run");
});
