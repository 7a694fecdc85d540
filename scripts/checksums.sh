#!/usr/bin/env bash
# Writes DIR/SHA256SUMS for a release's archives, and fails unless DIR holds exactly the five
# archives of VERSION (a missing or stray archive is a broken release, caught before any upload).
#
# Usage: scripts/checksums.sh DIR VERSION
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 DIR VERSION" >&2
  exit 2
fi
dir=$1 version=$2
targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc)
expected=()
for target in "${targets[@]}"; do
  if [[ $target == *windows* ]]; then expected+=("ably-$version-$target.zip"); else expected+=("ably-$version-$target.tar.gz"); fi
done
have=$(cd "$dir" && find . -maxdepth 1 -type f -name 'ably-*' | sed 's#^\./##' | LC_ALL=C sort)
want=$(printf '%s\n' "${expected[@]}" | LC_ALL=C sort)
if [[ $have != "$want" ]]; then
  echo "::error::$dir does not hold exactly the archives of $version:" >&2
  diff <(echo "$want") <(echo "$have") >&2 || true
  exit 1
fi
(cd "$dir" && if command -v sha256sum >/dev/null 2>&1; then
  sha256sum "${expected[@]}"
else
  shasum -a 256 "${expected[@]}"
fi) >"$dir/SHA256SUMS"
cat "$dir/SHA256SUMS"
