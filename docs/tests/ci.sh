#!/usr/bin/env bash
# The documentation site's checks, in order, each timed: install the pinned packages,
# build (its prebuild step draws the benchmark charts with python3), check internal
# links, test the built site in headless Chromium, then the admin listener's status
# page on a real `twistd -n nano` (NANO_TWISTD, else twistd on PATH: an environment
# where nano is installed). Run by `tox -e docs` (and so by .ci/run). Fails on the
# first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
    echo "docs: Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))" >&2
    exit 1
fi
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    echo "docs: $chromium not found: apt-get install -y chromium (Debian's package)" >&2
    exit 1
fi

if ! command -v python3 >/dev/null; then
    echo "docs: python3 is needed to draw the benchmark charts (bench/charts.py)" >&2
    exit 1
fi

step() {
    local name=$1 started=$SECONDS
    shift
    echo "== docs: $name"
    "$@"
    echo "== docs: $name took $((SECONDS - started)) s"
}

step "npm ci" npm ci --no-audit --no-fund
step "build" npm run build
step "links" node tests/check-links.mjs dist
step "browser" node tests/browser.mjs
step "status page" node tests/status-page.mjs
