#!/usr/bin/env bash
# Transport benchmark: connection set-up, 1 KiB ping-pong and bulk throughput for raw TCP, the tcp
# transport and the quic transport, on loopback, both ends in one JVM. Prints a table.
#   scripts/bench-transport.sh [seconds-per-phase, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=$(scripts/java-home.sh)
export JAVA_HOME
mvn -B -q -pl mosaik-benchmarks -am package -DskipTests
exec "$JAVA_HOME/bin/java" -Dtech.kwik.core.no-security-warnings=true \
  -cp "mosaik-benchmarks/target/mosaik-benchmarks-0.1.0-SNAPSHOT.jar:mosaik-benchmarks/target/lib/*" \
  io.mosaik.benchmarks.TransportBenchmark "$@"
