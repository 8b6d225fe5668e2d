#!/usr/bin/env bash
# Starts a release cabinet with the demo lines on 127.0.0.1 and runs Scripts/bruteforce-otp.py against it:
# 1 000 000 wrong codes (or BRUTE_SECONDS, default 900) from rotating loopback addresses. Ends with the RESULT line.
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh
log "building cabinet (release)"
swift build -c release --product cabinet 2>&1 | grep -E "error|Compiling cabinet|Build complete" || true
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/cabinet-brute.XXXXXX)
port=$(free_port)
CABINET_DATABASE_URL="sqlite://$work/cabinet.sqlite" CABINET_LOG_LEVEL=warning CABINET_MAIL_DIR="$work/mail" \
    "$bin/cabinet" serve --port "$port" --demo >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.2; done
python3 Scripts/bruteforce-otp.py --port "$port" --attempts "${BRUTE_ATTEMPTS:-1000000}" --seconds "${BRUTE_SECONDS:-900}"
