/**
 * Structured logs: one JSON line per event on stderr, filtered by `KAFSCALE_LOG_LEVEL`.
 * @module
 */

/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger that writes one line per event. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const encoder = new TextEncoder();

/** A logger writing JSON lines at or above `level` to `sink` (stderr by default). */
export function createLogger(
  level: LogLevel,
  sink: (line: string) => void = (l) => Deno.stderr.writeSync(encoder.encode(l + "\n")),
): Logger {
  const emit = (lvl: LogLevel) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const safe: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) safe[k] = v instanceof Error ? v.message : v;
    sink(JSON.stringify({ ts: new Date().toISOString(), level: lvl, msg, ...safe }));
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger("error", () => {});
