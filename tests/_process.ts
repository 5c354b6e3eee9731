/**
 * A long-running client process whose stdout lines are collected as they arrive, for tests
 * that watch group members rebalance.
 * @module
 */

/** A running child with its output so far. */
export class Watched {
  readonly lines: string[] = [];
  private readonly child: Deno.ChildProcess;
  private readonly done: Promise<void>;

  constructor(cmd: string, args: string[], env: Record<string, string> = {}) {
    this.child = new Deno.Command(cmd, {
      args,
      env,
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    const read = async (stream: ReadableStream<Uint8Array>, keep: boolean) => {
      const dec = new TextDecoder();
      let rest = "";
      for await (const chunk of stream) {
        rest += dec.decode(chunk, { stream: true });
        const parts = rest.split("\n");
        rest = parts.pop()!;
        if (keep) this.lines.push(...parts);
      }
    };
    this.done = Promise.all([read(this.child.stdout, true), read(this.child.stderr, false)]).then(
      () => {},
    );
  }

  /** Waits until `pred` holds for the lines (polling), or throws after `ms`. */
  async waitFor(pred: (lines: string[]) => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this.lines)) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}; last lines: ${this.lines.slice(-5).join(" | ")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Records read: "partition offset value" strings. */
  records(): string[] {
    return this.lines.filter((l) => l.startsWith("R ")).map((l) => l.slice(2));
  }

  /** The latest assignment printed. */
  assignment(): number[] {
    const last = [...this.lines].reverse().find((l) => l.startsWith("ASSIGN"));
    return last ? last.slice(7).split(",").filter(Boolean).map(Number) : [];
  }

  /** Signals the process and waits for it to exit. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    try {
      this.child.kill(signal);
    } catch { /* gone */ }
    await this.child.status;
    await this.done;
  }
}
