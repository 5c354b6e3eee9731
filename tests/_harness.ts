/**
 * Helpers for end-to-end tests: start the real broker as a child process (the same entry
 * point and permission flags as `deno task start` and the compiled binary), find free ports,
 * run client programs with hard timeouts, and locate installed tools.
 * @module
 */
import { freePort } from "../src/testing/ports.ts";
export { freePort };
import { brokerPermissions as permissionFlags } from "../src/cli/permissions.ts";

const ROOT = new URL("../", import.meta.url).pathname;

let npmCache: string | undefined;
/** Deno's npm cache, which `deno run` must read (a compiled binary embeds its packages). */
export function npmCacheDir(): string {
  if (npmCache === undefined) {
    const out = new Deno.Command(`${ROOT}scripts/deno`, { args: ["info", "--json"] }).outputSync();
    npmCache = JSON.parse(new TextDecoder().decode(out.stdout)).npmCache as string;
  }
  return npmCache;
}

/**
 * The permission flags of `deno task start` and the compiled binary (src/cli/permissions.ts)
 * for a broker whose data directory is `dataDir`, plus read access to Deno's npm cache, which
 * only `deno run` needs (a compiled binary embeds its packages).
 */
export function brokerPermissions(dataDir: string, readOnly: string[] = []): string[] {
  return permissionFlags({ dataDir, readOnly: [npmCacheDir(), ...readOnly] });
}

/** Where scripts/install_test_deps.sh puts tools. */
export function toolsDir(): string {
  return Deno.env.get("KAFSCALE_TOOLS_DIR") ??
    `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/kafscale`;
}

/**
 * The franz-go test program built from this checkout's tests/clients/go (named by the hash of
 * its sources, so another checkout sharing the tools folder cannot replace it).
 */
export async function kgoClient(): Promise<string> {
  const dir = `${ROOT}tests/clients/go/`;
  const parts = await Promise.all(
    ["main.go", "go.mod", "go.sum"].map((f) => Deno.readFile(dir + f)),
  );
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const hash = [...new Uint8Array(await crypto.subtle.digest("SHA-256", all))]
    .map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 12);
  return requireTool(`${toolsDir()}/kgoclient-${hash}`);
}

/** Throws a clear message when an installed tool is missing. */
export function requireTool(path: string): string {
  try {
    Deno.statSync(path);
    return path;
  } catch {
    throw new Error(`Missing ${path}: run scripts/install_test_deps.sh first`);
  }
}

/** A running broker process. */
export interface BrokerProcess {
  bootstrap: string;
  port: number;
  metricsPort: number;
  dataDir: string;
  /** Sends a signal and waits for the exit; resolves the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
  /** Sends a signal without waiting (SIGSTOP/SIGCONT: a paused broker). */
  signal(signal: Deno.Signal): void;
  /** Everything the broker wrote to stderr so far. */
  stderr(): string;
}

/** Options for `startBroker`. */
export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /**
   * The port to wait for (default: a free one, given as KAFSCALE_BROKER_ADDR unless `env` sets
   * KAFSCALE_LISTENERS, which must then include it).
   */
  port?: number;
  /** Files and folders the broker may read besides its data directory (TLS files). */
  readOnly?: string[];
  /**
   * The kafscale command before `serve` (default: `deno run` of main.ts with
   * `brokerPermissions(dataDir)`), e.g. a compiled binary.
   */
  exec?: { cmd: string; args: string[] };
}

/**
 * Starts `main.ts serve` (or `options.exec` with `serve`) and waits until its Kafka port and its
 * HTTP (metrics) port accept connections.
 */
export async function startBroker(options: StartOptions = {}): Promise<BrokerProcess> {
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "kafscale-test-" });
  const port = options.port ?? freePort();
  const metricsPort = freePort();
  const exec = options.exec ?? {
    cmd: `${ROOT}scripts/deno`,
    args: ["run", ...brokerPermissions(dataDir, options.readOnly), `${ROOT}main.ts`],
  };
  const listeners = options.env?.KAFSCALE_LISTENERS !== undefined;
  const child = new Deno.Command(exec.cmd, {
    args: [...exec.args, "serve"],
    env: {
      KAFSCALE_DATA_DIR: dataDir,
      ...(listeners ? {} : { KAFSCALE_BROKER_ADDR: `127.0.0.1:${port}` }),
      KAFSCALE_METRICS_ADDR: `127.0.0.1:${metricsPort}`,
      KAFSCALE_LOG_LEVEL: "warn",
      ...options.env,
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let err = "";
  const decoder = new TextDecoder();
  const drained = (async () => {
    for await (const chunk of child.stderr) err += decoder.decode(chunk, { stream: true });
  })();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      await drained;
      throw new Error(`Broker exited during start-up:\n${err}`);
    }
    try {
      // Ready when both the Kafka and the HTTP (metrics, console) listeners accept: the HTTP
      // one opens a moment after the Kafka one.
      for (const p of [port, metricsPort]) {
        (await Deno.connect({ hostname: "127.0.0.1", port: p })).close();
      }
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await status;
        await drained;
        throw new Error(`Broker did not listen on both its ports within 30 s:\n${err}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    metricsPort,
    dataDir,
    async stop(signal: Deno.Signal = "SIGTERM") {
      if (!exited) {
        try {
          child.kill(signal);
        } catch { /* already gone */ }
      }
      const s = await status;
      await drained;
      return s.code;
    },
    signal(signal: Deno.Signal) {
      if (exited) return;
      try {
        child.kill(signal);
      } catch { /* exited meanwhile */ }
    },
    stderr: () => err,
  };
}

/** The result of a command. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with a hard timeout (the child is killed when it expires). */
export async function run(
  cmd: string,
  args: string[],
  options: {
    env?: Record<string, string>;
    timeoutMs?: number;
    stdin?: string | Uint8Array;
    cwd?: string;
  } = {},
): Promise<CommandResult> {
  const child = new Deno.Command(cmd, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: options.stdin !== undefined ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, options.timeoutMs ?? 120_000);
  // Output is collected while stdin is written: a child that fills its stderr pipe before it
  // has read all its input would otherwise block us both.
  const output = child.output();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    try {
      await w.write(
        typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin,
      );
      await w.close();
    } catch { /* the child exited (or was killed) before reading everything */ }
  }
  const out = await output;
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Removes a test's data directory. */
export async function removeDir(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/**
 * Polls `get` every 200 ms until `ok` holds (`timeoutMs`, 30 s by default, at most); throws
 * naming `what` and the last value.
 */
export async function until<T>(
  what: string,
  get: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get().catch(() => undefined);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(v)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
