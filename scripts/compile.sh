#!/usr/bin/env bash
# Builds the single `kafscale` binary with `deno compile`, with permissions scoped to what the
# broker needs. `deno compile` downloads its runtime (denort) unless DENORT_BIN points at a
# local copy (machines without internet access must set it).
# Usage: scripts/compile.sh [--target <triple>] [--output <path>]
set -euo pipefail
cd "$(dirname "$0")/.."
target=""; output="dist/kafscale"
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$(dirname "$output")"
# The same permission flags as `deno task start` (tests run that exact set with `deno run`).
# Network (listener, S3, etcd), KAFSCALE_*/AWS_* environment, and the data directory.
perms=(--allow-net --allow-env --allow-read --allow-write --allow-sys)
args=(compile "${perms[@]}" --output "$output")
[ -n "$target" ] && args+=(--target "$target")
if [ -n "${DENORT_BIN:-}" ]; then echo "using DENORT_BIN=$DENORT_BIN" >&2; fi
exec ./scripts/deno "${args[@]}" main.ts
