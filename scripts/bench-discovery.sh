#!/usr/bin/env bash
# Discovery benchmark: 3, 10 and 30 real nodes on loopback in one JVM with one bootstrap peer and
# default settings: time to full catalogs, cost per node, how fast a tag change reaches all nodes.
#   scripts/bench-discovery.sh [cluster sizes..., default 3 10 30]
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=$(scripts/java-home.sh)
export JAVA_HOME
mvn -B -q -pl mosaik-benchmarks -am package -DskipTests
exec "$JAVA_HOME/bin/java" -Dtech.kwik.core.no-security-warnings=true \
  -cp "mosaik-benchmarks/target/mosaik-benchmarks-0.1.0-SNAPSHOT.jar:mosaik-benchmarks/target/lib/*" \
  io.mosaik.benchmarks.DiscoveryBenchmark "$@"
