/**
 * `kafscale users` against the embedded store, run with the broker's permission flags: add from
 * standard input, list (table and JSON), delete one mechanism or all, every refusal with its exit
 * status and one line, no password in the store, and a clear message while a broker holds the
 * data directory.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { removeDir, startBroker } from "./_harness.ts";
import { kafscale } from "./_secure.ts";

Deno.test("users cli: add, list and delete SCRAM users in the store serve uses", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "kafscale-users-" });
  const cli = (args: string[], stdin?: string) =>
    kafscale(["users", ...args, "--data-dir", dataDir], { dataDir, stdin });
  try {
    const add = await cli(["add", "alice", "--password-stdin"], "correct horse\n");
    assertEquals(add.code, 0, add.stderr);
    assert(
      add.stdout.includes("added alice (SCRAM-SHA-256, SCRAM-SHA-512, 8192 iterations)"),
      add.stdout,
    );
    const one = await cli([
      "add",
      "bob",
      "--password-stdin",
      "--mechanism",
      "SCRAM-SHA-512",
      "--iterations=4096",
    ], "b\n");
    assertEquals(one.code, 0, one.stderr);
    const table = await cli(["list"]);
    assertEquals(table.stdout.trim().split("\n").map((l) => l.split(/\s+/)), [
      ["USER", "MECHANISM", "ITERATIONS"],
      ["alice", "SCRAM-SHA-256", "8192"],
      ["alice", "SCRAM-SHA-512", "8192"],
      ["bob", "SCRAM-SHA-512", "4096"],
    ]);
    const del = await cli(["delete", "alice", "--mechanism", "SCRAM-SHA-256"]);
    assertEquals([del.code, del.stdout.trim()], [
      0,
      `deleted alice (SCRAM-SHA-256) from directory ${dataDir}/metadata`,
    ]);
    assertEquals((await cli(["delete", "bob"])).code, 0);
    const json = JSON.parse((await cli(["list", "--json"])).stdout);
    assertEquals(json, [{ user: "alice", mechanism: "SCRAM-SHA-512", iterations: 8192 }]);
    for await (const e of Deno.readDir(`${dataDir}/metadata`)) {
      if (!e.isFile) continue;
      const text = await Deno.readTextFile(`${dataDir}/metadata/${e.name}`).catch(() => "");
      assert(!text.includes("correct horse"), `the password is stored in ${e.name}`);
    }

    const refusals: [string[], string | undefined, number, string][] = [
      [
        ["add", "carol"],
        undefined,
        2,
        "Cannot add a user: give the password with --password-stdin",
      ],
      [["add", "carol", "--password-stdin"], "\n", 1, "the password on standard input is empty"],
      [
        ["add", "carol", "--password-stdin", "--iterations", "100"],
        "x",
        1,
        "Invalid --iterations 100: from 4096 to 16384",
      ],
      [
        ["add", "carol", "--password-stdin", "--mechanism", "PLAIN"],
        "x",
        1,
        "Unknown --mechanism PLAIN: expected SCRAM-SHA-256 or SCRAM-SHA-512",
      ],
      [
        ["delete", "nobody"],
        undefined,
        1,
        "Cannot delete nobody: no SCRAM-SHA-256 or SCRAM-SHA-512 credential",
      ],
      [["add"], undefined, 2, "expected add <name>, list or delete <name>"],
      [["frob"], undefined, 2, "expected add <name>, list or delete <name>"],
      [["list", "--no-such-flag", "1"], undefined, 2, "Unknown option --no-such-flag"],
    ];
    for (const [args, stdin, code, message] of refusals) {
      const r = await cli(args, stdin);
      assertEquals(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert(
        r.stderr.startsWith("kafscale users: ") && r.stderr.includes(message),
        `${args.join(" ")}: ${r.stderr}`,
      );
    }

    const broker = await startBroker({ dataDir });
    try {
      const locked = await cli(["list"]);
      assertEquals(locked.code, 1);
      assert(
        locked.stderr.includes("Cannot open the metadata store") &&
          locked.stderr.includes("another broker process holds its lock"),
        locked.stderr,
      );
    } finally {
      await broker.stop();
    }
  } finally {
    await removeDir(dataDir);
  }
});
