/**
 * The admin CLI (`kafscale topics|groups|configs|offsets`): Kafka admin APIs over the wire,
 * so it works against any Kafka-compatible broker. Tables by default, `--json` for scripts.
 * @module
 */
import { AdminClient } from "./client.ts";
import { parseArgs } from "./args.ts";
import { topicsCommand } from "./topics.ts";
import { groupsCommand } from "./groups.ts";
import { configsCommand, offsetsCommand } from "./configs.ts";

/** Help text of the admin commands. */
export const ADMIN_HELP =
  `Admin commands (options: --bootstrap-server host:port, default localhost:9092; --json):
  kafscale topics list
  kafscale topics describe <topic>
  kafscale topics create <topic> [--partitions N] [--config key=value ...] [--validate-only]
  kafscale topics delete <topic>
  kafscale topics alter <topic> --partitions N [--validate-only]
  kafscale groups list
  kafscale groups describe <group>                (committed offsets, log end, lag, owner)
  kafscale groups delete <group>
  kafscale groups reset-offsets <group> --topic T (--to-earliest | --to-latest | --to-offset N)
  kafscale configs describe (--topic T | --broker ID)
  kafscale configs alter --topic T [--set key=value ...] [--delete key ...] [--validate-only]
  kafscale offsets --for-leader-epoch topic:partition:epoch [...]
`;

/** Runs an admin command; resolves the exit code. */
export async function admin(command: string, args: string[]): Promise<number> {
  let client: AdminClient | null = null;
  try {
    const a = parseArgs(args);
    if (a.flags.has("--help") || a.flags.has("-h")) {
      console.log(ADMIN_HELP);
      return 0;
    }
    client = await AdminClient.connect(
      a.values.get("--bootstrap-server")?.at(-1) ?? "localhost:9092",
    );
    if (command === "offsets") await offsetsCommand(client, a);
    else {
      const sub = a.positional.shift() ?? "";
      if (command === "topics") await topicsCommand(client, sub, a);
      else if (command === "groups") await groupsCommand(client, sub, a);
      else await configsCommand(client, sub, a);
    }
    return 0;
  } catch (e) {
    console.error(`kafscale ${command}: ${(e as Error).message}`);
    return 1;
  } finally {
    await client?.close();
  }
}
