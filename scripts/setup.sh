#!/usr/bin/env bash
# Installs what building and testing the browser app needs, and the fuzzer and API tester that
# scripts/test.sh runs, skipping anything already present, so a second run takes seconds. Every
# step says what it does.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132"
# cargo-fuzz 0.13.2 builds on the stable Rust installed here (with --locked, its own lockfile).
CARGO_FUZZ_VERSION="0.13.2"
# Must match scripts/schemathesis-requirements.txt, which pins its dependencies too.
SCHEMATHESIS_VERSION="4.32.5"
STAMP_DIR="$ROOT/target/setup"
mkdir -p "$STAMP_DIR"

say() { printf 'setup: %s\n' "$*"; }

# Chromium runs the end-to-end tests; the Debian package is the only browser that installs here.
# A CJK font makes Chinese readable in screenshots (without one, Chromium draws empty boxes).
APT_PACKAGES=()
[ -x /usr/bin/chromium ] || APT_PACKAGES+=(chromium chromium-driver)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || APT_PACKAGES+=(fonts-wqy-microhei)
if [ "${#APT_PACKAGES[@]}" -eq 0 ]; then
    say "chromium and a CJK font present, skipping"
else
    say "installing ${APT_PACKAGES[*]} with apt-get"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${APT_PACKAGES[@]}"
fi

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "wasm32-unknown-unknown target present, skipping"
else
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

# Release builds of the browser bundles rebuild the standard library for size (see
# scripts/build-app.sh), which needs its source.
if rustup component list --installed | grep -qx rust-src; then
    say "rust-src component present, skipping"
else
    say "adding the rust-src component"
    rustup component add rust-src
fi

if [ "$(trunk --version 2>/dev/null || true)" = "trunk $TRUNK_VERSION" ]; then
    say "trunk $TRUNK_VERSION present, skipping"
else
    say "installing trunk $TRUNK_VERSION (takes about 9 minutes on 2 cores)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly, or Trunk refuses to
# build offline. Resolve the lockfile first so the version is known on a fresh checkout.
if [ ! -f Cargo.lock ]; then
    say "generating Cargo.lock"
    cargo generate-lockfile
fi
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$WB_VERSION" ]; then
    say "could not find wasm-bindgen in Cargo.lock" >&2
    exit 1
fi
WB_STAMP="$STAMP_DIR/wasm-bindgen-cli-$WB_VERSION"
if [ -f "$WB_STAMP" ] || [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $WB_VERSION" ]; then
    touch "$WB_STAMP"
    say "wasm-bindgen-cli $WB_VERSION present, skipping"
else
    say "installing wasm-bindgen-cli $WB_VERSION"
    if ! cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked; then
        # The crate's packaged lockfile pins a webpki-roots release the registry no longer
        # serves; refreshing just that entry in an unpacked copy is the documented workaround.
        say "plain --locked install failed; retrying with webpki-roots refreshed"
        CRATE="$(ls "$HOME"/.cargo/registry/cache/*/wasm-bindgen-cli-"$WB_VERSION".crate | head -n 1)"
        WORK="$(mktemp -d)"
        tar -xzf "$CRATE" -C "$WORK"
        (cd "$WORK/wasm-bindgen-cli-$WB_VERSION" && cargo update -p webpki-roots)
        cargo install --path "$WORK/wasm-bindgen-cli-$WB_VERSION" --locked
        rm -rf "$WORK"
    fi
    wasm-bindgen --version
    touch "$WB_STAMP"
fi

# Debian's binaryen (wasm-opt 108) produces a bundle that dies at load time, so it must never be
# the wasm-opt Trunk finds first.
if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" = "$BINARYEN_VERSION" ]; then
    say "wasm-opt $BINARYEN_VERSION present, skipping"
else
    if wasm-opt --version 2>/dev/null | grep -q 'version 108'; then
        say "refusing Debian's wasm-opt 108 at $(command -v wasm-opt); installing binaryen $BINARYEN_VERSION from npm"
    else
        say "installing binaryen $BINARYEN_VERSION from npm"
    fi
    npm install -g "binaryen@$BINARYEN_VERSION.0.0"
    hash -r
    if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" != "$BINARYEN_VERSION" ]; then
        say "wasm-opt first on PATH is still not $BINARYEN_VERSION: $(command -v wasm-opt); put $(npm prefix -g)/bin first" >&2
        exit 1
    fi
fi

# cargo-fuzz builds and runs the fuzz targets of fuzz/ (scripts/fuzz.sh).
if [ "$(cargo fuzz --version 2>/dev/null || true)" = "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
    say "cargo-fuzz $CARGO_FUZZ_VERSION present, skipping"
else
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION (takes several minutes on 2 cores)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

# schemathesis tests the HTTP API against its OpenAPI document (scripts/schemathesis.sh). It
# lives in a virtualenv of the project's, so it neither needs nor touches the system's Python
# packages.
VENV="$ROOT/target/venv"
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null || true)" = "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
    say "schemathesis $SCHEMATHESIS_VERSION present in $VENV, skipping"
else
    say "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        -r scripts/schemathesis-requirements.txt
    "$VENV/bin/schemathesis" --version
fi

if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    say "node_modules up to date, skipping"
else
    say "installing the npm packages (playwright-core, axe-core, workbox-build) from package-lock.json"
    # Not `npm ci`: the lockfile cannot list rollup's builds for other platforms, which the
    # registry reachable here does not serve, and `npm ci` refuses a lockfile without them.
    # `npm install --no-save` installs the locked versions and leaves the lockfile as it is.
    npm install --no-save --no-audit --no-fund
fi

say "fetching crates so Trunk's offline build finds them"
cargo fetch
# The release build rebuilds the standard library, whose own dependencies (compiler_builtins,
# dlmalloc, hashbrown, ...) must be in the registry cache too, or the offline build cannot
# resolve them. The library's manifest uses an unstable Cargo feature, hence RUSTC_BOOTSTRAP.
say "fetching the standard library's crates for the release build"
RUSTC_BOOTSTRAP=1 cargo fetch --locked \
    --manifest-path "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"

say "done"
