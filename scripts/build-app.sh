#!/usr/bin/env bash
# Builds both browser bundles into dist/: the respondent's (index.html) and the staff's
# (staff.html), which Trunk must build separately because it allows one app per page; then the
# embed loader (dist/embed.js, checked against its size budget).
# Usage: scripts/build-app.sh [--release]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TRUNK_SKIP_VERSION_CHECK=true

trunk build "$@"
STAFF_DIST="target/dist-staff"
trunk build staff.html --dist "$STAFF_DIST" "$@"
cp "$STAFF_DIST"/manyi-staff.js "$STAFF_DIST"/manyi-staff_bg.wasm dist/
node scripts/build-loader.mjs
