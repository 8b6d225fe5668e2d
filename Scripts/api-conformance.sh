#!/usr/bin/env bash
# Runs schemathesis (PyPI) against the OpenAPI document a real cabinet serves, over every route: once as a logged-in
# subscriber (every /api/v1 route, the public ones included) and once with the operator key (/operator/v1 and
# /metrics), with the checks not_a_server_error, status_code_conformance, content_type_conformance and
# response_schema_conformance. The document lists 4XX and 503 answers, never a catch-all `default`, so an
# undocumented 2xx or 3xx is a failure.
# The server runs on 127.0.0.1 over a scratch SQLite database and a copy of Regions/ whose send limits are raised
# for the run (codes, anonymous payments) so that routes that send SMS are exercised, not refused. Fails on any
# failure; bounded to a few minutes.
#   Scripts/api-conformance.sh            (after `swift build`; builds the cabinet product when it is missing)
#   API_EXAMPLES=50 Scripts/api-conformance.sh   more examples per operation (default 25)
#   API_REPORTS=/tmp/api Scripts/api-conformance.sh   keeps schemathesis' full reports there
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh

python=$(tools_python)
schemathesis="$(dirname "$python")/schemathesis"
bin=$(swift build --show-bin-path)
[ -x "$bin/cabinet" ] || swift build --product cabinet >/dev/null
work=$(mktemp -d /tmp/cabinet-api.XXXXXX)
port=$(free_port)
base="http://127.0.0.1:$port"
key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
database="sqlite://$work/cabinet.sqlite"

# The shipped regions with the send limits of a load test, not production's.
cp -R Regions "$work/regions"
"$python" - "$work/regions/_defaults.yaml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
for key, value in {"resendInterval": "1s", "maxPerHour": "60", "maxPerDay": "200", "maxPerAddressPerHour": "10000",
                   "maxFailuresPerAddressPerHour": "10000", "maxFailuresBeforeLock": "100",
                   "maxFailuresPerNumber": "10000", "maxPerNumberPerHour": "10000"}.items():
    text, count = re.subn(rf"(\n\s+{key}: )[^\n]+", rf"\g<1>{value}", text, count=1)
    assert count >= 1, key
open(path, "w", encoding="utf-8").write(text)
PY

log "starting cabinet on $base"
CABINET_DATABASE_URL="$database" CABINET_MAIL_DIR="$work/mail" CABINET_OPERATOR_KEY="$key" \
    "$bin/cabinet" serve --port "$port" --demo --regions "$work/regions" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
    curl -sf "$base/health" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -sf "$base/health" >/dev/null || { tail -n 30 "$work/server.log" >&2; exit 1; }

# A subscriber session by the SMS code, read from the outbox as the demo does.
number="+79000000001"
curl -sf -X POST "$base/api/v1/auth/otp" -H 'content-type: application/json' -d "{\"msisdn\":\"$number\"}" >/dev/null
code=$(CABINET_DATABASE_URL="$database" "$bin/cabinet" outbox 2>/dev/null | grep -F "$number" | grep -oE '[0-9]{6}' | tail -n 1)
token=$(curl -sf -X POST "$base/api/v1/auth/otp/verify" -H 'content-type: application/json' \
    -d "{\"msisdn\":\"$number\",\"code\":\"$code\"}" | "$python" -c 'import json, sys; print(json.load(sys.stdin)["token"])')

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
# From the scratch folder: schemathesis keeps its cache (.schemathesis/) where it runs, not in the repository.
run() {
    (cd "$work" && timeout 900 "$schemathesis" run "$base/openapi.yaml" --url "$base" --checks "$checks" \
        --max-examples "${API_EXAMPLES:-25}" --seed 20261130 --no-color "$@")
}
status=0
# Logging out, switching lines and ending a session by its id (the stateful phase finds the run's own session in
# GET /me/sessions) end the run's session, after which every logged-in route would only answer 401: they are left
# out here and covered by the Swift HTTP tests. So is a ticket's event stream, which stays open for a minute by design.
log "schemathesis as a subscriber (every route but the operator's, the three that end the run's session, the event stream)"
run -H "Authorization: Bearer $token" --exclude-path-regex '^/operator/|^/tmf-api/|^/metrics$' \
    --exclude-path /api/v1/auth/logout --exclude-path /api/v1/me/switch \
    --exclude-path '/api/v1/me/tickets/{number}/events' \
    --exclude-name "DELETE /api/v1/me/sessions/{id}" >"$work/subscriber.txt" 2>&1 || status=1
tail -n 25 "$work/subscriber.txt"
if ! curl -sf "$base/api/v1/me/dashboard" -H "Authorization: Bearer $token" >/dev/null; then
    echo "the run's session ended during the subscriber run: its results do not cover the logged-in routes" >&2
    status=1
fi
log "schemathesis with the operator key (/operator/v1, /tmf-api, /metrics)"
run -H "Authorization: Bearer $key" --include-path-regex '^/operator/|^/tmf-api/|^/metrics$' >"$work/operator.txt" 2>&1 \
    || status=1
tail -n 25 "$work/operator.txt"
if [ "$status" -ne 0 ]; then
    # Each failure with its check, the answer and the curl command that reproduces it.
    for report in "$work/subscriber.txt" "$work/operator.txt"; do
        sed -n '/^=* FAILURES =*$/,/^=* SUMMARY =*$/p' "$report" | head -n 200 >&2
    done
    echo "--- server log (errors) ---" >&2
    grep -E 'error|critical' "$work/server.log" | tail -n 20 >&2 || true
fi
failures=$( (grep -hoE '[0-9]+ failures?' "$work/subscriber.txt" "$work/operator.txt" || true) | awk '{s += $1} END {print s + 0}')
if [ -n "${API_REPORTS:-}" ]; then mkdir -p "$API_REPORTS" && cp "$work/subscriber.txt" "$work/operator.txt" "$API_REPORTS/"; fi
echo "RESULT schemathesis_failures=$failures"
exit "$status"
