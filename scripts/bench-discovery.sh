#!/usr/bin/env bash
# Discovery benchmark: 3, 10 and 30 real nodes on loopback in one JVM with one bootstrap peer and
# default settings: time to full catalogs, cost per node, how fast a tag change reaches all nodes.
#   scripts/bench-discovery.sh [cluster sizes..., default 3 10 30]
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" DiscoveryBenchmark "$@"
