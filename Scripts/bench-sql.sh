#!/usr/bin/env bash
# Measures Cabinet's SQL layer against GRDB on SQLite (WAL, synchronous=FULL): a point read by a unique key and a
# small write transaction (UPDATE + INSERT), one at a time and 16 at once. Builds in release; bounded by
# BENCH_SECONDS per measurement (default 3) × 9 measurements × 3 rounds. Ends with one RESULT line.
#   BENCH_ROWS=100000 BENCH_SECONDS=3 Scripts/bench-sql.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh
apt_install libsqlite3-dev
log "building the benchmark (release)"
swift build -c release --package-path Benchmarks/SQLLayer --scratch-path .build-bench 2>&1 | grep -E "error|Compiling bench|Build complete" || true
timeout 600 .build-bench/release/bench-sql
