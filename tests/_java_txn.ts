/**
 * The transactional Java test client (tests/clients/java/Txn.java), compiled against a Kafka
 * release's client jars (3.7 or 4): run a mode to completion, or start one in the background.
 * @module
 */
import { assertEquals } from "../src/testing/assert.ts";
import { removeDir, run, toolsDir } from "./_harness.ts";

const SOURCE = new URL("./clients/java/Txn.java", import.meta.url).pathname;
const JARS: Record<string, string> = { "3.7": "kafka-3.7.2", "4": "kafka-4.0.0" };

/** Compiles Txn.java against a release's client jars once; returns a runner of its modes. */
export async function javaTxn(version: string) {
  const jars = `${toolsDir()}/${JARS[version]}/*`;
  const out = await Deno.makeTempDir({ prefix: "kafscale-txn-java-" });
  const c = await run("javac", ["-cp", jars, "-d", out, SOURCE], { timeoutMs: 180_000 });
  assertEquals(c.code, 0, c.stderr);
  const argv = (args: string[]) => ["-Xmx256m", "-cp", `${out}:${jars}`, "Txn", ...args];
  return {
    run: (args: string[], timeoutMs = 180_000) => run("java", argv(args), { timeoutMs }),
    /** Starts a mode in the background; `done` resolves its exit code and output. */
    start(args: string[]) {
      const child = new Deno.Command("java", {
        args: argv(args),
        stdout: "piped",
        stderr: "piped",
        stdin: "null",
      }).spawn();
      const dec = new TextDecoder();
      return {
        done: child.output().then((o) => ({
          code: o.code,
          stdout: dec.decode(o.stdout),
          stderr: dec.decode(o.stderr),
        })),
        kill: () => {
          try {
            child.kill("SIGKILL");
          } catch { /* exited */ }
        },
      };
    },
    cleanup: () => removeDir(out),
  };
}

/** Values a consume run printed (without its END line), and the count it reported. */
export function consumed(stdout: string): { values: string[]; count: number } {
  const lines = stdout.split("\n").filter(Boolean);
  const end = lines.find((l) => l.startsWith("END "));
  return {
    values: lines.filter((l) => !l.startsWith("END ")),
    count: end ? Number(end.slice(4)) : -1,
  };
}
