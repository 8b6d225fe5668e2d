#!/usr/bin/env bash
# The tariff advisor («Подобрать тариф») on a line with BENCH_PER_MONTH rated events in each of the last three whole
# months (10,000 by default): the median of timed runs of the advice (every open tariff of Moscow replayed with
# Billing's rules) beside a bare query of the same rows, on SQLite (and PostgreSQL with BENCH_POSTGRES=1). Bounded by
# `timeout`; touches only 127.0.0.1. Ends with one RESULT line; the target is under 200 ms on SQLite.
#   BENCH_SCRATCH=.build-release Scripts/bench-advice.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh
apt_install libhpdf-dev
per_month=${BENCH_PER_MONTH:-10000}
log "building cabinet-bench (release)"
swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --product cabinet-bench 2>&1 | grep -E "error|warning: |Build complete" | grep -v "swift-distributed" || true
bin=$(swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --show-bin-path)
work=$(mktemp -d /tmp/cabinet-bench-advice.XXXXXX)
trap 'stop_postgres; rm -rf "$work"' EXIT

run() {  # run NAME URL
    log "$1: $per_month events a month for three months"
    timeout 900 "$bin/cabinet-bench" advice --per-month "$per_month" --database "$2" 2>/dev/null | tee "$work/$1.out" | grep -E "seeded|FIGURES"
}
field() { grep -o " $2=[^ ]*" "$work/$1.out" | cut -d= -f2; }

run sqlite "sqlite://$work/advice.sqlite"
summary="RESULT advice_ms=$(field sqlite advice_ms) bare_ms=$(field sqlite bare_ms) ratio=$(field sqlite ratio)"
summary+=" events=$(field sqlite events) tariffs=$(field sqlite tariffs) target_ms=200"
if [ "${BENCH_POSTGRES:-0}" = 1 ]; then
    start_postgres
    run postgres "$PG_URL"
    summary+=" pg_advice_ms=$(field postgres advice_ms) pg_bare_ms=$(field postgres bare_ms)"
fi
echo "$summary"
