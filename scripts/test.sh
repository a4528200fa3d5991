#!/usr/bin/env bash
# Runs every test, installing what a fresh machine lacks first (idempotent: present tools are
# skipped). This is the README's test command and what CI runs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '\n== %s\n' "$*"; }

say "tools (scripts/setup.sh skips what is present)"
for component in rustfmt clippy; do
    if rustup component list --installed 2>/dev/null | grep -q "^$component"; then
        echo "$component present"
    else
        rustup component add "$component"
    fi
done
scripts/setup.sh

say "format"
cargo fmt --all -- --check
# The fuzz targets are a package outside the workspace, which `--all` does not reach.
cargo fmt --manifest-path fuzz/Cargo.toml -- --check

say "clippy (native)"
cargo clippy --workspace --all-targets -- -D warnings

say "clippy (wasm32: the core, the strings and the browser app)"
cargo clippy -p manyi-core -p manyi-i18n -p manyi-app --target wasm32-unknown-unknown --all-targets -- -D warnings
# The respondent's usual bundle: the app and the core without SurveyJS conditions and patterns.
cargo clippy -p manyi-core -p manyi-app --no-default-features --target wasm32-unknown-unknown -- -D warnings

say "Rust tests"
cargo test --workspace

say "fuzzing the core's parsers and validators (scripts/fuzz.sh: 20 s per target)"
scripts/fuzz.sh

say "schemathesis: the HTTP API against its OpenAPI document (scripts/schemathesis.sh)"
# The server binary that `cargo test` just built for the CLI's tests.
MANYI_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/manyi" scripts/schemathesis.sh

say "browser unit tests (wasm-bindgen-test in headless Chromium)"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
    cargo test -p manyi-app --target wasm32-unknown-unknown --test browser

say "browser app: release build and end-to-end tests in headless Chromium"
scripts/test-app.sh
