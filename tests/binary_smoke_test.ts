/**
 * Smoke test of what ships: the broker started exactly as the compiled binary runs it, the same
 * entry point (main.ts) and the same permission list (src/cli/permissions.ts, scoped here to a
 * temporary data and configuration directory as scripts/compile.sh --data-dir/--config-dir
 * would), answers `--version` and `--help`, serves kcat (produce, then consume), and cannot
 * read or write outside its directories: a raw probe under the same flags gets NotCapable, and
 * the broker itself refuses a data directory or a TLS file elsewhere.
 *
 * The same smoke runs against a real compiled binary when DENORT_BIN names a denort runtime (a
 * machine that cannot download denort must provide one). With DENORT_BIN unset, or set to the
 * deno executable (scripts/test_all.sh does that when denort cannot be downloaded; the build is
 * checked there, but such a binary starts deno, not the broker), that part is skipped and says
 * why.
 */
import { assert, assertEquals, assertRejects } from "../src/testing/assert.ts";
import { brokerPermissions as permissionFlags } from "../src/cli/permissions.ts";
import { VERSION } from "../src/cli/version.ts";
import { npmCacheDir, removeDir, requireTool, run, startBroker } from "./_harness.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** How to start kafscale: the command before its arguments. */
interface Exec {
  cmd: string;
  args: string[];
}

/** The directories a smoke run's kafscale may use. */
interface Dirs {
  data: string;
  config: string;
}

async function makeDirs(): Promise<Dirs> {
  const data = await Deno.makeTempDir({ prefix: "kafscale-smoke-data-" });
  const config = await Deno.makeTempDir({ prefix: "kafscale-smoke-config-" });
  return { data, config };
}

/** `deno run` of main.ts with the binary's flags (plus the npm cache the binary embeds). */
function denoRun(dirs: Dirs): Exec {
  const flags = permissionFlags({ dataDir: dirs.data, readOnly: [dirs.config, npmCacheDir()] });
  return { cmd: `${ROOT}scripts/deno`, args: ["run", ...flags, `${ROOT}main.ts`] };
}

/** Why the compiled binary cannot be smoke-tested here, or undefined when it can. */
function compiledSkipReason(): string | undefined {
  const denort = Deno.env.get("DENORT_BIN");
  if (!denort) {
    return "DENORT_BIN is unset (set it to a denort runtime to smoke-test the compiled binary)";
  }
  let same = false;
  try {
    same = Deno.realPathSync(denort) === Deno.realPathSync(Deno.execPath());
  } catch { /* a missing DENORT_BIN fails the build, loudly */ }
  if (same) {
    return `DENORT_BIN is the deno executable (${denort}): a binary built on it starts deno, ` +
      "not the broker";
  }
  return undefined;
}

async function checkCli(exec: Exec) {
  const v = await run(exec.cmd, [...exec.args, "--version"], { timeoutMs: 60_000 });
  assertEquals([v.code, v.stdout.trim()], [0, `kafscale ${VERSION}`], v.stderr);
  const h = await run(exec.cmd, [...exec.args, "--help"], { timeoutMs: 60_000 });
  assertEquals(h.code, 0, h.stderr);
  assert(h.stdout.includes("Usage:") && h.stdout.includes("kafscale serve"), h.stdout);
}

async function checkKcat(exec: Exec, dirs: Dirs) {
  const kcat = requireTool("/usr/bin/kcat");
  const broker = await startBroker({ dataDir: dirs.data, exec });
  try {
    const values = ["one", "two", "three"];
    const p = await run(kcat, ["-b", broker.bootstrap, "-t", "smoke", "-P"], {
      stdin: values.join("\n") + "\n",
      timeoutMs: 60_000,
    });
    assertEquals(p.code, 0, `kcat produce: ${p.stderr}`);
    const c = await run(kcat, ["-b", broker.bootstrap, "-t", "smoke", "-C", "-e", "-q"], {
      timeoutMs: 60_000,
    });
    assertEquals([c.code, c.stdout.trim().split("\n")], [0, values], c.stderr);
    // The console comes from inside the binary: no files beside it.
    const ui = `http://127.0.0.1:${broker.metricsPort}`;
    const page = await fetch(`${ui}/ui/`);
    assert((await page.text()).includes("<title>KafScale console</title>"), "the console page");
    const topics = await (await fetch(`${ui}/api/v1/topics?q=smoke`)).json();
    assertEquals(topics.items.map((t: { name: string }) => t.name), ["smoke"]);
  } finally {
    assertEquals(await broker.stop(), 0, broker.stderr());
  }
}

async function checkConfinement(exec: Exec, dirs: Dirs) {
  const elsewhere = await Deno.makeTempDir({ prefix: "kafscale-smoke-elsewhere-" });
  try {
    const data = await assertRejects(
      () => startBroker({ dataDir: dirs.data, exec, env: { KAFSCALE_DATA_DIR: elsewhere } }),
      Error,
    );
    assert(
      data.message.includes(
        `Cannot use KAFSCALE_DATA_DIR=${elsewhere}: this broker's permissions do not allow ` +
          "writing there",
      ),
      data.message,
    );
    const tls = await assertRejects(
      () =>
        startBroker({
          dataDir: dirs.data,
          exec,
          env: {
            KAFSCALE_ETCD_ENDPOINTS: "https://etcd.invalid:2379",
            KAFSCALE_ETCD_TLS_CA_FILE: "/etc/passwd",
          },
        }),
      Error,
    );
    assert(
      tls.message.includes(
        'Cannot read KAFSCALE_ETCD_TLS_CA_FILE "/etc/passwd": Requires read access',
      ),
      tls.message,
    );
  } finally {
    await removeDir(elsewhere);
  }
}

/** Tries each file access it is given (paths as arguments) and prints what happened. */
const PROBE = `const [outside, config, data] = Deno.args;
const attempt = async (f) => {
  try {
    await f();
    return "ok";
  } catch (e) {
    return e.name;
  }
};
console.log(JSON.stringify({
  readOutside: await attempt(() => Deno.readTextFile("/etc/passwd")),
  writeOutside: await attempt(() => Deno.writeTextFile(outside, "x")),
  writeConfig: await attempt(() => Deno.writeTextFile(config, "y")),
  readConfig: await attempt(() => Deno.readTextFile(config)),
  writeData: await attempt(() => Deno.writeTextFile(data, "x")),
}));
`;

/** Raw file access under the binary's flags: only the data and config directories. */
async function checkProbe(dirs: Dirs) {
  const probeDir = await Deno.makeTempDir({ prefix: "kafscale-smoke-probe-" });
  try {
    await Deno.writeTextFile(`${probeDir}/probe.js`, PROBE);
    await Deno.writeTextFile(`${dirs.config}/settings`, "x");
    const flags = permissionFlags({ dataDir: dirs.data, readOnly: [dirs.config, npmCacheDir()] });
    const r = await run(`${ROOT}scripts/deno`, [
      "run",
      "--quiet",
      ...flags,
      `${probeDir}/probe.js`,
      `${probeDir}/escaped`,
      `${dirs.config}/settings`,
      `${dirs.data}/probe`,
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(JSON.parse(r.stdout), {
      readOutside: "NotCapable",
      writeOutside: "NotCapable",
      writeConfig: "NotCapable",
      readConfig: "ok",
      writeData: "ok",
    });
  } finally {
    await removeDir(probeDir);
  }
}

Deno.test("binary smoke (deno run main.ts with the binary's permissions): CLI, kcat, confinement", async () => {
  const dirs = await makeDirs();
  try {
    const exec = denoRun(dirs);
    await checkCli(exec);
    await checkKcat(exec, dirs);
    await checkConfinement(exec, dirs);
    await checkProbe(dirs);
  } finally {
    await removeDir(dirs.data);
    await removeDir(dirs.config);
  }
});

const skip = compiledSkipReason();
if (skip) console.log(`binary smoke: the compiled binary is not tested: ${skip}`);

Deno.test({
  name: "binary smoke (compiled binary, built for this test's directories): CLI, kcat, confinement",
  ignore: skip !== undefined,
  async fn() {
    const dirs = await makeDirs();
    const out = await Deno.makeTempDir({ prefix: "kafscale-smoke-bin-" });
    try {
      const binary = `${out}/kafscale`;
      const build = await run("bash", [
        `${ROOT}scripts/compile.sh`,
        "--data-dir",
        dirs.data,
        "--config-dir",
        dirs.config,
        "--output",
        binary,
      ], { timeoutMs: 600_000 });
      assertEquals(build.code, 0, `compile: ${build.stderr}`);
      const exec = { cmd: binary, args: [] };
      await checkCli(exec);
      await checkKcat(exec, dirs);
      await checkConfinement(exec, dirs);
    } finally {
      await removeDir(out);
      await removeDir(dirs.data);
      await removeDir(dirs.config);
    }
  },
});
