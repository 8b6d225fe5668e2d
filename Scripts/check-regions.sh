#!/usr/bin/env bash
# `cabinet regions check` on the shipped Regions/ must pass, and on every deliberately broken case under
# Tests/CabinetServerTests/BrokenRegions it must fail and print exactly the case's expected.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
cabinet=$(swift build --show-bin-path)/cabinet
[ -x "$cabinet" ] || swift build --product cabinet >/dev/null
"$cabinet" regions check --dir Regions | tail -n 1
cases=Tests/CabinetServerTests/BrokenRegions
checked=0
for dir in "$cases"/*/; do
    name=$(basename "$dir")
    [ "$name" = _base ] && continue
    scratch=$(mktemp -d)
    cp "$cases/_base/_defaults.yaml" "$scratch/"
    cp "$dir"*.yaml "$scratch/"
    if output=$("$cabinet" regions check --dir "$scratch"); then
        echo "broken case $name passed the check" >&2
        rm -rf "$scratch"
        exit 1
    fi
    if ! diff <(printf '%s\n' "$output" | sed '$d') "$dir/expected.txt" >/dev/null; then
        echo "broken case $name printed something else:" >&2
        diff <(printf '%s\n' "$output" | sed '$d') "$dir/expected.txt" >&2 || true
        rm -rf "$scratch"
        exit 1
    fi
    rm -rf "$scratch"
    checked=$((checked + 1))
done
echo "regions check refused all $checked broken cases with their expected messages"
