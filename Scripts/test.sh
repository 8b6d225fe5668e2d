#!/usr/bin/env bash
# Runs every test of Cabinet on a fresh machine: installs what the tests need when it is missing (PostgreSQL from
# Debian), starts PostgreSQL on 127.0.0.1 in a temporary folder, builds, checks the module layering and the region
# files, runs the whole Swift test suite on SQLite and on PostgreSQL, and stops what it started.
#
#   Scripts/test.sh            everything
#   Scripts/test.sh Subscribers   only tests whose name matches (passed to `swift test --filter`)
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh

filter=${1:-}
started=$(date +%s)
trap stop_postgres EXIT

start_postgres
# What the tests read back or talk to: libharu for PDF statements, poppler-utils to read them, openssl for the SMTP test's
# certificate, the DejaVu font, and the Python test peers (aiosmtpd) in .venv-tools.
apt_install libhpdf-dev poppler-utils openssl fonts-dejavu-core
python=$(tools_python)

# A test folder git does not track is missing from a fresh clone, and SwiftPM then refuses the package there.
if [ -d .git ]; then
    for folder in Tests/*/; do
        if [ -z "$(git ls-files -- "$folder" | head -n 1)" ]; then
            echo "$folder holds no file git tracks: a fresh clone would not build (add a test or commit it)" >&2
            exit 1
        fi
    done
fi

log "formatting (swift-format, .swift-format)"
Scripts/format.sh --check

log "building (debug, with tests)"
build_log=$(mktemp)
set +e
swift build --build-tests 2>&1 | tee "$build_log" | awk '/^\[[0-9]+\/[0-9]+\]/ { split($1, p, "[][/]"); if (p[2] % 250 == 0) { print; fflush() } }'
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
    grep -E "error" "$build_log" | head -n 40 >&2
    echo "build failed" >&2
    exit 1
fi
# Our own code builds without warnings (dependencies' warnings are theirs).
if grep -E "^$(pwd)/(Modules|Tests)/.*warning:" "$build_log" | sort -u | grep .; then
    echo "warnings in Cabinet's code (above)" >&2
    exit 1
fi

log "module layering"
Scripts/check-layering.sh
# The layering check refuses each forbidden edge in a deliberately broken copy (and passes the unbroken one).
Scripts/check-layering-test.sh

log "region files"
Scripts/check-regions.sh

log "swift test (SQLite and PostgreSQL)"
test_log=$(mktemp)
# Bounded: the suite takes about 2.5 minutes here; a hang ends after 25 with the tests it was running named, instead of
# running into CI's limit with nothing said. The test process runs in the background because `swift test` starts it in
# a process group of its own, out of reach of a timeout given to `swift test`. A crash reports the crashed thread only:
# symbolicating the hundreds of threads a full run holds took the backtracer 13 minutes.
limit=${CABINET_TEST_TIMEOUT:-1500}
SWIFT_BACKTRACE=threads=crashed \
    CABINET_TEST_POSTGRES_URL="$PG_URL" CABINET_TEST_REQUIRE_POSTGRES=1 CABINET_TEST_PYTHON="$python" \
    swift test --skip-build ${filter:+--filter "$filter"} > "$test_log" 2>&1 &
test_pid=$!
waited=0
while kill -0 "$test_pid" 2>/dev/null; do
    if [ "$waited" -ge "$limit" ]; then
        echo "swift test did not finish within ${limit}s" >&2
        pkill -KILL -f 'CabinetPackageTests.xctest' || true
        kill -KILL "$test_pid" 2>/dev/null || true
        break
    fi
    sleep 5
    waited=$((waited + 5))
    if [ $((waited % 60)) -eq 0 ]; then
        echo "  ... $(grep -cE '^(✔|✘) Test [a-zA-Z]' "$test_log" || true) tests finished after ${waited}s"
    fi
done
set +e
wait "$test_pid"
status=$?
set -e
grep -vE '^(◇|↳) ' "$test_log" | grep -E '✘|error|Test run|failed|passed after|crashed' | grep -vE '^✔ (Test|Suite) [a-zA-Z]' | tail -n 40 || true
if [ "$status" -ne 0 ] && ! grep -qE '^(✔|✘) Test run with' "$test_log"; then
    # Hung or crashed: what was running, and the crash report's first lines when there is one.
    python3 Scripts/unfinished_tests.py "$test_log" | head -n 40 >&2
    grep -A 12 -E '^\*\*\* (Program crashed|Signal)' "$test_log" | head -n 40 >&2 || true
    grep -B 2 -A 8 ' crashed:$' "$test_log" | head -n 30 >&2 || true
fi
sqlite=$(grep -cE 'argument backend → sqlite|argument _ → sqlite|→ \.sqlite|→ sqlite' "$test_log" || true)
postgres=$(grep -cE 'argument backend → postgres|argument _ → postgres|→ \.postgres|→ postgres' "$test_log" || true)
summary=$(grep -E '^(✔|✘) Test run with' "$test_log" | tail -n 1 || true)
echo "$summary"
echo "storage test cases run: sqlite=$sqlite postgres=$postgres"
echo "took $(( $(date +%s) - started ))s"
if [ "$status" -ne 0 ]; then
    grep -E '✘' "$test_log" | head -n 60 >&2 || true
    exit "$status"
fi

if [ -z "$filter" ]; then
    log "API conformance (schemathesis against the served /openapi.yaml)"
    Scripts/api-conformance.sh
    log "browser test (headless Chromium)"
    Scripts/browser-test.sh
    if [ "${CABINET_SKIP_CLUSTER:-}" = 1 ] && [ -z "${CI:-}" ]; then
        log "cluster test skipped (CABINET_SKIP_CLUSTER=1)"
    else
        log "cluster test (3 nodes, PgBouncer, nginx, the smpp34 SMSC, SIGKILL chaos)"
        PG_URL="$PG_URL" Scripts/cluster-test.sh
    fi
fi
