#!/usr/bin/env bash
# Puts a rendered formula into a Homebrew tap checkout and commits it, but never replaces a
# newer version (a re-run of an older tag) and never changes the formula of a version the tap
# already has (its users installed those archives; a different checksum means the release
# changed under them, which is an error to look at, not to push).
#
# Usage: scripts/update_tap.sh TAP_DIR FORMULA VERSION
#   Commits Formula/ably.rb in TAP_DIR (it does not push); prints what it did.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 TAP_DIR FORMULA VERSION" >&2
  exit 2
fi
tap=$1 formula=$2 version=$3
target="$tap/Formula/ably.rb"

# The version a formula installs, read from its release URL as Homebrew does.
formula_version() {
  sed -nE 's#.*/releases/download/v([0-9][^/"]*)/.*#\1#p' "$1" | head -n 1
}

new=$(formula_version "$formula")
[[ $new == "$version" ]] || {
  echo "update_tap: $formula installs '$new', not $version" >&2
  exit 1
}
if [[ -f $target ]]; then
  old=$(formula_version "$target")
  if [[ $old == "$version" ]]; then
    if cmp -s "$formula" "$target"; then
      echo "Formula/ably.rb is already $version: nothing to do"
      exit 0
    fi
    echo "::error::the tap already has ably $version with a different formula:" >&2
    diff -u "$target" "$formula" >&2 || true
    exit 1
  fi
  if [[ -n $old && $(printf '%s\n%s\n' "$old" "$version" | sort -V | tail -n 1) != "$version" ]]; then
    echo "::notice::the tap has ably $old, newer than $version: left as it is"
    exit 0
  fi
fi
mkdir -p "$tap/Formula"
cp "$formula" "$target"
git -C "$tap" add Formula/ably.rb
git -C "$tap" -c user.name="github-actions[bot]" \
  -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
  commit -q -m "ably $version"
echo "Formula/ably.rb: ${old:-none} -> $version (committed)"
