#!/usr/bin/env bash
# Installs what is missing (idempotent), builds the app in release mode and serves it at a
# printed localhost URL. This is the README's run command.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/setup.sh
export TRUNK_SKIP_VERSION_CHECK=true
echo "run: trunk build --release"
trunk build --release
exec node scripts/serve.mjs "$@"
