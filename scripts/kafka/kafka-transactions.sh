#!/usr/bin/env bash
# kafka-transactions.sh from the Apache Kafka jars (KAFKA_VERSION=3.7|4).
exec "$(dirname "$0")/_run.sh" transactions "$@"
