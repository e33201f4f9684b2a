#!/usr/bin/env bash
# Builds the production Temporal server, its SQL schema tool and the Web UI server from their Go
# modules into .tools/temporal-server/bin — `temporal-server`, `temporal-sql-tool` and
# `temporal-ui-server` (the same UI the CLI's dev server embeds, pointed at any frontend) — once per
# version.
# A second run is a no-op when the binaries of that version exist. Everything Go writes (toolchain,
# module cache, build cache) stays under .tools/go, so nothing outside the project is touched.
#
#   bash scripts/build-temporal-server.sh          # build if missing
#   RCM_GO_BUILD_JOBS=2 bash scripts/…             # more parallel packages (default 1: shared machine)
set -euo pipefail
cd "$(dirname "$0")/.."

export GOTOOLCHAIN=go1.27.3
TEMPORAL_SERVER_VERSION=v1.32.2
UI_SERVER_VERSION=v2.54.1   # the Web UI the pinned Temporal CLI (1.9.1) embeds

TOOLS="$(pwd)/.tools"
DEST="$TOOLS/temporal-server"
MARKER="$DEST/.installed-$TEMPORAL_SERVER_VERSION-ui-$UI_SERVER_VERSION"
if [ -f "$MARKER" ] && [ -x "$DEST/bin/temporal-server" ] && [ -x "$DEST/bin/temporal-sql-tool" ] && [ -x "$DEST/bin/temporal-ui-server" ]; then
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "build-temporal-server: Go is not installed (any Go ≥ 1.21 fetches the pinned $GOTOOLCHAIN toolchain itself)" >&2
  exit 1
fi

mkdir -p "$TOOLS/go"
export GOPATH="$TOOLS/go/path"
export GOMODCACHE="$TOOLS/go/mod"
export GOCACHE="$TOOLS/go/cache"
export GOFLAGS="-modcacherw -buildvcs=false"
export CGO_ENABLED=0

# One build at a time (several worktrees may share .tools through a symlink).
exec 9>"$TOOLS/.temporal-server.lock"
flock 9
if [ -f "$MARKER" ] && [ -x "$DEST/bin/temporal-server" ] && [ -x "$DEST/bin/temporal-sql-tool" ] && [ -x "$DEST/bin/temporal-ui-server" ]; then
  exit 0
fi

JOBS="${RCM_GO_BUILD_JOBS:-1}"
echo "build-temporal-server: building Temporal server $TEMPORAL_SERVER_VERSION and UI server $UI_SERVER_VERSION with $GOTOOLCHAIN (go install -p $JOBS, niced; about 3–6 minutes)…"
START=$(date +%s)
STAGE="$DEST/.stage"
rm -rf "$STAGE" && mkdir -p "$STAGE"
GOBIN="$STAGE" nice -n 15 go install -p "$JOBS" \
  "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
  "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
mkdir -p "$DEST/bin"
mv "$STAGE/server" "$DEST/bin/temporal-server"
mv "$STAGE/sql" "$DEST/bin/temporal-sql-tool"
# Also named `server`: installed on its own.
GOBIN="$STAGE" nice -n 15 go install -p "$JOBS" "github.com/temporalio/ui-server/v2/cmd/server@$UI_SERVER_VERSION"
mv "$STAGE/server" "$DEST/bin/temporal-ui-server"
rm -rf "$STAGE"
rm -f "$DEST"/.installed-*
touch "$MARKER"
echo "build-temporal-server: done in $(( $(date +%s) - START )) s → $DEST/bin/temporal-server, temporal-sql-tool, temporal-ui-server"
