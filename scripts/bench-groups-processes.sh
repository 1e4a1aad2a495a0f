#!/usr/bin/env bash
# Groups benchmark W1 "counter" with every member in a JVM of its own (as the Ratis and jgroups-raft
# anchors run it): latency at 1 outstanding, throughput at 64, failover after SIGKILL of the leader,
# for memory and disk logs; then a follower restarted on 1,000,000 logged entries.
#   scripts/bench-groups-processes.sh [--runs=3] [--clusterWarmup=20] [--warmup=5] [--duration=10]
#                                     [--storage=memory,disk] [--restart=1000000] [--maxSeconds=3000]
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" GroupProcessBenchmark "$@"
