#!/usr/bin/env bash
# The whole test suite: fast unit tests (codec, storage, domain) first, then the end-to-end
# suites with real clients and services. Installs missing test tools first.
set -euo pipefail
cd "$(dirname "$0")/.."
D=./scripts/deno
bash scripts/install_test_deps.sh
echo "== static checks"
$D fmt --check
$D lint
$D check main.ts src/ tests/ scripts/
echo "== unit tests (src/)"
$D test --allow-read --allow-write --allow-env --allow-net --allow-sys --allow-run src/
echo "== end-to-end tests (tests/)"
$D test --allow-all tests/
