/**
 * The broker's Deno permission flags: the one list behind the compiled binary
 * (scripts/compile.sh), `deno task start` (scripts/start.sh) and the end-to-end tests
 * (tests/_harness.ts), so CI runs exactly what ships and a missing permission fails a test.
 *
 * - Network: not scoped. Deno fixes the allowed hosts when the binary is built, while the
 *   listener, S3 and etcd endpoints are configured when it starts.
 * - Environment: our variables (`KAFSCALE_*`), the AWS SDK's (`AWS_*`, `_X_AMZN_TRACE_ID`,
 *   and the home directory variables its shared-config loader reads), and grpc-js's (under
 *   etcd3: `GRPC_*` and the proxy variables). Found with DENO_AUDIT_PERMISSIONS on a broker
 *   serving on etcd and S3.
 * - System: `osRelease` only (the AWS SDK's user agent).
 * - Files: read and write the data directory; read the configuration directory (the etcd TLS
 *   files and the listeners' TLS certificate and key, re-read on SIGHUP).
 *   `deno run` also needs to read Deno's npm cache (etcd3 loads its .proto files at start-up);
 *   a compiled binary reads its embedded copy without a permission.
 * @module
 */

/** Environment variables the broker and its npm dependencies read. */
export const BROKER_ENV = [
  "KAFSCALE_*",
  "AWS_*",
  "_X_AMZN_TRACE_ID",
  "HOME",
  "USERPROFILE",
  "HOMEPATH",
  "HOMEDRIVE",
  "GRPC_*",
  "grpc_proxy",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "no_grpc_proxy",
];

/** Where the broker may touch the file system. */
export interface PermissionPaths {
  /** Read and write (the embedded default's objects and metadata). */
  dataDir: string;
  /** Read only: configuration and TLS files, Deno's npm cache under `deno run`. */
  readOnly?: string[];
}

/** The permission flags for `deno run` / `deno compile`. */
export function brokerPermissions(paths: PermissionPaths): string[] {
  for (const p of [paths.dataDir, ...(paths.readOnly ?? [])]) {
    if (p === "" || p.includes(",")) {
      throw new TypeError(`Cannot grant access to ${JSON.stringify(p)}: empty or has a comma`);
    }
  }
  return [
    "--allow-net",
    `--allow-env=${BROKER_ENV.join(",")}`,
    "--allow-sys=osRelease",
    `--allow-read=${[paths.dataDir, ...(paths.readOnly ?? [])].join(",")}`,
    `--allow-write=${paths.dataDir}`,
  ];
}

/** Whether this process may write `dir` (false under a build scoped to another directory). */
export function mayWrite(dir: string): boolean {
  return Deno.permissions.querySync({ name: "write", path: dir }).state === "granted";
}
