#!/usr/bin/env bash
# Sets up what is missing and runs every test: formatting and lints, unit and property tests,
# data-layer tests on SQLite and PostgreSQL, and the browser tests in Chromium.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$SECONDS

setup_rust
setup_postgres
setup_pdf_tools
setup_browser_tests

say "Formatting and lints"
cargo fmt --all --check
cargo clippy --quiet --locked --workspace --all-targets -- -D warnings
cargo clippy --quiet --locked -p app --lib --target wasm32-unknown-unknown \
  --no-default-features --features hydrate -- -D warnings

say "Unit, property and data-layer tests (SQLite and PostgreSQL at $TEST_DATABASE_URL)"
cargo test --locked --workspace --no-fail-fast

"$ROOT/scripts/build.sh"

say "Browser tests (Playwright, Chromium)"
(cd "$ROOT/end2end" && CI="${CI:-}" npx playwright test)

say "All tests passed in $((SECONDS - started)) s"
