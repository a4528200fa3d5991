#!/usr/bin/env bash
# Runs every test, installing what a fresh machine lacks first (idempotent: present tools are
# skipped). This is the README's test command and what CI runs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '\n== %s\n' "$*"; }

say "toolchain components"
for component in rustfmt clippy; do
    if rustup component list --installed 2>/dev/null | grep -q "^$component"; then
        echo "$component present"
    else
        rustup component add "$component"
    fi
done
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "wasm32-unknown-unknown present"
else
    rustup target add wasm32-unknown-unknown
fi

say "format"
cargo fmt --all -- --check

say "clippy (native)"
cargo clippy --workspace --all-targets -- -D warnings

say "the core builds for the browser (wasm32)"
cargo build -p manyi-core --target wasm32-unknown-unknown
cargo clippy -p manyi-core --target wasm32-unknown-unknown -- -D warnings

say "tests"
cargo test --workspace
