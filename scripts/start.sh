#!/usr/bin/env bash
# npm start: install if needed, build if needed, migrate, seed the demo on an empty database, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
install_dependencies
build_app_if_stale
exec node bin/gridcare.js serve --demo
