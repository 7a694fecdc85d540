#!/usr/bin/env bash
# Smoke-tests an `ably` executable: --version, `accounts logout --help`, and a forced
# logout against a throwaway config directory.
#
# Usage: scripts/smoke_test.sh ABLY_EXECUTABLE EXPECTED_VERSION
# Runs under bash on Linux, macOS and Windows (Git Bash: paths handed to a native
# Windows executable are converted with cygpath).
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 ABLY_EXECUTABLE EXPECTED_VERSION" >&2
  exit 2
fi
ably=$1
expected_version=$2

fail() {
  echo "smoke test failed: $*" >&2
  exit 1
}

version_out=$("$ably" --version) || fail "--version exited $?"
[[ $version_out == *"$expected_version"* ]] ||
  fail "--version printed '$version_out', expected $expected_version"
echo "ok: --version -> $version_out"

help_out=$("$ably" accounts logout --help) || fail "accounts logout --help exited $?"
[[ $help_out == *logout* ]] || fail "accounts logout --help printed no usage: $help_out"
echo "ok: accounts logout --help"

config_dir=$(mktemp -d)
trap 'rm -rf "$config_dir"' EXIT
cat >"$config_dir/config" <<'TOML'
[accounts.smoke]
accountId = "smoke-id"
accessToken = "legacy-token"

[current]
account = "smoke"
TOML
native_dir=$config_dir
if command -v cygpath >/dev/null 2>&1; then native_dir=$(cygpath -w "$config_dir"); fi

logout_out=$(ABLY_CLI_CONFIG_DIR=$native_dir "$ably" accounts logout --force --json) ||
  fail "accounts logout --force --json exited $?: $logout_out"
grep -q '"success":true' <<<"$logout_out" || fail "logout did not report success: $logout_out"
if grep -q smoke-id "$config_dir/config"; then
  fail "the config still names smoke-id after logout: $(cat "$config_dir/config")"
fi
echo "ok: accounts logout --force --json"
echo "smoke test passed: $ably"
