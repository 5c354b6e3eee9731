#!/usr/bin/env bash
# Builds release archives into dist/ (or --dist <dir>): per target, kafscale-<version>-<target>.tar.gz
# holding one folder with the `kafscale` binary (scripts/compile.sh), deploy/kafscale.service,
# deploy/kafscale.env.example, deploy/kafscale-secure.env.example, README.md and LICENSE; then
# SHA256SUMS over the archives built (check with `sha256sum -c SHA256SUMS`). Targets: Linux x86_64/aarch64 and macOS
# x86_64/aarch64, or those given with --target (repeatable), or only this machine's with
# --host-only.
# `deno compile` downloads each target's runtime (denort). Without internet access give it one:
# DENORT_BIN_<target> (dashes as underscores, e.g. DENORT_BIN_x86_64_unknown_linux_gnu) per
# target, or DENORT_BIN when building a single target.
# Usage: scripts/release.sh [--target <triple>]... [--host-only] [--dist <dir>]
set -euo pipefail
cd "$(dirname "$0")/.."
D=./scripts/deno
version=$(sed -n 's/.*VERSION = "\(.*\)".*/\1/p' src/cli/version.ts)
dist=dist; targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) targets+=("$2"); shift 2 ;;
    --host-only) targets+=("$("$D" eval --quiet 'console.log(Deno.build.target)')"); shift ;;
    --dist) dist="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu \
  x86_64-apple-darwin aarch64-apple-darwin)
if [ -n "${DENORT_BIN:-}" ] && [ ${#targets[@]} -gt 1 ]; then
  echo "Cannot use DENORT_BIN for ${#targets[@]} targets: it is one target's runtime;" \
    "use --target (or --host-only), or DENORT_BIN_<target> per target" >&2
  exit 2
fi
mkdir -p "$dist"
# Archives carry the last commit's time and no owner names, so a rebuild from the same commit
# and runtimes gives the same archive bytes.
mtime="@$(git log -1 --format=%ct 2>/dev/null || date +%s)"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
archives=()
for t in "${targets[@]}"; do
  name="kafscale-$version-$t"
  per_target="DENORT_BIN_${t//-/_}"
  denort="${!per_target:-${DENORT_BIN:-}}"
  mkdir -p "$staging/$name/deploy"
  DENORT_BIN="$denort" bash scripts/compile.sh --target "$t" --output "$staging/$name/kafscale"
  cp deploy/kafscale.service deploy/kafscale.env.example deploy/kafscale-secure.env.example \
    "$staging/$name/deploy/"
  cp README.md LICENSE "$staging/$name/"
  chmod 0755 "$staging/$name/kafscale"
  chmod 0644 "$staging/$name/deploy/"* "$staging/$name/README.md" "$staging/$name/LICENSE"
  tar --sort=name --mtime="$mtime" --owner=0 --group=0 --numeric-owner \
    -C "$staging" -czf "$dist/$name.tar.gz" "$name"
  rm -rf "${staging:?}/$name"
  archives+=("$name.tar.gz")
done
(cd "$dist" && sha256sum "${archives[@]}" > SHA256SUMS)
echo "release $version in $dist:" >&2
(cd "$dist" && ls -l "${archives[@]}" SHA256SUMS && cat SHA256SUMS)
