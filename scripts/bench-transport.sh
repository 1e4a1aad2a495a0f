#!/usr/bin/env bash
# Transport benchmark: connection set-up, 1 KiB ping-pong and bulk throughput for raw TCP, the tcp
# transport and the quic transport, on loopback, both ends in one JVM. Prints a table.
#   scripts/bench-transport.sh [seconds-per-phase, default 5]
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" TransportBenchmark "$@"
