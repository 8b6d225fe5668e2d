#!/usr/bin/env bash
# Drives a real headless Chromium through the web cabinet: login page → SMS code (read from the dev SMS sink with
# `cabinet outbox`) → home → profile → security → logout. Installs Debian's chromium and chromium-driver and
# selenium (PyPI, in the tools venv) when missing. Touches only 127.0.0.1; bounded to a few minutes.
#   Scripts/browser-test.sh            (after `swift build`; builds the cabinet product when it is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh

apt_install chromium chromium-driver fonts-dejavu-core libhpdf-dev
python=$(tools_python)

bin=$(swift build --show-bin-path)
[ -x "$bin/cabinet" ] || swift build --product cabinet >/dev/null
work=$(mktemp -d /tmp/cabinet-browser.XXXXXX)
port=$(free_port)
database="sqlite://$work/cabinet.sqlite"
log "starting cabinet on 127.0.0.1:$port"
key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
CABINET_DATABASE_URL="$database" CABINET_MAIL_DIR="$work/mail" CABINET_OUTBOX_POLL=200ms CABINET_OPERATOR_KEY="$key" \
    "$bin/cabinet" serve --port "$port" --demo --regions Regions >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { tail -n 30 "$work/server.log" >&2; exit 1; }

set +e
timeout 300 "$python" Scripts/browser_test.py --base "http://127.0.0.1:$port" --cabinet "$bin/cabinet" \
    --database "$database" --screenshots "${BROWSER_SCREENSHOTS:-$work/screenshots}" --operator-key "$key"
status=$?
set -e
if [ "$status" -ne 0 ]; then
    echo "--- server log (tail) ---" >&2
    tail -n 40 "$work/server.log" >&2
fi
exit "$status"
