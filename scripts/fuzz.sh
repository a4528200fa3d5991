#!/usr/bin/env bash
# Builds the fuzz targets of fuzz/ with cargo-fuzz and runs each for a bounded time, starting
# from its committed seed corpus (fuzz/corpus/TARGET). Any crash, panic, timeout or runaway
# memory use fails the script; the input that caused it is kept under the target directory
# (target/fuzz-artifacts/TARGET/) and printed, so it can be replayed with
#   cargo fuzz run --sanitizer none --target-dir target/fuzz TARGET FILE
# scripts/test.sh runs it for a short time; run it alone to fuzz longer:
#   scripts/fuzz.sh                      # 20 s per target, all targets
#   scripts/fuzz.sh 600                  # 10 minutes per target
#   scripts/fuzz.sh 3600 response        # one target for an hour
#   scripts/fuzz.sh response definition  # two targets, 20 s each
#   FUZZ_SECONDS=600 scripts/fuzz.sh     # the same as the second line
#   FUZZ_SANITIZER=address scripts/fuzz.sh 600   # with AddressSanitizer (slower; see below)
# New inputs the fuzzer finds go to a temporary directory that is deleted afterwards, so the
# committed corpus, and the work tree, stay as they are. To keep what a long run finds, run
# `cargo fuzz run` as above with a directory of your own before fuzz/corpus/TARGET, and copy
# back only the few inputs worth keeping (the corpus stays small: it is read on every run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}"
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    SECONDS_PER_TARGET="$1"
    shift
fi
TARGETS=("$@")
if [ "${#TARGETS[@]}" -eq 0 ]; then
    TARGETS=(definition condition_manyi condition_surveyjs surveyjs_import response)
fi
# Without a sanitizer the targets run about seven times as many inputs per second as with
# AddressSanitizer (10,300 against 1,350 for `definition`). The crates fuzzed forbid unsafe
# code, so AddressSanitizer would only watch their dependencies' unsafe code; panics, integer
# overflow (debug assertions and overflow checks are on in fuzz builds) and stack overflow are
# caught without it.
SANITIZER="${FUZZ_SANITIZER:-none}"
if [ "$SANITIZER" != none ]; then
    # A sanitizer is turned on with rustc's unstable -Zsanitizer flag, which only a nightly
    # compiler accepts; only stable Rust installs here, and RUSTC_BOOTSTRAP=1 lets it take
    # unstable flags. The default build without a sanitizer uses stable flags only.
    export RUSTC_BOOTSTRAP=1
fi
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
FUZZ_TARGET_DIR="$TARGET_DIR/fuzz"
[ "$SANITIZER" = none ] || FUZZ_TARGET_DIR="$TARGET_DIR/fuzz-$SANITIZER"
ARTIFACTS="$TARGET_DIR/fuzz-artifacts"
FLAGS=(--sanitizer "$SANITIZER" --target-dir "$FUZZ_TARGET_DIR")

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "fuzz: building ${#TARGETS[@]} target(s) (sanitizer: $SANITIZER)"
BUILD_START=$SECONDS
cargo fuzz build "${FLAGS[@]}"
echo "fuzz: built in $((SECONDS - BUILD_START)) s"

FAILED=()
TOTAL_RUNS=0
for target in "${TARGETS[@]}"; do
    corpus="fuzz/corpus/$target"
    [ -d "$corpus" ] || { echo "fuzz: no seed corpus $corpus" >&2; exit 1; }
    # libFuzzer writes new inputs to the first corpus directory only; the committed one, given
    # second, is only read.
    mkdir -p "$WORK/$target" "$ARTIFACTS/$target"
    log="$WORK/$target.log"
    start=$SECONDS
    # -timeout: one input taking 20 s is a hang, far beyond the milliseconds any input takes.
    # -rss_limit_mb: 2 GB is libFuzzer's default, written out so the bound is visible here.
    status=0
    cargo fuzz run "${FLAGS[@]}" "$target" "$WORK/$target" "$corpus" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$target/" \
        > "$log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    per_second="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
    found="$(sed -n 's/^stat::new_units_added: *//p' "$log")"
    if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
        printf 'fuzz: %-20s %9s runs in %3d s (%s/s), %s new inputs, no crash\n' \
            "$target" "$runs" "$((SECONDS - start))" "$per_second" "${found:-0}"
        TOTAL_RUNS=$((TOTAL_RUNS + runs))
    else
        echo "fuzz: $target FAILED (exit $status) after $((SECONDS - start)) s; the end of its log:"
        # The panic message and backtrace, the input in Base64 and the artifact's path.
        grep -v '^#[0-9]' "$log" | tail -n 80
        FAILED+=("$target")
    fi
done

echo "fuzz: ${#TARGETS[@]} target(s), $TOTAL_RUNS runs in all, ${#FAILED[@]} failed"
if [ "${#FAILED[@]}" -gt 0 ]; then
    echo "fuzz: failed: ${FAILED[*]}; inputs are in $ARTIFACTS" >&2
    exit 1
fi
