/**
 * `kafscale serve`: parses flags, validates the configuration, starts the broker and stops it
 * gracefully on SIGTERM/SIGINT (stop accepting, answer in-flight requests, flush and commit
 * buffered records, close stores), exiting 0 within a bounded time. SIGHUP re-reads the TLS
 * certificate and key of SSL and SASL_SSL listeners (a bad pair is logged and the old one kept).
 * @module
 */
import {
  ConfigError,
  describeConfig,
  envForFlag,
  loadConfig,
  settingDocs,
} from "../config/config.ts";
import { createLogger } from "../metrics/logger.ts";
import { startBroker } from "./broker.ts";
import { VERSION } from "./version.ts";
import process from "node:process";

const SHUTDOWN_LIMIT_MS = 30_000;

/** Help text for `kafscale serve --help`, listing every variable with its default. */
export function serveHelp(): string {
  const lines = settingDocs().map((s) => {
    const flag = "--" + s.env.replace(/^KAFSCALE_/, "").toLowerCase().replaceAll("_", "-");
    return `  ${flag.padEnd(28)} ${s.env.padEnd(32)} ${s.help}` +
      (s.default ? ` (default: ${s.default})` : "");
  });
  return [
    "Usage: kafscale serve [--flag value ...]",
    "",
    "Runs the broker. Every option is a flag or an environment variable; flags win.",
    "With neither KAFSCALE_S3_BUCKET nor KAFSCALE_ETCD_ENDPOINTS set, objects and metadata are",
    "kept under KAFSCALE_DATA_DIR (the embedded default).",
    "",
    "  flag                         variable                         meaning",
    ...lines,
    "",
  ].join("\n");
}

/** Turns `--flag value` / `--flag=value` pairs into variable overrides. */
export function parseServeFlags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes("=")
      ? arg.split(/=(.*)/s, 2) as [string, string]
      : [arg, undefined];
    const env = envForFlag(flag);
    if (!flag.startsWith("--") || !env) {
      throw new ConfigError(`Unknown option ${flag}; see kafscale serve --help`);
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new ConfigError(`Option ${flag} needs a value`);
    out[env] = value;
  }
  return out;
}

/** Runs the broker until a signal stops it; returns the exit code. */
export async function serve(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(serveHelp());
    return 0;
  }
  let config;
  try {
    config = loadConfig(parseServeFlags(args));
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`kafscale: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  log.info("kafscale starting", { version: VERSION, config: describeConfig(config) });
  // Node-style runtime warnings (MaxListenersExceededWarning from a library, deprecations) go
  // to the log with their stack, so a leak names its source instead of one bare stderr line.
  process.on("warning", (w: Error) => {
    log.warn("runtime warning", { name: w.name, message: w.message, stack: w.stack });
  });
  // Listen for SIGTERM/SIGINT before starting: the Kafka port accepts connections before the
  // broker has finished starting (HTTP, snapshots, compaction, transactions), and a signal in
  // that window would otherwise kill the process (exit 143) instead of stopping it gracefully.
  const stopped = Promise.withResolvers<string>();
  let starting = true;
  let startLimit: ReturnType<typeof setTimeout> | undefined;
  const onSignal = (sig: string) => () => {
    stopped.resolve(sig);
    // A start that hangs (a store that never answers) must not keep a stopped broker alive.
    if (starting) {
      startLimit ??= setTimeout(() => {
        log.error("stopped while starting; start-up did not finish in time", {
          limitMs: SHUTDOWN_LIMIT_MS,
        });
        Deno.exit(1);
      }, SHUTDOWN_LIMIT_MS);
    }
  };
  const handlers: [Deno.Signal, () => void][] = [["SIGTERM", onSignal("SIGTERM")], [
    "SIGINT",
    onSignal("SIGINT"),
  ]];
  for (const [sig, h] of handlers) Deno.addSignalListener(sig, h);
  let broker;
  try {
    broker = await startBroker(config, log);
  } catch (e) {
    clearTimeout(startLimit);
    for (const [sig, h] of handlers) Deno.removeSignalListener(sig, h);
    log.error("cannot start broker", { error: e });
    console.error(`kafscale: Cannot start broker: ${(e as Error).message}`);
    return 1;
  }
  if (config.listeners.some((l) => l.tls)) {
    const reload = () => {
      broker.reloadTls().catch((e) =>
        log.error("Cannot reload the TLS certificate; still serving the old one", { error: e })
      );
    };
    handlers.push(["SIGHUP", reload]);
    Deno.addSignalListener("SIGHUP", reload);
  }
  starting = false;
  clearTimeout(startLimit);
  const signal = await stopped.promise;
  log.info("shutting down", { signal });
  const limit = setTimeout(() => {
    log.error("shutdown took too long; exiting", { limitMs: SHUTDOWN_LIMIT_MS });
    Deno.exit(1);
  }, SHUTDOWN_LIMIT_MS);
  await broker.stop();
  clearTimeout(limit);
  for (const [sig, h] of handlers) Deno.removeSignalListener(sig, h);
  return 0;
}
