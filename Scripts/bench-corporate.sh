#!/usr/bin/env bash
# A company of BENCH_LINES lines (10,000) with BENCH_EVENTS rated events this month (3,000,000) on SQLite (and on
# PostgreSQL with BENCH_POSTGRES=1): the month's expense report through Corporate beside a bare grouped query of the
# same rows (target ≤ 2×), a bulk tariff change over every line (dry run, then the bulk job; target ≥ 500 lines/s on
# SQLite), and «Абоненты» (a page of 50) under 16 admins' sessions with wrk on the release server (target p99 < 50 ms).
# Bounded by `timeout`; touches only 127.0.0.1. Ends with one RESULT line.
#   BENCH_SCRATCH=.build-release Scripts/bench-corporate.sh      BENCH_EVENTS=300000 Scripts/bench-corporate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh
apt_install wrk libhpdf-dev
lines=${BENCH_LINES:-10000}
events=${BENCH_EVENTS:-3000000}
seconds=${BENCH_SECONDS:-10}
log "building cabinet and cabinet-bench (release)"
for product in cabinet cabinet-bench; do
    swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --product "$product" 2>&1 | grep -E "error|Build complete" | grep -v "swift-distributed" || true
done
bin=$(swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --show-bin-path)
work=$(mktemp -d /tmp/cabinet-bench-corporate.XXXXXX)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; stop_postgres; rm -rf "$work"; }
trap cleanup EXIT

run() {  # run NAME URL
    log "$1: $lines lines, $events events, report and bulk change"
    timeout 1800 "$bin/cabinet-bench" corporate --lines "$lines" --events "$events" --database "$2" 2>/dev/null \
        | tee "$work/$1.out" | grep -E "seeded|FIGURES"
}
field() { grep -o " $2=[^ ]*" "$work/$1.out" | cut -d= -f2; }

db="$work/corporate.sqlite"
run sqlite "sqlite://$db"

log "«Абоненты» over HTTP: 16 admins, pages of 50"
port=$(free_port)
CABINET_DATABASE_URL="sqlite://$db" CABINET_LOG_LEVEL=error CABINET_TRUSTED_PROXIES=127.0.0.1 CABINET_MAIL_DIR="$work/mail" \
    CABINET_OUTBOX_POLL=60s CABINET_SANDBOX=true "$bin/cabinet" serve --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/version" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/version" >/dev/null || { tail -n 20 "$work/server.log" >&2; exit 1; }
python3 Scripts/bench_sessions.py --port "$port" --database "$db" --lines "$lines" --count 16 --first --out "$work/tokens"
BENCH_TOKENS="$work/tokens" BENCH_LINES="$lines" timeout 30 wrk -t2 -c16 -d3s -s Scripts/bench-corporate.lua "http://127.0.0.1:$port" >/dev/null
out=$(BENCH_TOKENS="$work/tokens" BENCH_LINES="$lines" timeout $((seconds + 30)) wrk -t2 -c16 -d"${seconds}s" --timeout 5s --latency \
    -s Scripts/bench-corporate.lua "http://127.0.0.1:$port")
echo "$out" | grep -E "Requests/sec|99%|Non-2xx" || true
if echo "$out" | grep -q "Non-2xx"; then echo "non-2xx answers on the lines page" >&2; exit 1; fi
page=$(echo "$out" | python3 -c '
import re, sys
text = sys.stdin.read()
m = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\b", text, re.M)
value, unit = float(m.group(1)), m.group(2)
p99 = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
print(f"{p99:.2f} {rps:.0f}")')
kill "$server"; wait "$server" 2>/dev/null || true; server=""

summary="RESULT report_s=$(field sqlite report_s) bare_s=$(field sqlite bare_s) ratio=$(field sqlite ratio)"
summary+=" bulk_lines_per_s=$(field sqlite bulk_lines_per_s) bulk_done=$(field sqlite done) bulk_refused=$(field sqlite refused)"
summary+=" page_p99_ms=${page%% *} page_rps=${page##* } lines=$lines events=$events"
if [ "${BENCH_POSTGRES:-0}" = 1 ]; then
    start_postgres
    run postgres "$PG_URL"
    summary+=" pg_report_s=$(field postgres report_s) pg_bare_s=$(field postgres bare_s) pg_ratio=$(field postgres ratio)"
    summary+=" pg_bulk_lines_per_s=$(field postgres bulk_lines_per_s)"
fi
echo "$summary"
