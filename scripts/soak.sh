#!/usr/bin/env bash
# The long soak of issue #21: three brokers on etcd + s3rver, two idempotent producers at 100
# records/s each on six partitions, a broker killed or paused every 8-14 s, for 30 minutes by
# default (the first argument sets the seconds). It runs tests/soak_test.ts's etcd case with
# KAFSCALE_SOAK_SECONDS and prints its summary: records acknowledged and read back, the most
# segment keys seen and a sample a minute, the chaos applied, and etcd's status (DB size).
# Broker and producer logs of the run are kept in $KAFSCALE_SOAK_LOG_DIR (/tmp/kafscale-soak-logs).
# Usage: scripts/soak.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_test_deps.sh >/dev/null
KAFSCALE_SOAK_LOG_DIR="${KAFSCALE_SOAK_LOG_DIR:-/tmp/kafscale-soak-logs}" \
KAFSCALE_SOAK_SECONDS="${1:-1800}" ./scripts/deno test --allow-all tests/soak_test.ts \
  --filter "etcd+s3"
