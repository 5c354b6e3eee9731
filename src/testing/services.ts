/**
 * Starts real backing services for tests: etcd (Debian's etcd-server) and an S3-compatible
 * server (s3rver from npm, installed by scripts/install_test_deps.sh), each on a free loopback
 * port in a temporary directory. `available()` says why a service cannot run here. etcd can
 * serve TLS (optionally requiring client certificates) with a throwaway CA made by `openssl`.
 * @module
 */
import { freePort } from "./ports.ts";

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
  /** PEM files for a TLS client, when the service was started with TLS. */
  tls?: TestTlsFiles;
}

/** Paths of a throwaway CA certificate and a client certificate and key it signed. */
export interface TestTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Where scripts/install_test_deps.sh puts tools (KAFSCALE_TOOLS_DIR, default ~/.cache/kafscale). */
export function toolsDir(): string {
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

/** A service process that exited before it listened (its port may have been taken meanwhile). */
class ServiceExitedError extends Error {
  constructor(what: string, port: number, code: number) {
    super(`${what} exited with code ${code} before listening on port ${port}`);
    this.name = "ServiceExitedError";
  }
}

/**
 * Waits until `port` accepts connections; fails at once when the process exits first, and after
 * 20 s otherwise.
 */
async function waitForPort(port: number, child: Deno.ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  const exited: { status?: Deno.CommandStatus } = {};
  void child.status.then((s) => exited.status = s);
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      if (exited.status) throw new ServiceExitedError(what, port, exited.status.code);
      if (Date.now() > deadline) {
        try {
          child.kill("SIGKILL");
        } catch { /* exited meanwhile */ }
        throw new Error(`${what} did not start on port ${port}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

interface ServiceOptions {
  endpoint: (port: number) => string;
  spawn: (port: number, dir: string) => Deno.ChildProcess;
  /** Runs once in the fresh directory before the first start. */
  prepare?: (dir: string) => Promise<void>;
}

async function service(what: string, options: ServiceOptions): Promise<Service> {
  const { endpoint, spawn } = options;
  const dir = await Deno.makeTempDir({ prefix: `kafscale-${what}-` });
  try {
    await options.prepare?.(dir);
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
  let port = freePort();
  let child: Deno.ChildProcess | null = null;
  const start = async () => {
    child = spawn(port, dir);
    await waitForPort(port, child, what);
  };
  // freePort's port is free when chosen, but any process's outgoing connection may take it (it
  // is an ephemeral port) before the service binds it; the service then exits, and the first
  // start tries again on a new port, in a fresh directory.
  for (let attempt = 1;; attempt++) {
    try {
      await start();
      break;
    } catch (e) {
      child = null;
      if (!(e instanceof ServiceExitedError) || attempt >= 3) {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
        throw e;
      }
      await Deno.remove(dir, { recursive: true });
      await Deno.mkdir(dir);
      await options.prepare?.(dir);
      port = freePort();
    }
  }
  const stop = async (hard = false) => {
    if (!child) return;
    const c: Deno.ChildProcess = child;
    child = null;
    try {
      c.kill(hard ? "SIGKILL" : "SIGTERM");
    } catch { /* gone */ }
    await c.status;
  };
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

async function openssl(dir: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n")[0];
    throw new Error(`Cannot run openssl ${args[0]}: ${why}`);
  }
}

/**
 * Writes into `dir` a throwaway CA (ca.pem), a server certificate for 127.0.0.1 and localhost
 * (server.pem, server-key.pem) and a client certificate (client.pem, client-key.pem).
 */
export async function makeTestCerts(dir: string): Promise<TestTlsFiles> {
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const ca = ["-x509", "-days", "2", "-subj", "/CN=kafscale-test-ca"];
  await openssl(dir, ["req", ...ca, ...newKey, "-keyout", "ca-key.pem", "-out", "ca.pem"]);
  for (
    const [name, ext] of [
      ["server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"],
      ["client", "extendedKeyUsage=clientAuth\n"],
    ] as const
  ) {
    await Deno.writeTextFile(`${dir}/${name}.ext`, ext);
    const subject = ["-subj", `/CN=kafscale-test-${name}`];
    await openssl(dir, ["req", ...newKey, ...subject, "-keyout", `${name}-key.pem`, "-out", "csr"]);
    const signer = ["-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "2"];
    const out = ["-extfile", `${name}.ext`, "-out", `${name}.pem`];
    await openssl(dir, ["x509", "-req", "-in", "csr", ...signer, ...out]);
  }
  const f = (name: string) => `${dir}/${name}`;
  return { caFile: f("ca.pem"), certFile: f("client.pem"), keyFile: f("client-key.pem") };
}

/** Why etcd with TLS cannot run here, or undefined when it can. */
export function etcdTlsMissing(): string | undefined {
  return etcdMissing() ??
    (onPath("openssl") ? undefined : "openssl is not installed (scripts/install_test_deps.sh)");
}

/** How to start etcd. */
export interface EtcdStartOptions {
  /**
   * Serve clients over TLS with a throwaway CA (`Service.tls` has the files); "mutual" also
   * requires a client certificate signed by that CA.
   */
  tls?: "server" | "mutual";
}

/** Starts etcd on loopback; its endpoint is `https://127.0.0.1:port` when it serves TLS. */
export async function startEtcd(options: EtcdStartOptions = {}): Promise<Service> {
  const scheme = options.tls ? "https" : "http";
  const tlsArgs = (dir: string) =>
    !options.tls ? [] : [
      "--cert-file",
      `${dir}/tls/server.pem`,
      "--key-file",
      `${dir}/tls/server-key.pem`,
      ...(options.tls === "mutual"
        ? ["--client-cert-auth", "--trusted-ca-file", `${dir}/tls/ca.pem`]
        : []),
    ];
  let tls: TestTlsFiles | undefined;
  const etcd = await service("etcd", {
    endpoint: (p) => options.tls ? `https://localhost:${p}` : `127.0.0.1:${p}`,
    prepare: async (dir) => {
      if (!options.tls) return;
      await Deno.mkdir(`${dir}/tls`);
      tls = await makeTestCerts(`${dir}/tls`);
    },
    spawn: (port, dir) =>
      etcdCommand(dir, [
        "--listen-client-urls",
        `${scheme}://127.0.0.1:${port}`,
        "--advertise-client-urls",
        `${scheme}://127.0.0.1:${port}`,
        ...tlsArgs(dir),
      ]),
  });
  return tls ? { ...etcd, tls } : etcd;
}

function etcdCommand(dir: string, clientArgs: string[]): Deno.ChildProcess {
  const peer = freePort();
  return new Deno.Command("etcd", {
    args: [
      "--data-dir",
      `${dir}/data`,
      "--name",
      "test",
      ...clientArgs,
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
}

/** Starts s3rver on loopback with bucket `bucket` created. */
export function startS3(bucket = "kafscale"): Promise<Service> {
  return service("s3", {
    endpoint: (p) => `http://127.0.0.1:${p}`,
    spawn: (port, dir) =>
      new Deno.Command(S3RVER(), {
        args: [
          "-d",
          dir,
          "-a",
          "127.0.0.1",
          "-p",
          String(port),
          "-s",
          "--configure-bucket",
          bucket,
        ],
        // s3rver encrypts list continuation tokens with DES, which OpenSSL 3 keeps in its legacy
        // provider: without it every list of more than 1,000 keys fails with a 500.
        env: { NODE_OPTIONS: "--openssl-legacy-provider" },
        stdout: "null",
        stderr: "null",
      }).spawn(),
  });
}

/** The broker's environment for etcd and s3rver (its default credentials, path-style URLs). */
export function backendEnv(
  etcd: Service,
  s3: Service,
  o: { brokerId?: number } = {},
): Record<string, string> {
  return {
    KAFSCALE_BROKER_ID: String(o.brokerId ?? 0),
    KAFSCALE_ETCD_ENDPOINTS: etcd.endpoint,
    KAFSCALE_S3_BUCKET: "kafscale",
    KAFSCALE_S3_ENDPOINT: s3.endpoint,
    KAFSCALE_S3_PATH_STYLE: "1",
    KAFSCALE_S3_ACCESS_KEY: "S3RVER",
    KAFSCALE_S3_SECRET_KEY: "S3RVER",
    KAFSCALE_S3_CONDITIONAL_PUT: "check-then-put",
  };
}
