# Shared helpers for the project's scripts: installs what is missing, idempotently.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"
# No incremental caches: they double the size of target/ and a clean CI build gains nothing.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root to run: $*"; return 1; fi
}

APT_UPDATED=""
apt_install() {
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The Rust pieces every build needs: the wasm target and the wasm-bindgen CLI matching Cargo.lock.
setup_rust() {
  command -v cargo >/dev/null || { say "Rust is not installed: see https://rustup.rs"; exit 1; }
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # webauthn-rs verifies signatures with OpenSSL.
  if ! pkg-config --exists openssl 2>/dev/null; then
    say "Installing OpenSSL headers (libssl-dev) for webauthn-rs"
    apt_install libssl-dev pkg-config
  fi
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "Installing wasm-bindgen-cli $want (about 3 minutes, once)"
    cargo install --quiet --force wasm-bindgen-cli --version "$want"
  fi
}

# wasm-opt from the npm package `binaryen` (Debian's is too old for current rustc output).
setup_wasm_opt() {
  if [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
    if command -v npm >/dev/null; then
      say "Installing wasm-opt (npm binaryen) into .tools/"
      mkdir -p "$TOOLS"
      (cd "$TOOLS" && npm install --silent --no-audit --no-fund --prefix "$TOOLS" binaryen@132 >/dev/null) ||
        say "wasm-opt could not be installed; the browser bundle will be larger but works"
    fi
  fi
}

# The browser tests' needs: Chromium from Debian, Node packages of end2end/.
setup_browser_tests() {
  if ! command -v chromium >/dev/null; then
    say "Installing Chromium (Debian package)"
    apt_install chromium
  fi
  command -v npm >/dev/null || { say "Installing Node.js and npm"; apt_install nodejs npm; }
  if [ ! -d "$ROOT/end2end/node_modules" ] || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.stamp" ]; then
    say "Installing the browser tests' Node packages"
    (cd "$ROOT/end2end" && npm ci --silent --no-audit --no-fund && touch node_modules/.stamp)
  fi
}

# poppler-utils (pdftotext, pdftoppm, pdfinfo): the board report's PDF tests read and render the PDF.
setup_pdf_tools() {
  if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null || ! command -v pdfinfo >/dev/null; then
    say "Installing poppler-utils (Debian package) for the PDF report tests"
    apt_install poppler-utils
  fi
}

# PostgreSQL for the data-layer tests: the one at TEST_DATABASE_URL, else a local one started or installed.
setup_postgres() {
  export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  if pg_answers; then return; fi
  if ! command -v pg_ctlcluster >/dev/null; then
    say "Installing PostgreSQL (Debian package) for the PostgreSQL tests"
    apt_install postgresql
  fi
  say "Starting the local PostgreSQL cluster"
  local version
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_answers && break; sleep 1; done
  if ! pg_answers; then
    say "PostgreSQL does not answer at $TEST_DATABASE_URL. Set TEST_DATABASE_URL to a server the tests may create databases on."
    exit 1
  fi
  # Debian's cluster uses peer auth on the socket; the tests connect over TCP as postgres.
  if ! psql "$TEST_DATABASE_URL" -c 'select 1' >/dev/null 2>&1; then
    say "Cannot sign in to PostgreSQL at $TEST_DATABASE_URL; set TEST_DATABASE_URL with a user that may create databases."
    exit 1
  fi
}

pg_answers() {
  if command -v pg_isready >/dev/null; then
    pg_isready -q -d "$TEST_DATABASE_URL" 2>/dev/null
  else
    (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
  fi
}
