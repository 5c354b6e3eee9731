#!/usr/bin/env bash
# Installs what the end-to-end tests need, idempotently: etcd, kcat and openssl (the etcd TLS
# tests' throwaway CA) from Debian, an S3-compatible server (s3rver, npm), confluent-kafka and
# kafka-python (PyPI), kafkajs (npm), the Apache Kafka CLI tools and Java clients 3.7.x and
# 4.x, and Kafka Connect and Kafka Streams 4.x (Maven Central). Tools go to $KAFSCALE_TOOLS_DIR
# (default ~/.cache/kafscale); a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="${KAFSCALE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kafscale}"
mkdir -p "$TOOLS"
say() { printf '[install] %s\n' "$*"; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

# Deno itself (scripts/deno installs the pinned version on first use).
./scripts/deno --version | head -1

# Debian packages.
need_apt=()
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need_apt+=(etcd-client)
command -v kcat >/dev/null 2>&1 || need_apt+=(kcat)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
command -v systemd-analyze >/dev/null 2>&1 || need_apt+=(systemd)
command -v flock >/dev/null 2>&1 || need_apt+=(util-linux)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-venv)
# The console's browser tests and the monitoring files' checks (tests/console_test.ts,
# tests/prometheus_test.ts).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# Python clients in a venv.
PY="$TOOLS/venv/bin/python"
if ! "$PY" -c 'import confluent_kafka, kafka' >/dev/null 2>&1; then
  say "python venv with confluent-kafka and kafka-python"
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check "confluent-kafka==2.6.1" "kafka-python==2.0.2"
fi

# kafkajs and s3rver from npm.
if [ ! -d "$TOOLS/node/node_modules/kafkajs" ] || [ ! -d "$TOOLS/node/node_modules/s3rver" ]; then
  say "npm: kafkajs, s3rver"
  mkdir -p "$TOOLS/node"
  cp tests/clients/node/package.json "$TOOLS/node/package.json"
  (cd "$TOOLS/node" && npm install --silent --no-audit --no-fund kafkajs@2.2.4 s3rver@3.7.1 >/dev/null)
fi

# Apache Kafka jars from Maven Central.
for v in 3.7.2 4.0.0; do
  dir="$TOOLS/kafka-$v"
  if [ ! -f "$dir/.complete" ]; then
    say "maven: Apache Kafka $v jars"
    mkdir -p "$dir"
    mvn -q -B -f tests/clients/java/pom.xml -Dkafka.version="$v" dependency:copy-dependencies \
      -DoutputDirectory="$dir" -DincludeScope=runtime >/dev/null
    touch "$dir/.complete"
  fi
done

# Kafka Connect (runtime, file connectors) and Kafka Streams (with WordCountDemo) 4.x, next to
# the Kafka 4 jars: the compaction tests run a Connect worker and a Streams application.
apps="$TOOLS/kafka-4.0.0"
if [ ! -f "$apps/.apps-complete" ]; then
  say "maven: Kafka Connect and Kafka Streams 4.0.0 jars"
  mvn -q -B -f tests/clients/java/apps-pom.xml -Dkafka.version=4.0.0 dependency:copy-dependencies \
    -DoutputDirectory="$apps" -DincludeScope=runtime >/dev/null
  touch "$apps/.apps-complete"
fi

# franz-go test program (Go module proxy), also kept under a name with the hash of its sources
# (tests/_harness.ts kgoClient()), so checkouts with different versions of it can share $TOOLS.
kgo_hash=$(cat tests/clients/go/main.go tests/clients/go/go.mod tests/clients/go/go.sum | sha256sum | cut -c1-12)
if [ ! -x "$TOOLS/kgoclient" ] || [ tests/clients/go/main.go -nt "$TOOLS/kgoclient" ] ||
  [ ! -x "$TOOLS/kgoclient-$kgo_hash" ]; then
  command -v go >/dev/null 2>&1 || { echo "go is required to build the franz-go test client" >&2; exit 1; }
  say "go build franz-go test client"
  (cd tests/clients/go && go build -o "$TOOLS/kgoclient-$kgo_hash" .)
  cp "$TOOLS/kgoclient-$kgo_hash" "$TOOLS/kgoclient"
fi

say "ready: $(etcd --version 2>/dev/null | head -1); kcat $(kcat -V 2>/dev/null | grep -o "Version [0-9.]*" | head -1 | cut -d" " -f2); $("$PY" -c 'import confluent_kafka as c, kafka; print("confluent-kafka", c.version()[0], "kafka-python", kafka.__version__)')"
