#!/usr/bin/env bash
# Payments under SIGKILL: mixed top-ups, transfers and promised payments against a real server that is killed every
# 1–3 s and restarted, first on SQLite, then on a private PostgreSQL; then every acknowledged operation must be
# applied exactly once and the ledger balanced. Loopback only; each backend runs CHAOS_SECONDS (default 60).
#   Scripts/chaos-payments.sh          CHAOS_SECONDS=20 Scripts/chaos-payments.sh sqlite
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh
apt_install libhpdf-dev
seconds=${CHAOS_SECONDS:-60}
backends=${1:-"sqlite postgres"}
log "building cabinet"
swift build --product cabinet 2>&1 | grep -E "error|Compiling|Build" | tail -1 || true
bin=$(swift build --show-bin-path)/cabinet
work=$(mktemp -d /tmp/cabinet-chaos.XXXXXX)
trap 'stop_postgres; rm -rf "$work"' EXIT
status=0
results=()
for backend in $backends; do
    case $backend in
        sqlite) url="sqlite://$work/chaos.sqlite" ;;
        postgres)
            start_postgres
            url=$PG_URL
            ;;
        *) echo "unknown backend $backend" >&2; exit 2 ;;
    esac
    log "chaos on $backend for ${seconds}s"
    out=$(timeout $((seconds + 600)) python3 Scripts/chaos_payments.py --cabinet "$bin" --database "$url" --backend "$backend" \
        --seconds "$seconds" --log "$work/server-$backend.log") || { status=1; echo "$out"; tail -20 "$work/server-$backend.log"; }
    echo "$out" | grep -v '^RESULT'
    results+=("$(echo "$out" | grep '^RESULT' | sed 's/^RESULT //')")
done
echo "RESULT ${results[*]}"
exit $status
