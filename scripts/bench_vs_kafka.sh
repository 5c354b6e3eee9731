#!/usr/bin/env bash
# KafScale (embedded default and etcd + s3rver) against Apache Kafka 3.7 on this machine, with
# Kafka's own perf tools; prints a table of medians and ratios (see scripts/bench_vs_kafka.ts).
# Usage: scripts/bench_vs_kafka.sh [--rounds N] [--warmup N] [--records N]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_test_deps.sh >/dev/null
./scripts/deno run --allow-all scripts/bench_vs_kafka.ts "$@"
