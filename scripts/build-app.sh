#!/usr/bin/env bash
# Builds the four browser bundles into dist/: the respondent's (index.html), the staff's
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

# Release bundles rebuild the standard library with panics that abort at once instead of
# formatting a message nobody can read (a wasm app without a panic hook prints nowhere), and
# with the library's size-over-speed choices (`optimize_for_size`: smaller sorts and
# formatting). Both are unstable options, so the release build alone runs with
# RUSTC_BOOTSTRAP=1 on the same stable compiler; debug builds and tests keep panic messages.
# Together they take 24 KB of gzip off the respondent's wasm (docs/PERFORMANCE.md).
if [[ " $* " == *" --release "* ]]; then
    export RUSTC_BOOTSTRAP=1
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
    export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
    # Cargo joins these to the target's rustflags in .cargo/config.toml (erase_components).
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
fi

trunk build "$@"
for bundle in staff kiosk embed; do
    out="target/dist-$bundle"
    trunk build "$bundle.html" --dist "$out" "$@"
    cp "$out/manyi-$bundle.js" "$out/manyi-${bundle}_bg.wasm" dist/
done
if [ ! -d node_modules/workbox-build ] || [ ! -d node_modules/terser ]; then
    npm install --no-save --no-audit --no-fund
fi
if [[ " $* " == *" --release "* ]]; then
    node scripts/minify-js.mjs dist/manyi-*.js dist/public/boot.js
fi
node scripts/build-loader.mjs

# The kiosk's service worker precaches the finished dist/, so it is written last.
node scripts/build-sw.mjs
# Compressed copies for `manyi serve`, written after the service worker so it does not list them.
node scripts/precompress.mjs
