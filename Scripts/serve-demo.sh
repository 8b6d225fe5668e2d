#!/usr/bin/env bash
# Runs the cabinet on its embedded default: SQLite in ./data/cabinet.sqlite, demo lines in every region, SMS codes in
# the log. Installs what the build links (libharu for PDF statements) and the PDF font when they are missing.
#   Scripts/serve-demo.sh                 Scripts/serve-demo.sh --port 9090
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib.sh
apt_install libhpdf-dev fonts-dejavu-core
exec swift run cabinet serve --demo "$@"
