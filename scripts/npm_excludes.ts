/**
 * Prints `--exclude=<path>` flags, one per line, that keep the non-runtime files of the npm
 * packages the broker uses out of the `deno compile` binary (scripts/compile.sh).
 *
 * `deno compile` embeds every file of every npm package in the module graph. Some packages ship
 * test data, documentation and examples; prom-client's dependency bintrees@1.0.2 ships a 2 MB
 * extensionless file (test/perf/100k) that made `deno compile` 2.9 abort with "fatal runtime
 * error: stack overflow". The rule is general rather than a list of known offenders: in every
 * package, directories named like tests, docs, examples or benchmarks (at any depth), type
 * declaration folders (`dist-types`) and Markdown files are left out. A directory that the
 * package's package.json names as runtime code (main, module, browser, bin, exports other than
 * their "types" conditions) is kept whatever its name.
 *
 * Reads the output of `deno info --json main.ts` on stdin (its `npmPackages` give each
 * package's folder in Deno's npm cache); needs read access to that cache.
 * Usage: deno info --json main.ts | deno run --allow-read scripts/npm_excludes.ts
 * @module
 */

/** Directory names that hold no runtime code (compared in lower case). */
const NON_RUNTIME_DIRS = [
  /^tests?$/,
  /^__tests__$/,
  /^__mocks__$/,
  /^specs?$/,
  /^docs?$/,
  /^examples?$/,
  /^bench/,
  /^coverage$/,
  /^\.github$/,
  /^dist-types$/,
];
/** File names that hold no runtime code (compared in lower case). */
const NON_RUNTIME_FILES = [/\.md$/, /\.markdown$/];

interface NpmPackage {
  name: string;
  version: string;
  localPath?: string;
}

/** Relative paths (without "./") that package.json names as runtime code. */
function runtimePaths(pkgJson: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (key === "types" || key === "typings") return;
    if (typeof v === "string") out.push(v.replace(/^\.\//, ""));
    else if (Array.isArray(v)) v.forEach((x) => walk(x, ""));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, k);
    }
  };
  for (const key of ["main", "module", "browser", "bin", "exports"]) walk(pkgJson[key], key);
  return out;
}

/** The non-runtime paths under one package folder. */
function excludesOf(root: string): string[] {
  let pkgJson: Record<string, unknown> = {};
  try {
    pkgJson = JSON.parse(Deno.readTextFileSync(`${root}/package.json`));
  } catch { /* no package.json: nothing is protected */ }
  const runtime = runtimePaths(pkgJson);
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const e of Deno.readDirSync(rel === "" ? root : `${root}/${rel}`)) {
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      const lower = e.name.toLowerCase();
      if (e.isDirectory) {
        const named = NON_RUNTIME_DIRS.some((r) => r.test(lower));
        if (named && !runtime.some((p) => p === path || p.startsWith(`${path}/`))) {
          out.push(`${root}/${path}`);
        } else if (lower !== "node_modules") visit(path);
      } else if (NON_RUNTIME_FILES.some((r) => r.test(lower)) && !runtime.includes(path)) {
        out.push(`${root}/${path}`);
      }
    }
  };
  visit("");
  return out;
}

function sizeOf(path: string): number {
  const s = Deno.statSync(path);
  if (!s.isDirectory) return s.size;
  let total = 0;
  for (const e of Deno.readDirSync(path)) total += sizeOf(`${path}/${e.name}`);
  return total;
}

const info = JSON.parse(await new Response(Deno.stdin.readable).text());
const packages = Object.values(info.npmPackages ?? {}) as NpmPackage[];
if (packages.length === 0) {
  throw new Error("Cannot list npm packages: `deno info --json` named none (is it main.ts's?)");
}
let bytes = 0;
let count = 0;
for (const pkg of packages) {
  if (!pkg.localPath) {
    throw new Error(
      `Cannot find ${pkg.name}@${pkg.version} in Deno's npm cache: deno info gave no localPath`,
    );
  }
  for (const path of excludesOf(pkg.localPath)) {
    if (path.includes(",")) continue; // a flag value cannot hold a comma; embed it instead
    bytes += sizeOf(path);
    count++;
    console.log(`--exclude=${path}`);
  }
}
console.error(
  `npm: leaving ${count} non-runtime paths (${(bytes / 1048576).toFixed(1)} MiB) of ` +
    `${packages.length} packages out of the binary`,
);
