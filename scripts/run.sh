#!/usr/bin/env bash
# Sets up what is missing, builds the app and runs it on SQLite at http://localhost:3000.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/build.sh" --release
export DATABASE_URL="${DATABASE_URL:-sqlite://data/caf.db}"
exec "$ROOT/target/release/server" serve "$@"
