#!/usr/bin/env bash
# Tests Scripts/check-layering.sh: copies the repository into a temporary folder, breaks the copy deliberately in
# one way per forbidden edge (an import in a Swift file, a public signature, or a target dependency appended to
# Package.swift), runs the copy's Scripts/check-layering.sh and expects it to exit 1 and to name the broken edge
# ("layering violated: <rule>: <A> → <B>"). It also expects the unbroken copy, and copies changed in ways the rules
# allow (a commented-out import, a concrete service in the composition root), to pass.
#
# The copy holds the files git knows (tracked, plus untracked ones that are not ignored) as they are on disk, so it
# sees what Scripts/check-layering.sh would see in this tree; nothing is built and .build is not touched. All copies
# share one SwiftPM scratch folder (LAYERING_SCRATCH_PATH), and every case but the unbroken copy reuses one
# `swift package show-dependencies` answer (LAYERING_PACKAGE_GRAPH): no case changes an external package, and that
# call is the slow one. Prints "ok: <case> refused|accepted" or "FAIL: <case>: …" per case, then "N passed, M failed",
# and exits 1 when any case failed. The temporary folders are removed at exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LAYERING_SCRATCH_PATH="$tmp/scratch"
started=$SECONDS
passed=0
failed=0
case_timeout=300  # seconds for one run of check-layering.sh (the first one resolves packages from the mirror)

# The files git knows, as they are on disk (a tracked file deleted on disk is skipped).
mkdir "$tmp/pristine"
git -C "$root" ls-files -z --cached --others --exclude-standard |
    (cd "$root" && while IFS= read -r -d '' file; do if [ -e "$file" ] || [ -L "$file" ]; then printf '%s\0' "$file"; fi; done |
        tar --null -T - -cf -) |
    tar -xf - -C "$tmp/pristine"

pass() { echo "ok: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }

# run_check DIR [LAYERING_PACKAGE_GRAPH]: runs DIR's check-layering.sh; sets `output` and `status`. With a package
# graph given, SwiftPM resolves nothing and touches only the private scratch folder, so its temporary directory can be
# ours: it leaves an empty folder there per manifest it compiles (and its lock files, which no one else needs to see).
# The run that resolves keeps the system's TMPDIR, where SwiftPM locks the caches it shares with other builds.
run_check() {
    local temporary=${TMPDIR:-/tmp}
    if [ -n "${2:-}" ]; then
        temporary="$tmp/temporary"
        mkdir -p "$temporary"
    fi
    if output=$(cd "$1" && TMPDIR="$temporary" LAYERING_PACKAGE_GRAPH="${2:-}" timeout "$case_timeout" Scripts/check-layering.sh 2>&1); then
        status=0
    else
        status=$?
    fi
}

# --- break helpers, run inside the case's copy ------------------------------------------------------------------

first_swift() { # first_swift DIR: the first Swift file of a target's folder
    local file
    file=$(find "$1" -name '*.swift' | LC_ALL=C sort | head -n 1)
    [ -n "$file" ] || { echo "no Swift file under $1" >&2; return 1; }
    echo "$file"
}
prepend() { # prepend DIR LINE: LINE becomes the first line of DIR's first Swift file
    local file
    file=$(first_swift "$1") || return 1
    { printf '%s\n' "$2"; cat "$file"; } >"$file.new" && mv "$file.new" "$file"
}
append() { # append DIR TEXT: TEXT is added at the end of DIR's first Swift file (top level)
    local file
    file=$(first_swift "$1") || return 1
    printf '\n%s\n' "$2" >>"$file"
}
depend() { # depend TARGET DEPENDENCY: a target dependency (a Swift expression) appended to Package.swift
    [ -f Package.swift ] || return 1
    printf '\nfor target in package.targets where target.name == "%s" {\n    target.dependencies.append(%s)\n}\n' "$1" "$2" >>Package.swift
}
add_debt() { # add_debt RULE EDGE: an entry appended to KNOWN_DEBT of the copy's check-layering.sh
    python3 - "$1" "$2" <<'PY'
import sys
path = "Scripts/check-layering.sh"
text = open(path).read()
anchor = "KNOWN_DEBT = [\n"
if anchor not in text:
    sys.exit("no `KNOWN_DEBT = [` line in " + path)
open(path, "w").write(text.replace(anchor, anchor + f'    ("{sys.argv[1]}", "{sys.argv[2]}", "test"),\n', 1))
PY
}

# --- cases ------------------------------------------------------------------------------------------------------

# refuse NAME RULE EDGE COMMAND...: COMMAND breaks a fresh copy; check-layering.sh must exit 1 naming RULE and EDGE.
refuse() {
    local name=$1 rule=$2 edge=$3
    shift 3
    rm -rf "$tmp/case" && cp -a "$tmp/pristine" "$tmp/case"
    if ! (cd "$tmp/case" && "$@") >"$tmp/break.log" 2>&1; then
        fail "$name: could not break the copy: $(tr '\n' ' ' <"$tmp/break.log")"
        return
    fi
    run_check "$tmp/case" "$tmp/graph.json"
    if [ "$status" -ne 1 ]; then
        fail "$name: check-layering.sh exited $status, expected 1: $(tail -n 3 <<<"$output" | tr '\n' ' ')"
    elif ! grep -qF -- "$rule: $edge" <<<"$output"; then
        fail "$name: exited 1 but did not name \"$rule: $edge\": $(grep -v '^known debt:' <<<"$output" | head -n 3 | tr '\n' ' ')"
    else
        pass "$name refused"
    fi
}

# accept NAME COMMAND...: COMMAND changes a fresh copy in a way the rules allow; check-layering.sh must exit 0.
accept() {
    local name=$1
    shift
    rm -rf "$tmp/case" && cp -a "$tmp/pristine" "$tmp/case"
    if ! (cd "$tmp/case" && "$@") >"$tmp/break.log" 2>&1; then
        fail "$name: could not change the copy: $(tr '\n' ' ' <"$tmp/break.log")"
        return
    fi
    run_check "$tmp/case" "$tmp/graph.json"
    if [ "$status" -eq 0 ]; then
        pass "$name accepted"
    else
        fail "$name: check-layering.sh exited $status, expected 0: $(grep -v '^known debt:' <<<"$output" | head -n 3 | tr '\n' ' ')"
    fi
}

# The unbroken copy, with every SwiftPM call made for real (this also resolves packages into the shared scratch).
run_check "$tmp/pristine"
if [ "$status" -eq 0 ]; then
    pass "unbroken copy passes ($(grep -c '^known debt:' <<<"$output") known debt)"
else
    fail "unbroken copy: check-layering.sh exited $status, expected 0:"
    sed 's/^/    /' <<<"$output"
fi
if ! (cd "$tmp/pristine" && swift package --scratch-path "$LAYERING_SCRATCH_PATH" --manifest-cache local \
    show-dependencies --format json >"$tmp/graph.json" 2>"$tmp/graph.log"); then
    cat "$tmp/graph.log" >&2
    fail "swift package show-dependencies failed in the copy; the other cases cannot run"
    echo "$passed passed, $failed failed"
    exit 1
fi

refuse "Tariffs (Core) depends on Hummingbird in Package.swift" http-package "Tariffs → Hummingbird" \
    depend Tariffs .hummingbird
refuse "AuthStorage imports BillingStorage" storage-to-storage "AuthStorage → BillingStorage" \
    prepend Modules/Auth/Storage "import BillingStorage"
refuse "SubscribersStorage has internal import TariffsStorage" storage-to-storage "SubscribersStorage → TariffsStorage" \
    prepend Modules/Subscribers/Storage "internal import TariffsStorage"
refuse "AuthStorage depends on SubscribersStorage in Package.swift" storage-to-storage "AuthStorage → SubscribersStorage" \
    depend AuthStorage '"SubscribersStorage"'
refuse "BillingHTTP imports SubscribersStorage" http-to-storage "BillingHTTP → SubscribersStorage" \
    prepend Modules/Billing/HTTP "import SubscribersStorage"
refuse "PaymentsHTTP has @testable import BillingStorage" http-to-storage "PaymentsHTTP → BillingStorage" \
    prepend Modules/Payments/HTTP "@testable import BillingStorage"
refuse "SubscribersHTTP depends on TariffsStorage in Package.swift" http-to-storage "SubscribersHTTP → TariffsStorage" \
    depend SubscribersHTTP '"TariffsStorage"'
refuse "Tariffs (Core) imports CabinetServer" module-to-server "Tariffs → CabinetServer" \
    prepend Modules/Tariffs/Core "import CabinetServer"
refuse "CabinetHTTP (kernel) has public import CabinetServer" module-to-server "CabinetHTTP → CabinetServer" \
    prepend Modules/Kernel/CabinetHTTP "public import CabinetServer"
refuse "SubscribersTesting depends on CabinetServer in Package.swift" module-to-server "SubscribersTesting → CabinetServer" \
    depend SubscribersTesting '"CabinetServer"'
refuse "PaymentsHTTP has a public func taking DefaultBillingService" concrete-service-in-public-api "PaymentsHTTP → DefaultBillingService" \
    append Modules/Payments/HTTP "public func f(_ s: DefaultBillingService) {}"
refuse "TariffsHTTP has a multi-line public func taking DefaultSubscriberService" concrete-service-in-public-api \
    "TariffsHTTP → DefaultSubscriberService" append Modules/Tariffs/HTTP $'public func g(\n    _ s: DefaultSubscriberService\n) {}'
refuse "Subscribers (Core) imports Payments, not in its uses:" undeclared-core-import "Subscribers → Payments" \
    prepend Modules/Subscribers/Core "import Payments"
refuse "KNOWN_DEBT entry that no longer occurs" "known debt no longer occurs" "storage-to-storage: SubscribersStorage → TariffsStorage" \
    add_debt storage-to-storage "SubscribersStorage → TariffsStorage"

accept "commented-out import BillingStorage in AuthStorage" \
    prepend Modules/Auth/Storage "// import BillingStorage"
accept "CabinetServer (composition root) takes DefaultBillingService publicly" \
    append Modules/Server/CabinetServer "public func f(_ s: DefaultBillingService) {}"

echo "took $((SECONDS - started))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
