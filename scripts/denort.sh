#!/usr/bin/env bash
# Sourced by scripts/test_all.sh and scripts/check_release.sh: when DENORT_BIN is unset and
# `deno compile` could not download its runtime (denort) for this machine, sets DENORT_BIN to
# the deno executable itself. The build then succeeds and proves the binary can be made (the
# module graph, the embedded npm packages, the permission flags), but the result starts deno, not
# the broker, so tests that run the binary skip themselves (tests/binary_smoke_test.ts).
# Expects D to name scripts/deno.
default_denort_bin() {
  [ -n "${DENORT_BIN:-}" ] && return 0
  local version target url
  version=$("$D" --version | head -1 | cut -d" " -f2)
  target=$("$D" eval --quiet 'console.log(Deno.build.target)')
  url="https://dl.deno.land/release/v$version/denort-$target.zip"
  if "$D" eval --quiet "const r = await fetch('$url', { method: 'HEAD',
      signal: AbortSignal.timeout(10_000) }); Deno.exit(r.ok ? 0 : 1);" 2>/dev/null; then
    echo "denort: deno compile will download $url" >&2
  else
    DENORT_BIN=$("$D" eval --quiet 'console.log(Deno.execPath())')
    export DENORT_BIN
    echo "denort: cannot download $url; building with DENORT_BIN=$DENORT_BIN" \
      "(the build is checked; the binary it makes runs deno, not the broker)" >&2
  fi
}
