#!/usr/bin/env bash
# `deno task start`: runs the broker with the same permission flags as the compiled binary
# (src/cli/permissions.ts), scoped to this run's data directory, the etcd TLS files it is
# given, the listeners' TLS certificate and key, and Deno's npm cache (which a compiled binary
# embeds). Arguments go to `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
D=./scripts/deno
data_dir="${KAFSCALE_DATA_DIR:-./data}"
mkdir -p "$data_dir"
data_dir="$(cd "$data_dir" && pwd)"
export KAFSCALE_DATA_DIR="$data_dir"
npm_cache="$("$D" info --json | "$D" eval --quiet \
  'console.log(JSON.parse(await new Response(Deno.stdin.readable).text()).npmCache)')"
args=(--data-dir "$data_dir" --read "$npm_cache")
for f in "${KAFSCALE_ETCD_TLS_CA_FILE:-}" "${KAFSCALE_ETCD_TLS_CERT_FILE:-}" \
  "${KAFSCALE_ETCD_TLS_KEY_FILE:-}" "${KAFSCALE_TLS_CERT_FILE:-}" "${KAFSCALE_TLS_KEY_FILE:-}"; do
  [ -n "$f" ] && args+=(--read "$f")
done
mapfile -t perms < <("$D" run --quiet scripts/permissions.ts "${args[@]}")
exec "$D" run "${perms[@]}" main.ts serve "$@"
