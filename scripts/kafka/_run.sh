#!/usr/bin/env bash
# Runs an Apache Kafka CLI tool from the Maven Central jars installed by
# scripts/install_test_deps.sh. KAFKA_VERSION selects 3.7 (default) or 4.
# Usage: _run.sh <tool> [args...]   tool: topics, configs, consumer-groups,
#        console-producer, console-consumer, delete-records, get-offsets, acls, transactions
set -euo pipefail
TOOLS="${KAFSCALE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kafscale}"
case "${KAFKA_VERSION:-3.7}" in
  3.7*) v=3.7.2 ;;
  4*) v=4.0.0 ;;
  *) echo "unknown KAFKA_VERSION ${KAFKA_VERSION}" >&2; exit 2 ;;
esac
dir="$TOOLS/kafka-$v"
[ -f "$dir/.complete" ] || { echo "Kafka $v jars missing: run scripts/install_test_deps.sh" >&2; exit 2; }
tool="$1"; shift
case "$v:$tool" in
  3.7.2:topics) main=org.apache.kafka.tools.TopicCommand ;;
  3.7.2:configs) main=kafka.admin.ConfigCommand ;;
  3.7.2:consumer-groups) main=kafka.admin.ConsumerGroupCommand ;;
  3.7.2:console-producer) main=kafka.tools.ConsoleProducer ;;
  3.7.2:console-consumer) main=kafka.tools.ConsoleConsumer ;;
  3.7.2:delete-records) main=org.apache.kafka.tools.DeleteRecordsCommand ;;
  3.7.2:get-offsets) main=org.apache.kafka.tools.GetOffsetShell ;;
  3.7.2:acls) main=kafka.admin.AclCommand ;;
  3.7.2:transactions) main=org.apache.kafka.tools.TransactionsCommand ;;
  4.0.0:topics) main=org.apache.kafka.tools.TopicCommand ;;
  4.0.0:configs) main=kafka.admin.ConfigCommand ;;
  4.0.0:consumer-groups) main=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  4.0.0:console-producer) main=org.apache.kafka.tools.ConsoleProducer ;;
  4.0.0:console-consumer) main=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  4.0.0:delete-records) main=org.apache.kafka.tools.DeleteRecordsCommand ;;
  4.0.0:get-offsets) main=org.apache.kafka.tools.GetOffsetShell ;;
  4.0.0:acls) main=org.apache.kafka.tools.AclCommand ;;
  4.0.0:transactions) main=org.apache.kafka.tools.TransactionsCommand ;;
  *) echo "unknown tool $tool" >&2; exit 2 ;;
esac
exec java -Xshare:auto -XX:TieredStopAtLevel=1 -Xmx512m -Dlog4j2.level=OFF -Dlog4j.configuration=file:/dev/null \
  -cp "$dir/*" "$main" "$@"
