#!/usr/bin/env bash
# Log storage benchmark (FileLogStorage): appends/s and sync() latency p50/p99 for ALWAYS, BATCHED(10 ms)
# and NEVER with 1 and 64 entries per sync and 8 B and 1 KiB entries; reading back the entry just appended
# with and without the cache; opening a log of 1,000,000 entries (needs about 1.1 GB free).
#   scripts/bench-storage.sh [seconds-per-phase, default 3] [directory on the disk to measure, default the temp directory]
set -euo pipefail
exec "$(dirname "$0")/bench-run.sh" StorageBenchmark "$@"
