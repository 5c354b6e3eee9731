#!/usr/bin/env bash
# Builds the single `kafscale` binary with `deno compile`, with permissions scoped to what the
# broker needs (src/cli/permissions.ts): it may write only its data directory (default
# /var/lib/kafscale, as in deploy/kafscale.service) and read only that and its configuration
# directory (default /etc/kafscale, for TLS files). Deno bakes these paths into the binary.
# `deno compile` downloads its runtime (denort) unless DENORT_BIN points at a local copy
# (machines without internet access must set it).
# Usage: scripts/compile.sh [--target <triple>] [--output <path>] [--data-dir <dir>]
#                           [--config-dir <dir>]
set -euo pipefail
cd "$(dirname "$0")/.."
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
mapfile -t perms < <(./scripts/deno run --quiet scripts/permissions.ts \
  --data-dir "$data_dir" --read "$config_dir")
echo "permissions: ${perms[*]}" >&2
args=(compile "${perms[@]}" --output "$output")
[ -n "$target" ] && args+=(--target "$target")
if [ -n "${DENORT_BIN:-}" ]; then echo "using DENORT_BIN=$DENORT_BIN" >&2; fi
exec ./scripts/deno "${args[@]}" main.ts
