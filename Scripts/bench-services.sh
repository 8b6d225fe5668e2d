#!/usr/bin/env bash
# The network's call check (POST /operator/v1/calls/check) of a release server against the bare JSON endpoint of the
# same server, with wrk on 127.0.0.1 at 64 connections: single checks and batches of 100, over BENCH_LINES lines
# (default 1,000,000) with three black-listed numbers each (3,000,000 entries); a share BENCH_HITS (default 0.5) of
# the calls come from a number on the callee's black list (each such call is written to the blocked-call log). Beside
# them, the same endpoint with an empty batch: its floor (HTTP, the operator key, JSON) with nothing to check, which
# bounds what any check can reach here; and batches of 100 calls between numbers that are not lines (each call's JSON
# and numbers, and one read that finds nothing). Runs are interleaved (check, bare, floor, batch, unknown, and again)
# after a warm-up, each bounded by BENCH_SECONDS (default 10). SQLite by default; BENCH_BACKEND=postgres runs it on a
# PostgreSQL started on loopback. Ends with one RESULT line.
#   Scripts/bench-services.sh        BENCH_LINES=100000 BENCH_SECONDS=5 Scripts/bench-services.sh
#   BENCH_HITS=0.05 Scripts/bench-services.sh
#   BENCH_BACKEND=postgres Scripts/bench-services.sh       BENCH_SCRATCH=.build-release Scripts/bench-services.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh
apt_install wrk libhpdf-dev
seconds=${BENCH_SECONDS:-10}
lines=${BENCH_LINES:-1000000}
hits=${BENCH_HITS:-0.5}
backend=${BENCH_BACKEND:-sqlite}
log "building cabinet and cabinet-bench (release)"
swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --product cabinet 2>&1 | grep -E "error|Build complete" || true
swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --product cabinet-bench 2>&1 | grep -E "error|Build complete" || true
bin=$(swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --show-bin-path)
work=$(mktemp -d /tmp/cabinet-bench-services.XXXXXX)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; stop_postgres; rm -rf "$work"; }
trap cleanup EXIT

if [ "$backend" = postgres ]; then
    start_postgres
    database=$PG_URL
else
    database="sqlite://$work/services.sqlite"
fi
log "seeding $lines lines on $backend"
started=$(date +%s)
"$bin/cabinet-bench" seed --lines "$lines" --database "$database"
"$bin/cabinet-bench" blacklist-seed --lines "$lines" --per-line 3 --database "$database"
log "seeded in $(( $(date +%s) - started ))s"

key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=$(free_port)
CABINET_DATABASE_URL="$database" CABINET_LOG_LEVEL=error CABINET_OPERATOR_KEY="$key" CABINET_MAIL_DIR="$work/mail" \
    CABINET_OUTBOX_POLL=60s CABINET_SANDBOX=true "$bin/cabinet" serve --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/version" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/version" >/dev/null || { tail -n 20 "$work/server.log" >&2; exit 1; }

# run NAME BATCH|"" [UNKNOWN]: one wrk run; appends "rps p99_ms" to $work/NAME.
run() {
    local out
    if [ -n "$2" ]; then
        out=$(BENCH_LINES="$lines" BENCH_BATCH="$2" BENCH_HITS="$hits" BENCH_UNKNOWN="${3:-0}" BENCH_KEY="$key" timeout $((seconds + 30)) \
            wrk -t1 -c64 -d"${seconds}s" --timeout 10s --latency -s Scripts/bench-check.lua "http://127.0.0.1:$port")
    else
        out=$(timeout $((seconds + 30)) wrk -t1 -c64 -d"${seconds}s" --timeout 10s --latency "http://127.0.0.1:$port/version")
    fi
    if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; echo "non-2xx answers in $1" >&2; exit 1; fi
    echo "$out" | python3 -c '
import re, sys
text = sys.stdin.read()
m = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\b", text, re.M)
p99 = float(m.group(1)) / 1000 if m.group(2) == "us" else float(m.group(1)) * (1000 if m.group(2) == "s" else 1)
print(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1), round(p99, 2))' >>"$work/$1"
}

log "warm-up"
BENCH_LINES="$lines" BENCH_BATCH=1 BENCH_HITS="$hits" BENCH_KEY="$key" timeout 30 wrk -t1 -c64 -d3s -s Scripts/bench-check.lua "http://127.0.0.1:$port" >/dev/null
timeout 30 wrk -t1 -c64 -d3s "http://127.0.0.1:$port/version" >/dev/null
for round in 1 2; do
    log "round $round: single checks"; run check 1
    log "round $round: bare JSON"; run bare ""
    log "round $round: empty batches (the endpoint's floor)"; run floor 0
    log "round $round: batches of 100"; run batch 100
    log "round $round: batches of 100 unknown numbers"; run unknown 100 1
done

python3 - "$work" "$backend" "$lines" "$hits" <<'PY'
import sys, statistics
work, backend, lines, hits = sys.argv[1:5]
def load(name):
    rows = [list(map(float, line.split())) for line in open(f"{work}/{name}")]
    return statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
check, check_p99 = load("check")
bare, bare_p99 = load("bare")
batch, batch_p99 = load("batch")
floor, _ = load("floor")
unknown, _ = load("unknown")
print(f"{backend}, {lines} lines, black-list hits {hits}: single checks {check:.0f}/s (p99 {check_p99:.2f} ms), "
      f"bare {bare:.0f}/s (p99 {bare_p99:.2f} ms), empty batches {floor:.0f}/s, "
      f"batches of 100 {batch:.0f}/s = {batch * 100:.0f} checks/s (p99 {batch_p99:.2f} ms), "
      f"of 100 unknown numbers {unknown * 100:.0f} checks/s")
print(f"RESULT backend={backend} lines={lines} hits={hits} check_per_s={check:.0f} bare_rps={bare:.0f} "
      f"ratio={check / bare:.2f} floor_rps={floor:.0f} floor_ratio={floor / bare:.2f} "
      f"batch_checks_per_s={batch * 100:.0f} batch_ratio={batch * 100 / bare:.1f} "
      f"unknown_checks_per_s={unknown * 100:.0f} unknown_ratio={unknown * 100 / bare:.1f} p99_ms={check_p99:.2f}")
PY
