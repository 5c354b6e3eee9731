/**
 * The systemd unit passes `systemd-analyze verify` (with the binary path pointed at a stand-in
 * executable, since the test machine has no installed kafscale) and keeps its hardening. The
 * broker's permission flags are scoped (every end-to-end test runs the broker with them), and
 * a broker built for one data directory refuses another at start-up. README's install steps use
 * the unit's user, binary path, data directory and environment file.
 */
import { assert, assertEquals, assertRejects } from "../src/testing/assert.ts";
import { removeDir, run, startBroker } from "./_harness.ts";
import { brokerPermissions as brokerPermissionFlags } from "../src/cli/permissions.ts";

const ROOT = new URL("../", import.meta.url).pathname;

const UNIT = new URL("../deploy/kafscale.service", import.meta.url).pathname;

function hasSystemdAnalyze(): boolean {
  try {
    Deno.statSync("/usr/bin/systemd-analyze");
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "deploy: the systemd unit verifies cleanly and is hardened",
  ignore: !hasSystemdAnalyze(),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const exe = `${dir}/kafscale`;
      await Deno.writeTextFile(exe, "#!/bin/sh\nexit 0\n");
      await Deno.chmod(exe, 0o755);
      const text = await Deno.readTextFile(UNIT);
      for (
        const line of [
          "NoNewPrivileges=yes",
          "ProtectSystem=strict",
          "ReadWritePaths=/var/lib/kafscale",
          "User=kafscale",
          "Restart=on-failure",
        ]
      ) {
        assert(text.includes(line), `unit lacks ${line}`);
      }
      await Deno.writeTextFile(
        `${dir}/kafscale.service`,
        text.replaceAll("/usr/local/bin/kafscale", exe),
      );
      const r = await run("systemd-analyze", ["verify", `${dir}/kafscale.service`]);
      assertEquals([r.code, (r.stdout + r.stderr).trim()], [0, ""]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("deploy: a broker scoped to one data directory refuses another with one clear line", async () => {
  const allowed = await Deno.makeTempDir({ prefix: "kafscale-allowed-" });
  try {
    const e = await assertRejects(
      () =>
        startBroker({ dataDir: allowed, env: { KAFSCALE_DATA_DIR: "/tmp/kafscale-elsewhere" } }),
      Error,
    );
    assert(
      e.message.includes(
        "kafscale: Cannot start broker: Cannot use KAFSCALE_DATA_DIR=/tmp/kafscale-elsewhere: " +
          "this broker's permissions do not allow writing there",
      ),
      e.message,
    );
  } finally {
    await removeDir(allowed);
  }
});

Deno.test("deploy: the compile script bakes the shared permission list, scoped to its directories", async () => {
  const r = await run(`${ROOT}scripts/deno`, [
    "run",
    `${ROOT}scripts/permissions.ts`,
    "--data-dir",
    "/var/lib/kafscale",
    "--read",
    "/etc/kafscale",
  ]);
  assertEquals(r.code, 0, r.stderr);
  const flags = r.stdout.trim().split("\n");
  assertEquals(
    flags,
    brokerPermissionFlags({ dataDir: "/var/lib/kafscale", readOnly: ["/etc/kafscale"] }),
  );
  assert(flags.includes("--allow-write=/var/lib/kafscale"), r.stdout);
  assert(flags.every((f) => f !== "--allow-env" && f !== "--allow-read" && f !== "--allow-all"));
  const compile = await Deno.readTextFile(`${ROOT}scripts/compile.sh`);
  assert(compile.includes("scripts/permissions.ts"), "compile.sh uses the shared list");
});

Deno.test("deploy: README's install steps match the systemd unit (user, paths, environment file)", async () => {
  const unit = await Deno.readTextFile(UNIT);
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const start = readme.indexOf("## Install a release");
  assert(start >= 0, "README has an Install a release section");
  const install = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const setting = (key: string) => {
    const m = new RegExp(`^${key}=(.*)$`, "m").exec(unit);
    assert(m, `unit lacks ${key}=`);
    return m[1]!;
  };
  const user = setting("User");
  const envFile = setting("EnvironmentFile").replace(/^-/, "");
  const binary = setting("ExecStart").split(" ")[0]!;
  const dataDir = /KAFSCALE_DATA_DIR=(\S+)/.exec(setting("Environment"))?.[1];
  assertEquals(setting("Group"), user);
  assertEquals(`/var/lib/${setting("StateDirectory")}`, dataDir);
  for (
    const step of [
      `useradd --system --home ${dataDir} ${user}`,
      `install -m 0755 kafscale ${binary}`,
      `deploy/kafscale.env.example ${envFile}`,
      `install -d -m 0750 -g ${user} ${envFile.slice(0, envFile.lastIndexOf("/"))}`,
      "deploy/kafscale.service /etc/systemd/system/kafscale.service",
      "systemctl enable --now kafscale",
      "journalctl -u kafscale",
      "sha256sum -c",
      "localhost:9093/metrics",
    ]
  ) {
    assert(install.includes(step), `README's install section lacks: ${step}`);
  }
  // The unit's own comment gives the same user command.
  assert(unit.includes(`useradd --system --home ${dataDir} ${user}`), "unit comment's useradd");
});

Deno.test("deploy: the environment examples name only real settings, and the secure one is valid and closed", async () => {
  const { parseConfig, settingDocs } = await import("../src/config/config.ts");
  const known = new Set(settingDocs().map((s) => s.env));
  for (const file of ["kafscale.env.example", "kafscale-secure.env.example"]) {
    const text = await Deno.readTextFile(`${ROOT}deploy/${file}`);
    for (const [, name] of text.matchAll(/^#?(KAFSCALE_[A-Z0-9_]+)=/gm)) {
      assert(known.has(name!), `${file} names ${name}, which is not a setting`);
    }
  }
  const secure = await Deno.readTextFile(`${ROOT}deploy/kafscale-secure.env.example`);
  const vars = Object.fromEntries(
    [...secure.matchAll(/^(KAFSCALE_[A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  const c = parseConfig(vars);
  assertEquals(c.listeners.map((l) => [l.name, l.tls, l.sasl]), [["SASL_SSL", true, true]]);
  assert(!c.saslMechanisms.includes("PLAIN"), "no PLAIN in the secure example");
  assert(c.etcdEndpoints.split(",").every((e) => e.startsWith("https://")), "etcd over TLS");
  assert(c.s3Endpoint.startsWith("https://"), "S3 over TLS");
  assertEquals([c.authorizer, c.superUsers, c.allowEveryoneIfNoAclFound], [
    "acl",
    ["User:admin"],
    false,
  ]);
});
