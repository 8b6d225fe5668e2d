#!/usr/bin/env bash
# The authenticated dashboard against a bare JSON endpoint of the same release server on SQLite, with wrk on 127.0.0.1
# (64 connections), at 1,000,000 lines and at 10,000 lines. Sessions: 256 lines logged in by SMS code. Runs are
# interleaved (dashboard, bare, dashboard, bare) after a warm-up; server CPU per request comes from /proc. Each wrk run is
# bounded (BENCH_SECONDS, default 10). Then, at 10,000 lines, top-ups: signed gateway webhooks each crediting a
# different pending card payment (the money moving step: payment state, ledger credit, both durable before the answer)
# with 1 and with 64 connections, beside a bare loop committing one small row per transaction with synchronous=FULL
# on the same disk. Ends with one RESULT line.
#   Scripts/bench-http.sh          BENCH_LINES=200000 BENCH_SECONDS=5 Scripts/bench-http.sh
#   BENCH_ONLY=topups Scripts/bench-http.sh    (the top-up runs and the bare loop alone)
#   BENCH_SCRATCH=.build-release Scripts/bench-http.sh   (release build in another folder than .build)
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh
apt_install wrk libhpdf-dev
seconds=${BENCH_SECONDS:-10}
many=${BENCH_LINES:-1000000}
few=${BENCH_FEW_LINES:-10000}
log "building cabinet and cabinet-bench (release)"
swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --product cabinet 2>&1 | grep -E "error|Build complete" || true
swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --product cabinet-bench 2>&1 | grep -E "error|Build complete" || true
bin=$(swift build -c release ${BENCH_SCRATCH:+--scratch-path "$BENCH_SCRATCH"} --show-bin-path)
work=$(mktemp -d /tmp/cabinet-bench-http.XXXXXX)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# wrk_figures: wrk's report on stdin → "rps p50_ms p99_ms" (no newline).
wrk_figures() {
    python3 -c '
import re, sys
text = sys.stdin.read()
def ms(label):
    m = re.search(r"^\s*" + label + r"\s+([\d.]+)(us|ms|s)\b", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50, p99 = ms("50%"), ms("99%")
print(f"{rps:.0f} {p50:.2f} {p99:.2f}", end="")'
}

# measure NAME PATH SCRIPT: one wrk run; appends "rps p50_ms p99_ms cpu_us_per_request" to $work/NAME.
measure() {
    local before after out requests
    before=$(cpu_ticks "$server")
    if [ -n "$3" ]; then
        out=$(BENCH_TOKENS="$work/tokens" timeout $((seconds + 20)) wrk -t1 -c64 -d"${seconds}s" --timeout 5s --latency -s "$3" "http://127.0.0.1:$port$2")
    else
        out=$(timeout $((seconds + 20)) wrk -t1 -c64 -d"${seconds}s" --timeout 5s --latency "http://127.0.0.1:$port$2")
    fi
    after=$(cpu_ticks "$server")
    if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; echo "non-2xx answers on $2" >&2; exit 1; fi
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    echo "$out" | wrk_figures >>"$work/$1"
    echo -n " " >>"$work/$1"
    python3 -c "print(round(($after - $before) * 10000 / max(1, $requests), 1))" >>"$work/$1"
}

# run LINES: a fresh database, the server, sessions, then the interleaved runs.
run() {
    local lines=$1 db="$work/db-$1.sqlite"
    log "seeding $lines lines"
    (cd "$(pwd)" && "$bin/cabinet-bench" seed --lines "$lines" --database "sqlite://$db")
    if [ "$lines" = "$few" ]; then
        log "creating pending payments for the top-up runs"
        "$bin/cabinet-bench" topup-seed --database "sqlite://$db" --count "${BENCH_TOPUPS:-250000}" --out "$work/hooks"
    fi
    port=$(free_port)
    CABINET_DATABASE_URL="sqlite://$db" CABINET_LOG_LEVEL=error CABINET_TRUSTED_PROXIES=127.0.0.1 CABINET_MAIL_DIR="$work/mail" \
        CABINET_OUTBOX_POLL=60s CABINET_SANDBOX=true "$bin/cabinet" serve --port "$port" >"$work/server-$lines.log" 2>&1 &
    server=$!
    for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/version" >/dev/null 2>&1 && break; sleep 0.2; done
    if [ "${BENCH_ONLY:-}" != topups ]; then
        python3 Scripts/bench_sessions.py --port "$port" --database "$db" --lines "$lines" --count 256 --out "$work/tokens"
        log "warm-up"
        timeout 20 wrk -t1 -c64 -d3s "http://127.0.0.1:$port/version" >/dev/null
        BENCH_TOKENS="$work/tokens" timeout 20 wrk -t1 -c64 -d3s -s Scripts/bench-dashboard.lua "http://127.0.0.1:$port" >/dev/null
        for round in 1 2; do
            log "$lines lines, round $round: dashboard"
            measure "dash-$lines" "" Scripts/bench-dashboard.lua
            log "$lines lines, round $round: bare JSON"
            measure "bare-$lines" /version ""
        done
    fi
    if [ "$lines" = "$few" ]; then
        log "top-ups, 1 connection"
        measure_topups topup-c1 1 0
        log "top-ups, 64 connections"
        measure_topups topup-c64 64 "$(( ${BENCH_TOPUPS:-250000} / 5 ))"
        # The floor under one connection's top-ups: an empty answer's round trip, nothing written.
        log "bare JSON, 1 connection"
        timeout $((seconds + 20)) wrk -t1 -c1 -d"${seconds}s" "http://127.0.0.1:$port/version" | awk '/Requests\/sec/ {print $2}' >"$work/http-c1"
    fi
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
    if [ "$lines" = "$few" ]; then
        "$bin/cabinet" ledger check --database "sqlite://$db" >/dev/null || { echo "ledger check failed after the top-ups" >&2; exit 1; }
        log "bare loop: one row per transaction, synchronous=FULL"
        "$bin/cabinet-bench" bare-commits --file "$work/bare.sqlite" --seconds "$seconds" | awk '/FIGURES/ {split($2, a, "="); print a[2]}' >"$work/bare"
    fi
    rm -f "$db"*
}

# measure_topups NAME CONNECTIONS OFFSET: webhooks from line OFFSET of the prepared file; appends "rps p50 p99" to $work/NAME.
measure_topups() {
    local out
    out=$(BENCH_WEBHOOKS="$work/hooks" BENCH_WEBHOOK_OFFSET="$3" timeout $((seconds + 20)) \
        wrk -t1 -c"$2" -d"${seconds}s" --timeout 5s --latency -s Scripts/bench-topup.lua "http://127.0.0.1:$port")
    if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; echo "non-2xx answers on the top-ups" >&2; exit 1; fi
    echo "$out" | wrk_figures >"$work/$1"
}

if [ "${BENCH_ONLY:-}" = topups ]; then
    run "$few"
else
    run "$many"
    run "$few"
fi

python3 - "$work" "$many" "$few" "${BENCH_ONLY:-}" <<'PY'
import sys, statistics
work, many, few, only = sys.argv[1:5]
def load(name):
    rows = [list(map(float, line.split())) for line in open(f"{work}/{name}")]
    return {k: statistics.median(r[i] for r in rows) for i, k in enumerate(["rps", "p50", "p99", "cpu"])}
result = []
if only != "topups":
    d, b, d10, b10 = load(f"dash-{many}"), load(f"bare-{many}"), load(f"dash-{few}"), load(f"bare-{few}")
    for label, x in [("dashboard 1M", d), ("bare 1M", b), ("dashboard 10k", d10), ("bare 10k", b10)]:
        print(f"{label:14s} {x['rps']:8.0f} req/s  p50 {x['p50']:6.2f} ms  p99 {x['p99']:6.2f} ms  {x['cpu']:6.1f} µs CPU/req")
    result.append(f"dashboard_rps={d['rps']:.0f} bare_rps={b['rps']:.0f} ratio={d['rps']/b['rps']:.2f} "
                  f"dashboard_p50_ms={d['p50']:.2f} dashboard_p99_ms={d['p99']:.2f} bare_p99_ms={b['p99']:.2f} "
                  f"p99_ratio={d['p99']/b['p99']:.2f} cpu_us_per_req_1m={d['cpu']:.1f} cpu_us_per_req_10k={d10['cpu']:.1f} "
                  f"cpu_ratio={d['cpu']/d10['cpu']:.2f}")
t1 = list(map(float, open(f"{work}/topup-c1").read().split()))
t64 = list(map(float, open(f"{work}/topup-c64").read().split()))
bare = float(open(f"{work}/bare").read().strip())
http1 = float(open(f"{work}/http-c1").read().strip())
print(f"top-ups 1 conn  {t1[0]:8.0f} /s     p50 {t1[1]:6.2f} ms  p99 {t1[2]:6.2f} ms")
print(f"top-ups 64 conn {t64[0]:8.0f} /s     p50 {t64[1]:6.2f} ms  p99 {t64[2]:6.2f} ms")
print(f"bare commits    {bare:8.0f} /s     (one row per transaction, synchronous=FULL)")
print(f"bare JSON c1    {http1:8.0f} /s     (one connection, nothing written)")
result.append(f"topups_c1_per_s={t1[0]:.0f} topups_c64_per_s={t64[0]:.0f} bare_commits_per_s={bare:.0f} "
              f"topup_c1_ratio={t1[0]/bare:.2f} topup_c64_ratio={t64[0]/bare:.2f} http_c1_per_s={http1:.0f}")
print("RESULT " + " ".join(result))
PY
