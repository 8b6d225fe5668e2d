#!/usr/bin/env bash
# Several Cabinet servers as an operator runs them (Scripts/cluster_test.py says what is checked): PostgreSQL,
# PgBouncer in transaction pooling, three `cabinet serve` nodes, nginx round robin and the smpp34 SMSC, all on
# 127.0.0.1. Installs what is missing with apt; bounded in time (CLUSTER_BUDGET seconds, default 900); ends with one
# RESULT line. Scripts/test.sh runs it (CABINET_SKIP_CLUSTER=1 skips it there for a quick local run, never in CI).
#   Scripts/cluster-test.sh            CLUSTER_CHAOS_SECONDS=30 CLUSTER_DAYS=10 Scripts/cluster-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh
apt_install libhpdf-dev pgbouncer nginx-light postgresql-client
python=$(tools_python)
budget=${CLUSTER_BUDGET:-900}
log "building cabinet"
swift build --product cabinet 2>&1 | grep -E "error|warning: |Build" | tail -3 || true
bin=$(swift build --show-bin-path)/cabinet
work=$(mktemp -d /tmp/cabinet-cluster.XXXXXX)
chmod 755 "$work"
own_pg=false
if [ -z "${PG_URL:-}" ]; then
    start_postgres
    own_pg=true
fi
cleanup() {
    $own_pg && stop_postgres
    if [ "${CLUSTER_KEEP:-}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
# A database of its own on the server the suite uses.
admin=${PG_URL%%\?*}
admin=${admin%/*}/postgres
psql "$admin" -q -c "DROP DATABASE IF EXISTS cabinet_cluster" -c "CREATE DATABASE cabinet_cluster" >/dev/null
database="${admin%/*}/cabinet_cluster?sslmode=disable"
# The nodes read a copy of the region files: the test changes it and reloads them by SIGHUP.
cp -r Regions "$work/regions"
status=0
timeout "$budget" "$python" Scripts/cluster_test.py --cabinet "$bin" --database "$database" --python "$python" \
    --regions "$work/regions" --work "$work" --days "${CLUSTER_DAYS:-30}" \
    --chaos-seconds "${CLUSTER_CHAOS_SECONDS:-60}" --budget "$budget" || status=$?
if [ $status -ne 0 ]; then
    for file in "$work"/node*.log; do
        echo "--- last lines of $(basename "$file")" >&2
        grep -v '"level":"info"' "$file" | tail -15 >&2 || true
    done
    [ -f "$work/pgbouncer/pgbouncer.log" ] && { echo "--- pgbouncer" >&2; tail -10 "$work/pgbouncer/pgbouncer.log" >&2; }
    [ -f "$work/nginx/error.log" ] && { echo "--- nginx" >&2; tail -10 "$work/nginx/error.log" >&2; }
fi
exit $status
