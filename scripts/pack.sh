#!/usr/bin/env bash
# Packs one target's release archive, ably-VERSION-TARGET.tar.gz, in OUT_DIR:
#   ably                       the executable (mode 755)
#   LICENSE, THIRD_PARTY_NOTICES.txt
#   completions/ably.bash, completions/_ably, completions/ably.fish
#                              printed by this very binary (`ably completions SHELL`)
#   man/ably.1                 scripts/manpage.ts, from the same command tree
# Every entry is owned by 0:0 with no user or group name (not the build machine's uid/gid),
# files 644 and directories 755 (ably 755), in name order, dated by SOURCE_DATE_EPOCH when set.
# Works with GNU tar (Linux) and bsdtar (macOS). The Windows zip is made by the workflow.
#
# Usage: scripts/pack.sh TARGET VERSION BINARY OUT_DIR
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 TARGET VERSION BINARY OUT_DIR" >&2
  exit 2
fi
target=$1 version=$2 binary=$3 out=$4
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
archive="$out/ably-$version-$target.tar.gz"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/completions" "$stage/man" "$out"
cp "$binary" "$stage/ably"
cp "$root/LICENSE" "$root/THIRD_PARTY_NOTICES.txt" "$stage/"
"$binary" completions bash >"$stage/completions/ably.bash"
"$binary" completions zsh >"$stage/completions/_ably"
"$binary" completions fish >"$stage/completions/ably.fish"
deno run --allow-read "$root/scripts/manpage.ts" "$version" >"$stage/man/ably.1"
for file in completions/ably.bash completions/_ably completions/ably.fish man/ably.1; do
  [[ -s $stage/$file ]] || {
    echo "pack: $file is empty" >&2
    exit 1
  }
done
find "$stage" -type d -exec chmod 755 {} +
find "$stage" -type f -exec chmod 644 {} +
chmod 755 "$stage/ably"
if [[ -n ${SOURCE_DATE_EPOCH:-} ]]; then
  # GNU touch takes @EPOCH; BSD touch (macOS) a local time, so both sides are told UTC.
  find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} + 2>/dev/null ||
    TZ=UTC0 find "$stage" -exec touch -h -t "$(TZ=UTC0 date -r "$SOURCE_DATE_EPOCH" +%Y%m%d%H%M.%S)" {} +
fi

entries=(ably LICENSE THIRD_PARTY_NOTICES.txt completions completions/_ably completions/ably.bash
  completions/ably.fish man man/ably.1)
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
  owner=(--owner=0 --group=0 --numeric-owner --no-recursion)
else
  # bsdtar (macOS): --numeric-owner stores no names; COPYFILE_DISABLE keeps out ._ metadata files.
  owner=(--uid 0 --gid 0 --numeric-owner -n)
fi
COPYFILE_DISABLE=1 tar -czf "$archive" "${owner[@]}" -C "$stage" "${entries[@]}"
tar -tzvf "$archive"
