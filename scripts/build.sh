#!/usr/bin/env bash
# Builds the browser bundle (wasm + JS + CSS) into target/site and the server binary.
# Usage: scripts/build.sh [--release]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
profile=dev
[ "${1:-}" = "--release" ] && profile=release

setup_rust
setup_wasm_opt

say "Building the browser bundle (wasm, hydrate)"
cargo build --quiet --locked -p app --lib --target wasm32-unknown-unknown \
  --no-default-features --features hydrate --profile wasm-release
site="$ROOT/target/site"
mkdir -p "$site/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$site/pkg" --out-name caf \
  "$ROOT/target/wasm32-unknown-unknown/wasm-release/app.wasm"
if command -v wasm-opt >/dev/null; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$site/pkg/caf_bg.wasm" -o "$site/pkg/caf_bg.wasm.opt" && mv "$site/pkg/caf_bg.wasm.opt" "$site/pkg/caf_bg.wasm"
fi
cp "$ROOT/style/main.css" "$site/pkg/caf.css"
cp "$ROOT/style/report.css" "$site/pkg/report.css"
cp -r "$ROOT/public/." "$site/"

say "Building the server ($profile)"
if [ "$profile" = release ]; then
  cargo build --quiet --locked -p server --release
else
  cargo build --quiet --locked -p server
fi
say "Built: target/site (browser bundle) and target/$([ "$profile" = release ] && echo release || echo debug)/server"
