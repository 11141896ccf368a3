# Shared helpers for pkg-scripts. Source it; do not run it.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say()  { printf '\033[1m[%s]\033[0m %s\n' "${SCRIPT_NAME:-pkg}" "$*"; }
warn() { printf '\033[33m[%s] warning:\033[0m %s\n' "${SCRIPT_NAME:-pkg}" "$*" >&2; }
die()  { printf '\033[31m[%s] error:\033[0m %s\n' "${SCRIPT_NAME:-pkg}" "$*" >&2; exit 1; }

# The wasm-bindgen version pinned in Cargo.lock; the CLI must match it exactly.
wasm_bindgen_lock_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# Which toolchain builds wasm32: rustup's (if it has the target) or Debian's rustc-web
# (rustup cannot always fetch the wasm32 target; Debian's build can). Exports WASM_ENV_PATH for the wasm steps.
wasm_toolchain_env() {
  if [ "${SETUP_FORCE_DEBIAN_WASM:-0}" != 1 ] && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    WASM_TOOLCHAIN=rustup
    WASM_ENV_PATH="$PATH"
  elif [ -x /usr/bin/rustc ] && ls /usr/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib >/dev/null 2>&1; then
    WASM_TOOLCHAIN=debian
    WASM_ENV_PATH="/usr/bin:$PATH"
  else
    WASM_TOOLCHAIN=none
    WASM_ENV_PATH="$PATH"
  fi
  export WASM_TOOLCHAIN WASM_ENV_PATH
}

# Run a command with the wasm-capable cargo/rustc first on PATH. wasm builds use their own
# target dir so they never wait on (or invalidate) the native test build's lock.
with_wasm_toolchain() {
  wasm_toolchain_env
  export CARGO_TARGET_DIR="${WASM_TARGET_DIR:-$ROOT/target/wasm}"
  [ "$WASM_TOOLCHAIN" != none ] || die "no wasm32 toolchain; run pkg-scripts/setup"
  if [ "$WASM_TOOLCHAIN" = debian ]; then
    PATH="$WASM_ENV_PATH" RUSTC=/usr/bin/rustc CARGO=/usr/bin/cargo "$@"
  else
    "$@"
  fi
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
