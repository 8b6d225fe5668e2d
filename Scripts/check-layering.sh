#!/usr/bin/env bash
# Checks the module layering (kernel, feature modules with Core/Storage/HTTP/Testing, the composition root in
# Modules/Server; DESIGN.md §1 in shared/) and fails with one line per forbidden edge. The rules, and why:
#
#   http-package        A Core or Storage target (or a kernel target below HTTP) reaches Hummingbird or any other
#                       HTTP package in its dependency closure: someone embedding Billing + BillingStorage must never
#                       build a web server.
#   storage-to-storage  <A>Storage depends on or imports <B>Storage of another feature module: someone embedding
#                       Billing + BillingStorage must not build another module's storage. Modules meet only through
#                       Core protocols; the composition root wires one module's store into another's service.
#   http-to-storage     <A>HTTP depends on or imports <B>Storage of another feature module (its own Storage is not
#                       checked here): HTTP speaks to Core services, never to another module's tables.
#   module-to-server    A target under Modules/ other than Modules/Server/ (a feature module's Core, Storage, HTTP,
#                       Testing or PDF, or a kernel target) depends on or imports CabinetServer: knowledge of the
#                       composition root leaking into a module, and a cycle waiting to happen.
#   concrete-service-in-public-api
#                       A `Default<X>Service` type appears in a `public`/`open` declaration of a target other than
#                       the one that declares it (X's Core), outside Tests/, Modules/Server/ (the composition root
#                       and its executables may know concrete types) and the modules' Testing targets (a test kit wires
#                       its module's concrete service for tests, as the composition root does). Other targets take the Core protocol, so a
#                       module can be embedded with another implementation. The rule is textual and simple: a
#                       `public`/`open` declaration whose signature (its line, plus the following lines up to the
#                       closing parenthesis of a multi-line parameter list) mentions `Default\w+Service`.
#   undeclared-core-import
#                       A feature module's Core imports another module's Core that is not among its target
#                       dependencies (the `uses:` list of its ModuleSpec in Package.swift). SwiftPM compiles such an
#                       import whenever the other module happens to be built transitively; Core→Core edges must be
#                       declared so the `uses:` graph (which must stay acyclic) is the whole truth.
#
# "Depends on" is a direct target dependency in `swift package describe --type json`; "imports" is an import
# declaration with any attribute or access modifier (`import`, `public import`, `internal import`,
# `@testable import`, `import struct M.T`) in a Swift source of that target, found as plain text (comments and
# string literals are skipped). Which package each product belongs to comes from `swift package dump-package`, what
# each package drags in from `swift package show-dependencies --format json`.
#
# KNOWN_DEBT at the top of the Python below lists the violations the tree has today, each with the reason it is
# tolerated. Each is printed as "known debt: …" on every run; a violation not in the list fails, and so does an
# entry that no longer occurs (delete it: the list only shrinks).
#
# Environment (for Scripts/check-layering-test.sh; not needed otherwise):
#   LAYERING_SCRATCH_PATH   SwiftPM scratch folder to use instead of ./.build (with a local manifest cache), so
#                           that copies of the repository share one resolution.
#   LAYERING_PACKAGE_GRAPH  a file holding `swift package show-dependencies --format json` of this same
#                           Package.resolved, used instead of asking SwiftPM (the slow call).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

swiftpm_options=()
if [ -n "${LAYERING_SCRATCH_PATH:-}" ]; then
    swiftpm_options=(--scratch-path "$LAYERING_SCRATCH_PATH" --manifest-cache local)
fi
swiftpm() { # swiftpm OUTPUT ARGUMENTS...: one `swift package` call; its errors are shown when it fails
    local output=$1
    shift
    if ! swift package "${swiftpm_options[@]}" "$@" >"$output" 2>"$work/swiftpm.log"; then
        echo "check-layering: \`swift package $*\` failed:" >&2
        cat "$work/swiftpm.log" >&2
        exit 2
    fi
}
swiftpm "$work/describe.json" describe --type json
swiftpm "$work/dump.json" dump-package
if [ -n "${LAYERING_PACKAGE_GRAPH:-}" ]; then
    cp "$LAYERING_PACKAGE_GRAPH" "$work/deps.json"
else
    swiftpm "$work/deps.json" show-dependencies --format json
fi

python3 - "$work" <<'PY'
import json, os, re, sys

# Violations tolerated for now: (rule, edge, reason). An edge is "Target → Target" (or "Target → Product" for
# http-package, "Target → Default…Service" for concrete-service-in-public-api), exactly as the violation prints it.
KNOWN_DEBT = [
]

work = sys.argv[1]
describe = json.load(open(os.path.join(work, "describe.json")))
dump = json.load(open(os.path.join(work, "dump.json")))
graph = json.load(open(os.path.join(work, "deps.json")))
targets = {t["name"]: t for t in describe["targets"]}

violations = {}  # (rule, edge) -> [evidence]
notes = {}       # (rule, edge) -> what the violation line adds after the evidence
def violation(rule, edge, evidence, note=None):
    violations.setdefault((rule, edge), []).append(evidence)
    if note:
        notes[(rule, edge)] = note

# ---------------------------------------------------------------------------------------------------------------
# Where each target sits: Modules/<Module>/<Layer> for feature modules, Modules/Kernel/<Name>, Modules/Server/<Name>.

def place(target):
    parts = target["path"].split("/")
    if parts[0] != "Modules" or len(parts) < 3:
        return None, None
    return parts[1], parts[2]

def layer_targets(layer):
    return {name for name, t in targets.items() if place(t)[0] not in (None, "Kernel", "Server") and place(t)[1] == layer}

cores, storages, https = layer_targets("Core"), layer_targets("Storage"), layer_targets("HTTP")
def module_of(name):
    return place(targets[name])[0]
def in_server(name):
    return targets[name]["path"].startswith("Modules/Server/")
def in_modules(name):
    return targets[name]["path"].startswith("Modules/") and not in_server(name)

# ---------------------------------------------------------------------------------------------------------------
# Sources as code: comments and string literals blanked, so that neither can fake (or hide) an import.

def code_lines(text):
    block, multiline = 0, False
    for number, line in enumerate(text.splitlines(), 1):
        if not block and not multiline and '"' not in line and "/" not in line:
            yield number, line
            continue
        code, i = [], 0
        while i < len(line):
            if block:
                if line.startswith("*/", i):
                    block, i = block - 1, i + 2
                elif line.startswith("/*", i):
                    block, i = block + 1, i + 2
                else:
                    i += 1
            elif multiline:
                if line.startswith('"""', i):
                    multiline, i = False, i + 3
                    code.append('""')
                else:
                    i += 1
            elif line.startswith("//", i):
                break
            elif line.startswith("/*", i):
                block, i = 1, i + 2
            elif line.startswith('"""', i):
                multiline, i = True, i + 3
            elif line[i] == '"':
                j = i + 1
                while j < len(line) and line[j] != '"':
                    j += 2 if line[j] == "\\" else 1
                code.append('""')
                i = j + 1
            else:
                code.append(line[i])
                i += 1
        yield number, "".join(code)

sources = {}  # target -> [(relative path, [(line number, code)])]
for name, target in targets.items():
    for source in target.get("sources", []):
        if source.endswith(".swift"):
            path = os.path.join(target["path"], source)
            try:
                text = open(path, encoding="utf-8", errors="replace").read()
            except FileNotFoundError:
                continue
            sources.setdefault(name, []).append((path, list(code_lines(text))))

IMPORT = re.compile(r"^\s*(?:@[\w.]+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private|open)\s+)?"
                    r"import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func|actor)\s+)?([A-Za-z_]\w*)")
imports = {}  # target -> {module: [where]}
for name, files in sources.items():
    for path, lines in files:
        for number, code in lines:
            match = IMPORT.match(code)
            if match:
                imports.setdefault(name, {}).setdefault(match.group(1), []).append(f"{path}:{number}")

def edges(name):
    """Direct edges of a target: {other target: [evidence]} from Package.swift and from its imports."""
    found = {}
    for dependency in targets[name].get("target_dependencies", []):
        found.setdefault(dependency, []).append("target dependency in Package.swift")
    for module, where in imports.get(name, {}).items():
        if module in targets:
            found.setdefault(module, []).extend(f"import at {w}" for w in where)
    return found

# ---------------------------------------------------------------------------------------------------------------
# http-package

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

def path_to_http(name, seen):
    """[target, …, "Product (package → …)"] from `name` to the first product that drags in HTTP, or None."""
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

below_http = sorted(name for name, t in targets.items() if t["type"] == "library" and (
    name in cores or name in storages or name in {"CabinetCore", "CabinetStorage", "CabinetMessaging"}))
for name in below_http:
    found = path_to_http(name, set())
    if found:
        violation("http-package", f"{name} → {found[-1].split(' ')[0]}", "reaches an HTTP package: " + " → ".join(found))

# ---------------------------------------------------------------------------------------------------------------
# storage-to-storage, http-to-storage, module-to-server, undeclared-core-import

for name in sorted(targets):
    if not in_modules(name):
        continue
    for other, evidence in sorted(edges(name).items()):
        if other == "CabinetServer":
            violation("module-to-server", f"{name} → {other}", "; ".join(evidence))
        elif other in storages and module_of(other) != module_of(name) and name in storages:
            violation("storage-to-storage", f"{name} → {other}", "; ".join(evidence))
        elif other in storages and module_of(other) != module_of(name) and name in https:
            violation("http-to-storage", f"{name} → {other}", "; ".join(evidence))

for name in sorted(cores):
    declared = set(targets[name].get("target_dependencies", []))
    for module, where in sorted(imports.get(name, {}).items()):
        if module in cores and module != name and module not in declared:
            for w in where:
                violation("undeclared-core-import", f"{name} → {module}", f"import at {w}")

# ---------------------------------------------------------------------------------------------------------------
# concrete-service-in-public-api

CONCRETE = re.compile(r"\b(Default\w+Service)\b")
DECLARES = re.compile(r"\b(?:struct|class|actor|enum)\s+(Default\w+Service)\b")
PUBLIC = re.compile(r"^\s*(?:(?:@[\w.]+(?:\([^)]*\))?|[a-z]+(?:\(set\))?)\s+)*(?:public|open)(?:\(set\))?\s+\S")

owner = {}  # Default…Service -> declaring target
for name, files in sources.items():
    for path, lines in files:
        for _, code in lines:
            for declared in DECLARES.findall(code):
                owner.setdefault(declared, name)

def depth(code):
    return code.count("(") + code.count("[") - code.count(")") - code.count("]")

for name, files in sorted(sources.items()):
    # A module's test kit (<X>Testing) wires its module's concrete service for tests, as the composition root does.
    if not targets[name]["path"].startswith("Modules/") or in_server(name) or targets[name]["path"].endswith("/Testing"):
        continue
    for path, lines in files:
        for index, (number, code) in enumerate(lines):
            if not PUBLIC.match(code):
                continue
            signature, open_brackets, following = code, depth(code), index + 1
            while following < len(lines) and (open_brackets > 0 or lines[following][1].lstrip().startswith("->")):
                signature += " " + lines[following][1]
                open_brackets += depth(lines[following][1])
                following += 1
            for concrete in sorted(set(CONCRETE.findall(signature))):
                if owner.get(concrete) != name:
                    violation("concrete-service-in-public-api", f"{name} → {concrete}",
                              f"public declaration at {path}:{number}",
                              f"{concrete} is declared in {owner.get(concrete, 'no target of this package')}")

# ---------------------------------------------------------------------------------------------------------------
# Report

HINTS = {
    "http-package": "Core and Storage must build without any HTTP package",
    "storage-to-storage": "a module's storage must not build another module's storage; modules meet through Core protocols",
    "http-to-storage": "HTTP talks to Core services, never to another module's storage",
    "module-to-server": "only Modules/Server may know the composition root",
    "concrete-service-in-public-api": "take the Core protocol instead; only the composition root knows concrete services",
    "undeclared-core-import": "not in the `uses:` of this module in Package.swift: declare the edge or drop the import",
}

def shorten(evidence):
    parts = list(dict.fromkeys("; ".join(evidence).split("; ")))
    return "; ".join(parts[:4]) + (f"; +{len(parts) - 4} more" if len(parts) > 4 else "")

debt = {(rule, edge): reason for rule, edge, reason in KNOWN_DEBT}
failed = False
for (rule, edge), reason in debt.items():
    if (rule, edge) in violations:
        print(f"known debt: {rule}: {edge} ({reason})")
for (rule, edge), evidence in sorted(violations.items()):
    if (rule, edge) not in debt:
        note = f"; {notes[(rule, edge)]}" if (rule, edge) in notes else ""
        print(f"layering violated: {rule}: {edge}: {shorten(evidence)}{note} ({HINTS[rule]})")
        failed = True
for (rule, edge), reason in debt.items():
    if (rule, edge) not in violations:
        print(f"layering violated: known debt no longer occurs: {rule}: {edge} (delete it from KNOWN_DEBT in Scripts/check-layering.sh)")
        failed = True
if failed:
    sys.exit(1)
print(f"layering ok: {len(below_http)} Core/Storage targets reach no HTTP package; no storage-to-storage, http-to-storage, "
      f"module-to-server, concrete-service-in-public-api or undeclared-core-import edge beyond {len(debt)} known debt")
PY
