#!/usr/bin/env bash
# Builds the single `kafscale` binary with `deno compile`, with permissions scoped to what the
# broker needs (src/cli/permissions.ts): it may write only its data directory (default
# /var/lib/kafscale, as in deploy/kafscale.service) and read only that and its configuration
# directory (default /etc/kafscale, for TLS files). Deno bakes these paths into the binary.
# `deno compile` downloads its runtime (denort) unless DENORT_BIN points at a local copy
# (machines without internet access must set it; pointing it at the deno executable itself
# checks that the build succeeds, but the result only starts deno, not the broker).
# Usage: scripts/compile.sh [--target <triple>] [--output <path>] [--data-dir <dir>]
#                           [--config-dir <dir>]
set -euo pipefail
cd "$(dirname "$0")/.."
D=./scripts/deno
target=""; output="dist/kafscale"; data_dir=/var/lib/kafscale; config_dir=/etc/kafscale
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --data-dir) data_dir="$2"; shift 2 ;;
    --config-dir) config_dir="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$(dirname "$output")"
# The same flags as `deno task start` and the end-to-end tests, which run them with `deno run`.
perm_lines=$("$D" run --quiet scripts/permissions.ts --data-dir "$data_dir" --read "$config_dir")
mapfile -t perms <<< "$perm_lines"
echo "permissions: ${perms[*]}" >&2
# `deno compile` embeds every file of every npm package the module graph uses. Packages ship
# tests, docs and examples the broker never loads; one of them (bintrees@1.0.2, under
# prom-client: a 2 MB extensionless test/perf/100k) made deno compile abort with "fatal runtime
# error: stack overflow". scripts/npm_excludes.ts turns a general rule (test, docs, example,
# bench... folders, type declarations, Markdown: see its header) into one --exclude per path,
# found in Deno's npm cache for the packages `deno info` lists, so a new dependency is covered
# without editing this script.
graph=$("$D" info --json main.ts)
exclude_lines=$("$D" run --quiet --allow-read scripts/npm_excludes.ts <<< "$graph")
excludes=()
[ -n "$exclude_lines" ] && mapfile -t excludes <<< "$exclude_lines"
args=(compile "${perms[@]}" "${excludes[@]}" --output "$output")
[ -n "$target" ] && args+=(--target "$target")
if [ -n "${DENORT_BIN:-}" ]; then echo "using DENORT_BIN=$DENORT_BIN" >&2; fi
"$D" "${args[@]}" main.ts
echo "built $output: $(stat -c %s "$output") bytes ($(du -h "$output" | cut -f1))" >&2
