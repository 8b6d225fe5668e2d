#!/usr/bin/env bash
# Rates usage events through Billing's store (durable: SQLite WAL + synchronous=FULL, PostgreSQL fsync on; idempotent:
# every event id once) and, in the same run and database, inserts the same rows into a bare table in the same batches.
# Runs 1,000,000 events over 1,000,000 lines and over 10,000 lines on SQLite, and over 1,000,000 lines on PostgreSQL.
# Every run is bounded by `timeout`; touches only 127.0.0.1. Ends with one RESULT line.
#   Scripts/bench-rating.sh                       BENCH_EVENTS=200000 BENCH_LINES=200000 Scripts/bench-rating.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh
apt_install libhpdf-dev
events=${BENCH_EVENTS:-1000000}
many=${BENCH_LINES:-1000000}
few=${BENCH_FEW_LINES:-10000}
log "building cabinet-bench (release)"
swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --product cabinet-bench 2>&1 | grep -E "error|warning: |Build complete" | grep -v "swift-distributed" || true
bin=$(swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --show-bin-path)
work=$(mktemp -d /tmp/cabinet-bench-rating.XXXXXX)
trap 'stop_postgres; rm -rf "$work"' EXIT

run() {  # run NAME LINES URL
    log "$1: $events events over $2 lines"
    timeout 1800 "$bin/cabinet-bench" rating --lines "$2" --events "$events" --database "$3" | tee "$work/$1.out" | grep FIGURES
}
field() { grep -o " $2=[^ ]*" "$work/$1.out" | cut -d= -f2; }

run sqlite_many "$many" "sqlite://$work/many.sqlite"
rm -f "$work"/many.sqlite*
run sqlite_few "$few" "sqlite://$work/few.sqlite"
rm -f "$work"/few.sqlite*
if [ "${BENCH_POSTGRES:-1}" = 1 ]; then
    start_postgres
    run postgres_many "$many" "$PG_URL"
fi

scale=$(python3 -c "print(round($(field sqlite_many events_per_s) / $(field sqlite_few events_per_s), 3))")
summary="RESULT events_per_s=$(field sqlite_many events_per_s) raw_per_s=$(field sqlite_many raw_per_s) ratio=$(field sqlite_many ratio)"
summary+=" events_per_s_10k_lines=$(field sqlite_few events_per_s) ratio_10k_lines=$(field sqlite_few ratio) scale_1m_vs_10k=$scale"
if [ -f "$work/postgres_many.out" ]; then
    summary+=" pg_events_per_s=$(field postgres_many events_per_s) pg_raw_per_s=$(field postgres_many raw_per_s) pg_ratio=$(field postgres_many ratio)"
fi
summary+=" ledger=$(field sqlite_many ledger) resend_duplicates=$(field sqlite_many resend_duplicates)"
echo "$summary"
