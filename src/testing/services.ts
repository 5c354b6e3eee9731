/**
 * Starts real backing services for tests: etcd (Debian's etcd-server) and an S3-compatible
 * server (s3rver from npm, installed by scripts/install_test_deps.sh), each on a free loopback
 * port in a temporary directory. `available()` says why a service cannot run here.
 * @module
 */

/** A running service. */
export interface Service {
  endpoint: string;
  port: number;
  dir: string;
  /** Stops the process (SIGKILL when `hard`), keeping its data directory. */
  stop(hard?: boolean): Promise<void>;
  /** Starts it again on the same port and directory (outage tests). */
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

function toolsDir(): string {
  return Deno.env.get("KAFSCALE_TOOLS_DIR") ??
    `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/kafscale`;
}

const S3RVER = () => `${toolsDir()}/node/node_modules/.bin/s3rver`;

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function onPath(cmd: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((d) => exists(`${d}/${cmd}`));
}

/** Why etcd cannot run here, or undefined when it can. */
export function etcdMissing(): string | undefined {
  return onPath("etcd") ? undefined : "etcd is not installed (scripts/install_test_deps.sh)";
}

/** Why s3rver cannot run here, or undefined when it can. */
export function s3Missing(): string | undefined {
  return exists(S3RVER()) ? undefined : "s3rver is not installed (scripts/install_test_deps.sh)";
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitForPort(port: number, child: Deno.ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`${what} did not start on port ${port}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function service(
  what: string,
  endpoint: (port: number) => string,
  spawn: (port: number, dir: string) => Deno.ChildProcess,
): Promise<Service> {
  const dir = await Deno.makeTempDir({ prefix: `kafscale-${what}-` });
  const port = freePort();
  let child: Deno.ChildProcess | null = null;
  const start = async () => {
    child = spawn(port, dir);
    await waitForPort(port, child, what);
  };
  const stop = async (hard = false) => {
    if (!child) return;
    const c: Deno.ChildProcess = child;
    child = null;
    try {
      c.kill(hard ? "SIGKILL" : "SIGTERM");
    } catch { /* gone */ }
    await c.status;
  };
  await start();
  return {
    endpoint: endpoint(port),
    port,
    dir,
    stop,
    restart: start,
    async destroy() {
      await stop(true);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Starts etcd on loopback. */
export function startEtcd(): Promise<Service> {
  return service("etcd", (p) => `127.0.0.1:${p}`, (port, dir) => {
    const peer = freePort();
    return new Deno.Command("etcd", {
      args: [
        "--data-dir",
        `${dir}/data`,
        "--name",
        "test",
        "--listen-client-urls",
        `http://127.0.0.1:${port}`,
        "--advertise-client-urls",
        `http://127.0.0.1:${port}`,
        "--listen-peer-urls",
        `http://127.0.0.1:${peer}`,
        "--initial-advertise-peer-urls",
        `http://127.0.0.1:${peer}`,
        "--initial-cluster",
        `test=http://127.0.0.1:${peer}`,
        "--log-level",
        "error",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
  });
}

/** Starts s3rver on loopback with bucket `bucket` created. */
export function startS3(bucket = "kafscale"): Promise<Service> {
  return service("s3", (p) => `http://127.0.0.1:${p}`, (port, dir) =>
    new Deno.Command(S3RVER(), {
      args: ["-d", dir, "-a", "127.0.0.1", "-p", String(port), "-s", "--configure-bucket", bucket],
      stdout: "null",
      stderr: "null",
    }).spawn());
}
