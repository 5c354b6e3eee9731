/**
 * Command-line entry: `kafscale serve`, the admin, users and metadata commands, `--help`,
 * `--version`.
 * @module
 */
import { serve } from "./serve.ts";
import { VERSION } from "./version.ts";
import { admin, ADMIN_HELP } from "./admin/mod.ts";
import { users, USERS_HELP } from "./users.ts";
import { metadata, METADATA_HELP } from "./metadata.ts";

const HELP = `kafscale ${VERSION}: a Kafka-compatible broker that keeps records in object storage

Usage:
  kafscale serve [options]      run the broker (kafscale serve --help lists every option)
  kafscale --version            print the version
  kafscale --help               print this help

${ADMIN_HELP}
${USERS_HELP}
${METADATA_HELP}`;

/** Runs the command line; resolves the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "serve":
      return await serve(rest);
    case "topics":
    case "groups":
    case "configs":
    case "offsets":
      return await admin(command, rest);
    case "users":
      return await users(rest);
    case "metadata":
      return await metadata(rest);
    case "--version":
    case "-V":
    case "version":
      console.log(`kafscale ${VERSION}`);
      return 0;
    case undefined:
    case "--help":
    case "-h":
    case "help":
      console.log(HELP);
      return 0;
    default:
      console.error(`kafscale: unknown command ${command}\n\n${HELP}`);
      return 2;
  }
}
