#!/usr/bin/env bash
# Streams benchmark: throughput (1 and 4 consumers, 64 B and 1 KiB datums, against a raw link of the
# same transport), latency at 10,000 datums/s, and with --memory the heap while a consumer stalls.
#   scripts/bench-streams.sh [seconds-per-phase, default 5] | --memory [seconds, default 60]
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" StreamsBenchmark "$@"
