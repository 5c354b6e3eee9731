/**
 * What a start-up has to undo if a later step fails: each step that opens something registers
 * how to close it, and a failure closes everything opened so far, newest first, before the
 * error goes on. One list instead of a hand-written undo sequence per step that can fail, which
 * drifted apart as start-up grew (some steps were never undone).
 * @module
 */

/** Undo steps, run newest first by `unwind`. */
export class UndoStack {
  private readonly steps: (() => unknown)[] = [];

  /** Registers how to undo what was just opened or started. */
  push(step: () => unknown): void {
    this.steps.push(step);
  }

  /**
   * Runs every step, newest first, each once; a step that fails does not stop the others (the
   * start-up's own error is the one worth reporting).
   */
  async unwind(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step();
      } catch { /* closing what half-started: keep going */ }
    }
  }
}
