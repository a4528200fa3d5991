#!/usr/bin/env bash
# Builds the browser app in release mode with Trunk and runs the end-to-end tests in headless
# Chromium. Run scripts/setup.sh once first.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export TRUNK_SKIP_VERSION_CHECK=true

if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
    echo "test-app: node_modules missing; installing (see scripts/setup.sh)"
    npm install --no-save --no-audit --no-fund
fi

echo "test-app: building the browser bundles"
scripts/build-app.sh --release

echo "test-app: building manyi (the server the sync tests run against)"
cargo build -p manyi

echo "test-app: end-to-end tests"
# Node 20's test runner takes explicit files rather than a glob.
node --test --test-concurrency=1 tests/e2e/*.test.mjs
