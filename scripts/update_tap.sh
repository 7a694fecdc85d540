#!/usr/bin/env bash
# Puts a rendered formula into a Homebrew tap checkout and commits it, but never replaces a
# newer version (a re-run of an older tag) and never changes the formula of a version the tap
# already has (its users installed those archives; a different checksum means the release
# changed under them, which is an error to look at, not to push).
#
# With --push it starts from the tap's upstream as it is now (fetched), decides, commits and
# pushes; if the push is refused because the tap moved meanwhile (another release's tap job,
# another formula), it fetches and decides again, up to 5 times.
#
# Usage: scripts/update_tap.sh TAP_DIR FORMULA VERSION [--push]
#          commits Formula/ably.rb in TAP_DIR (and pushes it with --push); prints what it did
#        scripts/update_tap.sh --check-repo OWNER/REPO
#          fails, with the fix, unless the tap repository exists, can be read with GH_TOKEN and
#          has a first commit (actions/checkout cannot check out an empty repository)
set -euo pipefail

usage() {
  echo "usage: $0 TAP_DIR FORMULA VERSION [--push] | --check-repo OWNER/REPO" >&2
  exit 2
}

if [[ ${1:-} == --check-repo ]]; then
  [[ $# -eq 2 ]] || usage
  repo=$2
  if ! answer=$(gh api "repos/$repo/commits?per_page=1" --jq length 2>&1); then
    if [[ $answer == *"is empty"* ]]; then
      echo "::error::the tap repository $repo is empty: give it a first commit (for example a" \
        "README: \"Add a README file\" when creating it on GitHub), then re-run this job" >&2
    else
      echo "::error::cannot read the tap repository $repo with HOMEBREW_TAP_TOKEN: $answer" >&2
    fi
    exit 1
  fi
  echo "ok: $repo has commits"
  exit 0
fi

push=false
if [[ $# -eq 4 && $4 == --push ]]; then
  push=true
elif [[ $# -ne 3 ]]; then
  usage
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

# Commits the formula when it belongs in the tap. Returns 0 when it committed, 3 when there is
# nothing to do, 1 on an error.
apply() {
  local old=""
  if [[ -f $target ]]; then
    old=$(formula_version "$target")
    if [[ $old == "$version" ]]; then
      if cmp -s "$formula" "$target"; then
        echo "Formula/ably.rb is already $version: nothing to do"
        return 3
      fi
      echo "::error::the tap already has ably $version with a different formula:" >&2
      diff -u "$target" "$formula" >&2 || true
      return 1
    fi
    if [[ -n $old && $(printf '%s\n%s\n' "$old" "$version" | sort -V | tail -n 1) != "$version" ]]; then
      echo "::notice::the tap has ably $old, newer than $version: left as it is"
      return 3
    fi
  fi
  mkdir -p "$tap/Formula"
  cp "$formula" "$target"
  git -C "$tap" add Formula/ably.rb
  git -C "$tap" -c user.name="github-actions[bot]" \
    -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
    commit -q -m "ably $version"
  echo "Formula/ably.rb: ${old:-none} -> $version (committed)"
}

if ! $push; then
  status=0
  apply || status=$?
  [[ $status -eq 3 ]] && exit 0
  exit "$status"
fi

upstream=$(git -C "$tap" rev-parse --abbrev-ref '@{upstream}')
remote=${upstream%%/*} branch=${upstream#*/}
pause=${ABLY_TAP_RETRY_SECONDS:-3} # the variable is for its tests
for attempt in 1 2 3 4 5; do
  git -C "$tap" fetch -q "$remote" "$branch"
  git -C "$tap" reset -q --hard "$upstream"
  status=0
  apply || status=$?
  [[ $status -eq 3 ]] && exit 0
  [[ $status -eq 0 ]] || exit "$status"
  if git -C "$tap" push -q "$remote" "HEAD:$branch"; then
    echo "pushed to $upstream"
    exit 0
  fi
  echo "::notice::the tap moved while pushing (attempt $attempt of 5): fetching it again"
  sleep $((attempt * pause))
done
echo "::error::could not push to the tap after 5 attempts" >&2
exit 1
