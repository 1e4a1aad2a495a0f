#!/usr/bin/env bash
# Groups benchmark, workload "counter": 3 members in one JVM on loopback, latency with 1 command
# outstanding and throughput with 64, from the leader and from a follower, then a graceful hand-over.
#   scripts/bench-groups.sh [seconds-per-phase, default 5]
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" GroupsBenchmark "$@"
