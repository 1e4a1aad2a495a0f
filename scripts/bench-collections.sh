#!/usr/bin/env bash
# Collections benchmark: a replicated Map<Long, Long> on 3 writer nodes in one JVM on loopback: put
# latency (1 in flight) and throughput (64 in flight) from the leader's and a follower's node, get
# latency on a reader and a writer, then a late reader catching up with a map of 1,000,000 entries.
#   scripts/bench-collections.sh [seconds-per-phase, default 5] [entries, default 1000000]
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" CollectionsBenchmark "$@"
