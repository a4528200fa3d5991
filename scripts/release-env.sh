# Sourced by scripts/build-app.sh (release builds) and scripts/measure-wasm.sh: the environment
# of a release build of the browser bundles.
#
# Release bundles rebuild the standard library with panics that abort at once instead of
# formatting a message nobody can read (a wasm app without a panic hook prints nowhere), and
# with the library's size-over-speed choices (`optimize_for_size`: smaller sorts and
# formatting). Both are unstable options, so the release build alone runs with
# RUSTC_BOOTSTRAP=1 on the same stable compiler; debug builds and tests keep panic messages.
# Together they take 24 KB of gzip off the respondent's wasm (docs/PERFORMANCE.md).
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
# Cargo joins these to the target's rustflags in .cargo/config.toml (erase_components).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
