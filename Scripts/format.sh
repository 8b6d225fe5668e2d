#!/usr/bin/env bash
# Formats every Swift file git tracks with the toolchain's swift-format and `.swift-format` (4 spaces, lines of at
# most 120 characters, ordered imports).
#
#   Scripts/format.sh           rewrites the files in place
#   Scripts/format.sh --check   changes nothing; lists every file swift-format would change and exits 1 if any
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files '*.swift')
if [ "${1:-}" = "--check" ]; then
    # `lint --strict` reports what `format` would change (a line too long, an import out of order) as errors.
    if ! out=$(swift format lint --strict --parallel --configuration .swift-format "${files[@]}" 2>&1); then
        printf '%s\n' "$out" | head -n 60 >&2
        count=$(printf '%s\n' "$out" | grep -cE '(error|warning):' || true)
        echo "swift-format: $count finding(s); run Scripts/format.sh to fix them" >&2
        exit 1
    fi
    echo "swift-format: ${#files[@]} files formatted"
else
    swift format format --in-place --parallel --configuration .swift-format "${files[@]}"
fi
