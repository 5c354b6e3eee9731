/**
 * `kafscale users add|list|delete`: SCRAM users written straight into the metadata store that
 * `serve` uses under the same flags and environment (the local data directory, or etcd), so
 * the first user exists before the first broker starts. Brokers read credentials at every
 * login, so a change counts at once on every broker. Passwords come only from standard input
 * (`--password-stdin`), never from the command line; only salt, iterations, StoredKey and
 * ServerKey are stored.
 *
 * On the embedded default the data directory is locked by a running broker: stop it, or change
 * users through the broker with `kafka-configs.sh --entity-type users`.
 * @module
 */
import { ConfigError, loadConfig } from "../config/config.ts";
import { parseServeFlags } from "./serve.ts";
import { openMetadataStore } from "./stores.ts";
import { MetadataCredentialStore } from "../auth/credentials.ts";
import { isScramMechanism, SCRAM_MECHANISMS } from "../auth/sasl.ts";
import {
  makeCredential,
  MAX_ITERATIONS,
  MIN_ITERATIONS,
  SCRAM_HASH,
  type ScramMechanism,
} from "../auth/scram.ts";
import { print } from "./admin/output.ts";

/** Help text of `kafscale users`. */
export const USERS_HELP =
  `User commands (SCRAM credentials in the metadata store; take serve's flags and variables):
  kafscale users add <name> --password-stdin [--mechanism SCRAM-SHA-256|SCRAM-SHA-512 ...]
                            [--iterations N]     (default: both mechanisms, 8192 iterations)
  kafscale users list [--json]
  kafscale users delete <name> [--mechanism M]   (default: every mechanism of the user)
`;

const DEFAULT_ITERATIONS = 8192;

interface UserArgs {
  positional: string[];
  mechanisms: ScramMechanism[];
  iterations: number;
  passwordStdin: boolean;
  json: boolean;
  serveFlags: string[];
}

function parseUserArgs(args: string[]): UserArgs {
  const out: UserArgs = {
    positional: [],
    mechanisms: [],
    iterations: DEFAULT_ITERATIONS,
    passwordStdin: false,
    json: false,
    serveFlags: [],
  };
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i]!.includes("=") && args[i]!.startsWith("--")
      ? args[i]!.split(/=(.*)/s, 2) as [string, string]
      : [args[i]!, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`Option ${name} needs a value`);
      return v;
    };
    if (name === "--password-stdin") out.passwordStdin = true;
    else if (name === "--json") out.json = true;
    else if (name === "--mechanism") {
      const m = value();
      if (!isScramMechanism(m)) {
        throw new Error(`Unknown --mechanism ${m}: expected ${SCRAM_MECHANISMS.join(" or ")}`);
      }
      out.mechanisms.push(m);
    } else if (name === "--iterations") {
      const v = value();
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < MIN_ITERATIONS || n > MAX_ITERATIONS) {
        throw new Error(`Invalid --iterations ${v}: from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}`);
      }
      out.iterations = n;
    } else if (name.startsWith("-")) {
      out.serveFlags.push(args[i]!);
      if (inline === undefined && args[i + 1] !== undefined) out.serveFlags.push(args[++i]!);
    } else out.positional.push(name);
  }
  return out;
}

/** The password from standard input, without its final line break. */
async function readPassword(): Promise<string> {
  const text = await new Response(Deno.stdin.readable).text();
  const password = text.replace(/\r?\n$/, "");
  if (password === "") {
    throw new Error("Cannot add a user: the password on standard input is empty");
  }
  return password;
}

/** Runs a users subcommand; resolves the exit code. */
export async function users(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USERS_HELP);
    return 0;
  }
  const [sub, ...rest] = args;
  const usage = () => {
    console.error(`kafscale users: expected add <name>, list or delete <name>\n\n${USERS_HELP}`);
    return 2;
  };
  if (sub !== "add" && sub !== "list" && sub !== "delete") return usage();
  let a: UserArgs;
  let config;
  try {
    a = parseUserArgs(rest);
    config = loadConfig(parseServeFlags(a.serveFlags));
  } catch (e) {
    console.error(`kafscale users: ${(e as Error).message}`);
    return e instanceof ConfigError ? 2 : 1;
  }
  if (sub !== "list" && a.positional[0] === undefined) return usage();
  if (sub === "add" && !a.passwordStdin) {
    console.error("kafscale users: Cannot add a user: give the password with --password-stdin");
    return 2;
  }
  let opened;
  try {
    opened = await openMetadataStore(config);
  } catch (e) {
    console.error(`kafscale users: Cannot open the metadata store: ${(e as Error).message}`);
    return 1;
  }
  const store = new MetadataCredentialStore(opened.meta);
  try {
    const name = a.positional[0];
    if (sub === "list") {
      const rows = await store.list();
      const headers = ["USER", "MECHANISM", "ITERATIONS"];
      const fields = ["user", "mechanism", "iterations"];
      print(a.json, rows as unknown as Record<string, unknown>[], headers, fields);
    } else if (sub === "add" && name !== undefined) {
      const password = await readPassword();
      const mechanisms = a.mechanisms.length > 0 ? [...new Set(a.mechanisms)] : SCRAM_MECHANISMS;
      for (const m of mechanisms) {
        const c = await makeCredential(password, { hash: SCRAM_HASH[m], iterations: a.iterations });
        await store.put(name, m, c);
      }
      console.log(
        `added ${name} (${mechanisms.join(", ")}, ${a.iterations} iterations) to ${opened.name}`,
      );
    } else if (sub === "delete" && name !== undefined) {
      const mechanisms = a.mechanisms.length > 0 ? a.mechanisms : SCRAM_MECHANISMS;
      const deleted = [];
      for (const m of mechanisms) if (await store.delete(name, m)) deleted.push(m);
      if (deleted.length === 0) {
        throw new Error(`Cannot delete ${name}: no ${mechanisms.join(" or ")} credential`);
      }
      console.log(`deleted ${name} (${deleted.join(", ")}) from ${opened.name}`);
    }
    return 0;
  } catch (e) {
    console.error(`kafscale users: ${(e as Error).message}`);
    return 1;
  } finally {
    await opened.meta.close();
  }
}
