#!/usr/bin/env bash
# Fails when a Core or Storage target (or a kernel target below HTTP) reaches Hummingbird or any other HTTP package
# in its dependency closure: someone embedding Billing + BillingStorage must never build a web server.
#
# The target graph comes from `swift package describe --type json`; which package each product belongs to from
# `swift package dump-package`; what each package drags in from `swift package show-dependencies --format json`.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift package describe --type json >"$work/describe.json" 2>/dev/null
swift package dump-package >"$work/dump.json" 2>/dev/null
swift package show-dependencies --format json >"$work/deps.json" 2>/dev/null
python3 - "$work" <<'PY'
import json, sys, os

work = sys.argv[1]
describe = json.load(open(os.path.join(work, "describe.json")))
dump = json.load(open(os.path.join(work, "dump.json")))
graph = json.load(open(os.path.join(work, "deps.json")))

# Packages whose presence means "an HTTP server or client is being built".
HTTP_PACKAGES = {"hummingbird", "hummingbird-auth", "hummingbird-websocket", "swift-openapi-hummingbird", "swift-websocket",
                 "async-http-client", "vapor", "swift-mustache", "swift-http-types", "swift-nio-http2", "swift-openapi-runtime"}

# Products whose own target pulls in no HTTP although their package depends on Hummingbird (checked by hand:
# HummingbirdBcrypt's target depends on CBcrypt only, and SwiftPM builds only the targets a product needs).
ALLOWED_PRODUCTS = {("HummingbirdBcrypt", "hummingbird-auth")}

closure = {}
def walk(node):
    reach = {node["identity"]}
    for child in node.get("dependencies", []):
        reach |= walk(child)
    closure[node["identity"]] = reach
    return reach
walk(graph)

products = {}   # target -> [(product, package)]
for target in dump["targets"]:
    products[target["name"]] = [(d["product"][0], d["product"][1].lower()) for d in target["dependencies"] if "product" in d]

targets = {t["name"]: t for t in describe["targets"]}

def path_to_http(name, seen):
    if name in seen:
        return None
    seen.add(name)
    for product, package in products.get(name, []):
        if (product, package) in ALLOWED_PRODUCTS:
            continue
        bad = closure.get(package, {package}) & HTTP_PACKAGES
        if bad:
            return [name, f"{product} ({package}{' → ' + ', '.join(sorted(bad - {package})) if bad - {package} else ''})"]
    for dependency in targets[name].get("target_dependencies", []):
        found = path_to_http(dependency, seen)
        if found:
            return [name] + found
    return None

module_cores = set()
for target in describe["targets"]:
    path = target["path"]
    if path.startswith("Modules/") and path.endswith("/Core"):
        module_cores.add(target["name"])
checked = sorted(t["name"] for t in describe["targets"] if t["type"] == "library" and (
    t["name"] in module_cores or t["name"].endswith("Storage")
    or t["name"] in {"CabinetCore", "CabinetStorage", "CabinetMessaging"}))

failures = []
for name in checked:
    found = path_to_http(name, set())
    if found:
        failures.append(f"  {name} reaches an HTTP package: {' → '.join(found)}")
if failures:
    print("layering violated: Core and Storage targets must build without any HTTP package")
    print("\n".join(failures))
    sys.exit(1)
print(f"layering ok: {len(checked)} Core/Storage targets reach no HTTP package ({', '.join(checked)})")
PY
