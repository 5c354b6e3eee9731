#!/usr/bin/env bash
# Benchmarks: micro-benchmarks (CRC32C, codec, record batches), then an end-to-end produce /
# consume run of 1 KiB records with acks=all on the embedded default and another on a real etcd
# plus s3rver (fewer records, so the whole run takes a few minutes on 2 cores; needs
# scripts/install_test_deps.sh); the embedded run loads a PLAINTEXT and then a SASL_SSL listener
# (TLS + SCRAM-SHA-512); then what one flush cycle costs at 1, 100 and 1,000 active partitions
# (scripts/bench_flush_cost.ts), then compaction throughput and memory per pass over 1M records
# and 10k keys, uncompressed and gzip (scripts/bench_compaction.ts), then acknowledgement latency of confluent-kafka producers
# (scripts/bench_acks.ts: acks=1/all, linger.ms 0/5, 1 and 10 producers, on the embedded default
# and on etcd + s3rver with the flush spacing at its default of 10 ms and at 0; about 3 minutes).
# Extra arguments go to both produce / consume runs and override their defaults; BENCH_ACKS_ARGS
# goes to the latency run (e.g. "--setups embedded,etcd-s3,kafka" adds Apache Kafka 3.7).
# Then the console API's answer times at 1,000 partitions and 100 groups
# (scripts/bench_console.ts), and the throughput of transactional against idempotent producers
# (scripts/bench_txn.ts). Prints figures only.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deno bench --allow-read src/
./scripts/deno run --allow-all scripts/bench_produce.ts --backend embedded --security both "$@"
./scripts/deno run --allow-all scripts/bench_produce.ts --backend etcd-s3 --records 50000 "$@"
./scripts/deno run --allow-all scripts/bench_flush_cost.ts
./scripts/deno run --allow-all scripts/bench_compaction.ts
./scripts/deno run --allow-all scripts/bench_compaction.ts --codec gzip
# shellcheck disable=SC2086 # BENCH_ACKS_ARGS is a list of flags
./scripts/deno run --allow-all scripts/bench_acks.ts ${BENCH_ACKS_ARGS:-}
./scripts/deno run --allow-all scripts/bench_console.ts
./scripts/deno run --allow-all scripts/bench_txn.ts
