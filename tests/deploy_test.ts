/**
 * The systemd unit passes `systemd-analyze verify` (with the binary path pointed at a stand-in
 * executable, since the test machine has no installed kafscale) and keeps its hardening.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { run } from "./_harness.ts";

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
