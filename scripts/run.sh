#!/usr/bin/env bash
# Installs what is missing (idempotent), builds the app and the server in release mode, and runs
# `manyi serve`: the REST API and the app with an embedded SQLite database under ./data/, at a
# printed localhost URL. This is the README's run command. Extra arguments go to `manyi serve`
# (for example --addr 127.0.0.1:9000 or --database postgres://…).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/setup.sh
export TRUNK_SKIP_VERSION_CHECK=true
echo "run: building the browser bundles"
scripts/build-app.sh --release
echo "run: cargo build --release -p manyi"
cargo build --release -p manyi
exec target/release/manyi serve "$@"
