#!/usr/bin/env bash
# Builds the benchmarks module and runs one of its harnesses; the bench-*.sh scripts call this.
#   scripts/bench-run.sh <TransportBenchmark|DiscoveryBenchmark|StreamsBenchmark|GroupsBenchmark|GroupProcessBenchmark|StorageBenchmark|CollectionsBenchmark> [arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=$(scripts/java-home.sh)
export JAVA_HOME
main="$1"
shift
mvn -B -q -pl mosaik-benchmarks -am package -DskipTests
# BENCH_JAVA_OPTS: extra options for the harness JVM; BENCH_MEMBER_JVM_ARGS: for the member JVMs
# that GroupProcessBenchmark starts
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" -Dtech.kwik.core.no-security-warnings=true ${BENCH_JAVA_OPTS:-} \
  -cp "mosaik-benchmarks/target/mosaik-benchmarks-0.1.0-SNAPSHOT.jar:mosaik-benchmarks/target/lib/*" \
  "io.mosaik.benchmarks.$main" "$@"
