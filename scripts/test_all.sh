#!/usr/bin/env bash
# The whole test suite: installs missing test tools, then static checks, the release build
# (`deno compile` of the kafscale binary, then a host-target release archive with its checksums,
# scripts/check_release.sh), fast unit tests (codec, storage, domain), and the end-to-end suites
# with real clients and services. Each phase prints its elapsed seconds; the first failing phase
# stops the run.
# The build needs deno's runtime (denort): when DENORT_BIN is unset and denort cannot be
# downloaded, DENORT_BIN defaults to the deno executable (scripts/denort.sh), which checks that
# the binary builds although what it makes starts deno rather than the broker.
set -euo pipefail
cd "$(dirname "$0")/.."
D=./scripts/deno
started=$SECONDS
# Runs one phase (a single command) and prints how long it took, or that it failed.
phase() {
  local name="$1" t0=$SECONDS
  shift
  echo "== $name"
  if ! "$@"; then
    echo "== $name: FAILED after $((SECONDS - t0)) s" >&2
    exit 1
  fi
  echo "== $name: $((SECONDS - t0)) s"
}
phase "install test tools" bash scripts/install_test_deps.sh
phase "format check" "$D" fmt --check
phase "lint" "$D" lint
phase "type check" "$D" check main.ts src/ tests/ scripts/
source scripts/denort.sh
default_denort_bin
phase "compile (deno task compile)" bash scripts/compile.sh --output dist/kafscale
phase "release archive and checksums (scripts/check_release.sh)" bash scripts/check_release.sh
phase "unit tests (src/)" "$D" test --allow-read --allow-write --allow-env --allow-net \
  --allow-sys --allow-run src/
phase "end-to-end tests (tests/)" "$D" test --allow-all tests/
echo "== all phases passed in $((SECONDS - started)) s"
