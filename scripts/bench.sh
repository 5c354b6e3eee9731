#!/usr/bin/env bash
# Benchmarks: micro-benchmarks (CRC32C, codec, record batches) and an end-to-end produce /
# consume run of 1 KiB records with acks=all on the embedded default. Prints figures only.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deno bench --allow-read src/
./scripts/deno run --allow-all scripts/bench_produce.ts "$@"
