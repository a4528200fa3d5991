#!/usr/bin/env bash
# Builds the five browser bundles into dist/: the respondent's (index.html, and app-full.html with
# SurveyJS conditions and pattern validators for the surveys that need them), the staff's
# (staff.html), the counter kiosk's (kiosk.html) and the embed screen's (embed.html). Trunk
# allows one app per page, so each extra bundle is built on its own and copied next to the
# respondent's; public/boot.js picks the bundle by path. Then the embed loader (dist/embed.js,
# checked against its size budget), the kiosk's service worker, and brotli and gzip copies of
# every file for `manyi serve`.
# Usage: scripts/build-app.sh [--release]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TRUNK_SKIP_VERSION_CHECK=true

# Release bundles rebuild the standard library for size (see scripts/release-env.sh).
if [[ " $* " == *" --release "* ]]; then
    source scripts/release-env.sh
fi

trunk build "$@"
for bundle in app-full staff kiosk embed; do
    out="target/dist-$bundle"
    trunk build "$bundle.html" --dist "$out" "$@"
    cp "$out/manyi-$bundle.js" "$out/manyi-${bundle}_bg.wasm" dist/
done
if [ ! -d node_modules/workbox-build ] || [ ! -d node_modules/terser ]; then
    npm install --no-save --no-audit --no-fund
fi
if [[ " $* " == *" --release "* ]]; then
    node scripts/minify-js.mjs dist/manyi-*.js dist/public/boot.js dist/public/early.js
fi
node scripts/build-loader.mjs

# The kiosk's service worker precaches the finished dist/, so it is written last.
node scripts/build-sw.mjs
# Compressed copies for `manyi serve`, written after the service worker so it does not list them.
node scripts/precompress.mjs
