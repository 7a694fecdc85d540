#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a throw-away, unlocked GNOME keyring
# (its data in a temp directory; your own keyring is never touched). Needs dbus-run-session
# and gnome-keyring-daemon (Debian/Ubuntu: dbus, gnome-keyring). Fails if the keyring
# cannot be started. The release workflow's Linux keychain smoke test runs through it.
#
# Usage: bash scripts/with_keyring.sh COMMAND [ARGS...]
set -euo pipefail

if [[ -z ${ABLY_KEYRING_SESSION:-} ]]; then
  home=$(mktemp -d)
  trap 'rm -rf "$home"' EXIT
  mkdir -m 700 "$home/data" "$home/run"
  code=0
  ABLY_KEYRING_SESSION=1 XDG_DATA_HOME="$home/data" XDG_RUNTIME_DIR="$home/run" \
    dbus-run-session -- bash "${BASH_SOURCE[0]}" "$@" || code=$?
  exit "$code"
fi

printf 'ably-ci' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
exec "$@"
