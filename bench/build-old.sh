#!/usr/bin/env bash
# Builds `manyi` (bench-fast profile) at an earlier commit and prints the binary's path, for the
# benchmarks that compare an older build with this one in the same run:
#
#   MANYI_OLD=$(bench/build-old.sh 250547b^) bench/ingest.sh sqlite
#
# The commit is checked out in a detached worktree under target/old-src/, built into
# target/old/ (kept between runs, so a second build of the same commit takes seconds).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMMIT="$(git -C "$ROOT" rev-parse --verify "${1:?usage: bench/build-old.sh COMMIT}^{commit}")"
SRC="$ROOT/target/old-src/${COMMIT:0:12}"
if [ ! -d "$SRC" ]; then
  git -C "$ROOT" worktree add --detach "$SRC" "$COMMIT" >&2
fi
CARGO_TARGET_DIR="$ROOT/target/old" cargo build --manifest-path "$SRC/Cargo.toml" \
  --profile bench-fast -p manyi --bin manyi >&2
echo "$ROOT/target/old/bench-fast/manyi"
