#!/usr/bin/env bash
# The Deno runtime (denort) that `deno compile` puts into every ably binary, fetched from Deno's
# GitHub release and checked against the SHA-256 pinned in packaging/denort.sha256 before it is
# used: `deno compile` alone would download it and trust whatever arrives. The compile then
# takes it through DENORT_BIN (scripts/compile.ts passes the environment on).
#
# Usage: scripts/denort.sh TARGET DIR
#          fetch denort-TARGET.zip of the pinned Deno into DIR, check it, unpack it; prints the
#          path of the denort executable. Without a pin for TARGET it fails, printing the
#          digest it got and the one Deno publishes beside the zip (the line to add once they
#          agree); a digest that differs from the pin fails.
#        scripts/denort.sh --pin VERSION
#          for maintainers moving to another Deno (where the internet is reachable): fetches
#          every target's zip and Deno's published digest, refuses any disagreement, and
#          rewrites packaging/denort.sha256. Review the diff and commit it with the new pin.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pins=${ABLY_DENORT_PINS:-$root/packaging/denort.sha256} # the variable is for its tests
targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc)

usage() {
  echo "usage: $0 TARGET DIR | --pin VERSION" >&2
  exit 2
}
fail() {
  echo "::error::denort: $*" >&2
  exit 1
}
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}
zip_url() { echo "https://github.com/denoland/deno/releases/download/v$1/denort-$2.zip"; }
# Deno publishes ZIP.sha256sum beside each zip (sha256sum's line, or PowerShell's Format-List).
published() {
  curl -fsSL --retry 3 "$(zip_url "$1" "$2").sha256sum" | grep -oiE '\b[0-9a-f]{64}\b' | head -n 1 |
    tr 'A-F' 'a-f'
}
pinned_version() { sed -n 's/^# deno \([^ ]*\)$/\1/p' "$pins"; }
pinned_digest() { awk -v file="denort-$1.zip" '$2 == file { print $1 }' "$pins"; }

unpack() {
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$1" -d "$2"
  elif command -v 7z >/dev/null 2>&1; then
    7z x -y -o"$2" "$1" >/dev/null
  else
    pwsh -NoProfile -Command "Expand-Archive -Force -Path '$1' -DestinationPath '$2'"
  fi
}

if [[ ${1:-} == --pin ]]; then
  [[ $# -eq 2 ]] || usage
  version=$2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  {
    echo "# deno $version"
    echo "# SHA-256 of each denort-TARGET.zip of Deno $version's GitHub release, each checked against"
    echo "# the digest Deno publishes beside it; written by scripts/denort.sh --pin $version."
  } >"$work/pins"
  for target in "${targets[@]}"; do
    curl -fsSL --retry 3 -o "$work/denort-$target.zip" "$(zip_url "$version" "$target")"
    got=$(sha256 "$work/denort-$target.zip")
    theirs=$(published "$version" "$target") || fail "no published digest for denort-$target.zip"
    [[ $got == "$theirs" ]] || fail "denort-$target.zip: downloaded $got, Deno publishes $theirs"
    echo "$got  denort-$target.zip" >>"$work/pins"
  done
  cp "$work/pins" "$pins"
  echo "wrote $pins for Deno $version"
  exit 0
fi

[[ $# -eq 2 ]] || usage
target=$1 dir=$2
printf '%s\n' "${targets[@]}" | grep -qxF "$target" || fail "unknown target $target"
version=$(pinned_version)
[[ -n $version ]] || fail "packaging/denort.sha256 names no Deno version (# deno X.Y.Z)"
if command -v deno >/dev/null 2>&1; then
  compiler=$(deno --version | awk 'NR==1 { print $2 }')
  [[ $compiler == "$version" ]] ||
    fail "deno is $compiler but denort is pinned for $version: compile with the Deno the pins are for"
fi
mkdir -p "$dir"
zip="$dir/denort-$target.zip"
curl -fsSL --retry 3 -o "$zip" "$(zip_url "$version" "$target")"
got=$(sha256 "$zip")
want=$(pinned_digest "$target")
if [[ -z $want ]]; then
  theirs=$(published "$version" "$target" || true)
  fail "packaging/denort.sha256 pins no digest for denort-$target.zip (Deno $version)." \
    "Downloaded: $got; Deno publishes: ${theirs:-(unavailable)}. If the two agree, pin it:" \
    "$got  denort-$target.zip (or run scripts/denort.sh --pin $version)"
fi
[[ $got == "$want" ]] || fail "denort-$target.zip of Deno $version is $got, not the pinned $want"
unpack "$zip" "$dir"
exe="$dir/denort"
[[ $target == *windows* ]] && exe="$dir/denort.exe"
[[ -f $exe ]] || fail "$zip holds no $(basename "$exe")"
chmod +x "$exe"
# Git Bash on Windows: the native deno reads a Windows path.
if command -v cygpath >/dev/null 2>&1; then cygpath -w "$exe"; else echo "$exe"; fi
