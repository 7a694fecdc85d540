#!/usr/bin/env bash
# Runs the real-keychain end-to-end tests (tests/e2e/keychain.e2e.ts) inside a private
# D-Bus session with a throw-away, unlocked GNOME keyring (your own keyring is never
# touched: its data lives in a temp directory). Needs dbus-run-session and
# gnome-keyring-daemon (Debian: dbus, gnome-keyring; .ci/run installs them). When the
# set-up fails the tests run anyway, without ABLY_KEYCHAIN_E2E=ready, so under CI=true
# they fail rather than skip.
#
# Usage: bash scripts/keychain_e2e.sh [deno test flags...]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

tests=(deno test --no-check --allow-env --allow-read --allow-write --allow-net=127.0.0.1
  --allow-run --allow-sys=uid --allow-ffi "$@" tests/e2e/keychain.e2e.ts)

if [[ -z ${ABLY_KEYRING_SESSION:-} ]]; then
  if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
    echo "keychain e2e: dbus-run-session or gnome-keyring-daemon is missing" >&2
    exec "${tests[@]}"
  fi
  home=$(mktemp -d)
  trap 'rm -rf "$home"' EXIT
  mkdir -m 700 "$home/data" "$home/run"
  ABLY_KEYRING_SESSION=1 XDG_DATA_HOME="$home/data" XDG_RUNTIME_DIR="$home/run" \
    dbus-run-session -- bash "${BASH_SOURCE[0]}" "$@" \
    2> >(grep -v -e '^dbus-daemon' -e 'Gtk-WARNING' >&2)
  exit $?
fi

if printf 'ably-ci' | gnome-keyring-daemon --unlock --components=secrets >/dev/null; then
  export ABLY_KEYCHAIN_E2E=ready
else
  echo "keychain e2e: could not start an unlocked gnome-keyring-daemon" >&2
fi
exec "${tests[@]}"
