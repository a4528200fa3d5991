#!/usr/bin/env bash
# Prints the size of one browser bundle's wasm as a release build makes it: built with the
# release environment (scripts/release-env.sh), bound by wasm-bindgen, optimised by wasm-opt
# with the flags index.html gives Trunk, then raw and GNU gzip -9 bytes. Without the glue, the
# stylesheet or Trunk, so a build changed only to be measured (docs/ablations/) takes about two
# minutes. Usage: scripts/measure-wasm.sh [bin]   (default manyi-app, the respondent's)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/release-env.sh
BIN="${1:-manyi-app}"
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="$TARGET/measure-wasm"
mkdir -p "$OUT"

# The respondent's usual bundle is built without the app's default `surveyjs` feature, as
# index.html has Trunk build it.
FEATURES=()
[ "$BIN" = manyi-app ] && FEATURES=(--no-default-features)
cargo build --quiet --release --target wasm32-unknown-unknown --bin "$BIN" "${FEATURES[@]}"
wasm-bindgen --target web --out-dir "$OUT" --out-name "$BIN" \
    "$TARGET/wasm32-unknown-unknown/release/$BIN.wasm"
wasm-opt -Os --low-memory-unused --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-reference-types --enable-mutable-globals \
    "$OUT/${BIN}_bg.wasm" -o "$OUT/$BIN.wasm"
printf '%s wasm: %s bytes, %s gzip, %s brotli\n' "$BIN" "$(wc -c < "$OUT/$BIN.wasm")" \
    "$(gzip -9 -c "$OUT/$BIN.wasm" | wc -c)" \
    "$(node -e 'const z=require("zlib");process.stdout.write(String(z.brotliCompressSync(require("fs").readFileSync(process.argv[1]),{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length))' "$OUT/$BIN.wasm")"
