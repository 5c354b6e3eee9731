#!/usr/bin/env bash
# Builds release binaries for Linux x86_64/aarch64 and macOS x86_64/aarch64 with SHA-256
# checksums into dist/. Needs internet access for denort downloads, or DENORT_BIN per target.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/.*VERSION = "\(.*\)".*/\1/p' src/cli/version.ts)
rm -f dist/SHA256SUMS
for t in x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin; do
  out="dist/kafscale-$version-$t"
  bash scripts/compile.sh --target "$t" --output "$out"
  (cd dist && sha256sum "$(basename "$out")" >> SHA256SUMS)
done
cat dist/SHA256SUMS
