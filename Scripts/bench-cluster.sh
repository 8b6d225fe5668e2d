#!/usr/bin/env bash
# Dashboard and top-up throughput through nginx with 1, 2 and 3 release nodes on one PostgreSQL (through PgBouncer),
# with each process's CPU per request; beside them the SQLite server's dashboard, asked directly, and one PostgreSQL
# node's asked directly too (no nginx), so that the two compare on one path, and that node again with its line caches
# missing (every line's stamp changing) (Scripts/bench_cluster.py says how to read the figures on one two-core machine). 127.0.0.1 only; each wrk run BENCH_SECONDS (default 10); ends
# with one RESULT line.
#   Scripts/bench-cluster.sh          BENCH_LINES=10000 BENCH_SECONDS=5 BENCH_SCRATCH=.build-release Scripts/bench-cluster.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh
apt_install wrk libhpdf-dev pgbouncer nginx-light postgresql-client
seconds=${BENCH_SECONDS:-10}
lines=${BENCH_LINES:-10000}
log "building cabinet and cabinet-bench (release)"
swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --product cabinet 2>&1 | grep -E "error|Build complete" || true
swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --product cabinet-bench 2>&1 | grep -E "error|Build complete" || true
bin=$(swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --show-bin-path)
work=$(mktemp -d /tmp/cabinet-bench-cluster.XXXXXX)
chmod 755 "$work"
trap 'stop_postgres; rm -rf "$work"' EXIT
start_postgres
admin=${PG_URL%%\?*}
admin=${admin%/*}/postgres
psql "$admin" -q -c "CREATE DATABASE bench_cluster" >/dev/null
database="${admin%/*}/bench_cluster?sslmode=disable"
log "seeding $lines lines on PostgreSQL and on SQLite"
"$bin/cabinet-bench" seed --lines "$lines" --database "$database"
"$bin/cabinet-bench" topup-seed --database "$database" --count "${BENCH_TOPUPS:-200000}" --out "$work/hooks"
"$bin/cabinet-bench" seed --lines "$lines" --database "sqlite://$work/bench.sqlite"
timeout $((seconds * 10 + 600)) python3 Scripts/bench_cluster.py --bin "$bin" --database "$database" \
    --sqlite "$work/bench.sqlite" --hooks "$work/hooks" --lines "$lines" --seconds "$seconds" --work "$work"
