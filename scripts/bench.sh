#!/usr/bin/env bash
# Benchmarks: micro-benchmarks (CRC32C, codec, record batches), then an end-to-end produce /
# consume run of 1 KiB records with acks=all on the embedded default and another on a real etcd
# plus s3rver (fewer records, so the whole run takes a few minutes on 2 cores; needs
# scripts/install_test_deps.sh); the embedded run loads a PLAINTEXT and then a SASL_SSL listener
# (TLS + SCRAM-SHA-512). Extra arguments go to both end-to-end runs and override their
# defaults. Prints figures only.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deno bench --allow-read src/
./scripts/deno run --allow-all scripts/bench_produce.ts --backend embedded --security both "$@"
./scripts/deno run --allow-all scripts/bench_produce.ts --backend etcd-s3 --records 50000 "$@"
