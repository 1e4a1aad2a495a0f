#!/usr/bin/env bash
# Streams benchmark: throughput (1 and 4 consumers, 64 B and 1 KiB datums, against a raw link of the
# same transport), latency at 10,000 datums/s, and with --memory the heap while a consumer stalls.
#   scripts/bench-streams.sh [seconds-per-phase, default 5] | --memory [seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=$(scripts/java-home.sh)
export JAVA_HOME
mvn -B -q -pl mosaik-benchmarks -am package -DskipTests
exec "$JAVA_HOME/bin/java" -Dtech.kwik.core.no-security-warnings=true \
  -cp "mosaik-benchmarks/target/mosaik-benchmarks-0.1.0-SNAPSHOT.jar:mosaik-benchmarks/target/lib/*" \
  io.mosaik.benchmarks.StreamsBenchmark "$@"
