#!/usr/bin/env bash
# The GitHub release of a tag, made so that re-running the workflow never changes a published
# release: it is created as a draft, every asset is uploaded to the draft, and only then is it
# published (with immutable releases on, a published release's assets cannot change at all).
#
# Usage: scripts/release_publish.sh state TAG VERSION
#          prints "published" (complete: nothing to do), "draft" or "absent";
#          fails when a published release lacks assets (it cannot be repaired by a re-run)
#        scripts/release_publish.sh publish TAG VERSION DIR
#          uploads DIR's ably-* archives and SHA256SUMS to a draft and publishes it; does
#          nothing for a release that is already published and complete
# Needs gh (GH_TOKEN, GH_REPO) and jq.
set -euo pipefail

targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc)

usage() {
  echo "usage: $0 state TAG VERSION | publish TAG VERSION DIR" >&2
  exit 2
}
[[ $# -ge 3 ]] || usage
command=$1 tag=$2 version=$3

expected_assets() {
  for target in "${targets[@]}"; do
    if [[ $target == *windows* ]]; then echo "ably-$version-$target.zip"; else echo "ably-$version-$target.tar.gz"; fi
  done
  echo SHA256SUMS
}

# Prints published|draft|absent; exits 1 for a published release missing assets.
state() {
  local json err
  err=$(mktemp)
  if ! json=$(gh release view "$tag" --json isDraft,assets 2>"$err"); then
    if grep -qi 'not found' "$err"; then
      rm -f "$err"
      echo absent
      return 0
    fi
    cat "$err" >&2
    rm -f "$err"
    return 1
  fi
  rm -f "$err"
  if [[ $(jq -r .isDraft <<<"$json") == true ]]; then
    echo draft
    return 0
  fi
  local have missing=()
  have=$(jq -r '.assets[].name' <<<"$json")
  while read -r name; do
    grep -qxF "$name" <<<"$have" || missing+=("$name")
  done < <(expected_assets)
  if ((${#missing[@]})); then
    # With immutable releases, neither the release nor its tag can be used again, even if the
    # release is deleted: the only way on is the next version.
    echo "::error::release $tag is published but lacks ${missing[*]}; a published release cannot" \
      "be changed and its tag can never be released again: bump the version in deno.json," \
      "merge it, and tag that (see RELEASING.md, Re-running a release)" >&2
    return 1
  fi
  echo published
}

case $command in
  state)
    [[ $# -eq 3 ]] || usage
    state
    ;;
  publish)
    [[ $# -eq 4 ]] || usage
    dir=$4
    current=$(state)
    if [[ $current == published ]]; then
      echo "release $tag is already published with every asset: nothing changed"
      exit 0
    fi
    files=()
    while read -r name; do
      [[ -f $dir/$name ]] || {
        echo "::error::$dir has no $name" >&2
        exit 1
      }
      files+=("$dir/$name")
    done < <(expected_assets)
    prerelease=()
    if [[ $version == *-* ]]; then prerelease=(--prerelease); fi
    if [[ $current == absent ]]; then
      gh release create "$tag" --draft --verify-tag --title "$tag" --generate-notes "${prerelease[@]}"
    fi
    # Replacing assets is safe here: the release is still a draft, which nobody has downloaded.
    gh release upload "$tag" "${files[@]}" --clobber
    # A re-run of an older tag must not take "Latest" from a newer release.
    latest=$(gh release view --json tagName --jq .tagName 2>/dev/null || true)
    make_latest=()
    if [[ -n $latest && $latest != "$tag" ]] &&
      [[ $(printf '%s\n%s\n' "${latest#v}" "$version" | sort -V | tail -n 1) != "$version" ]]; then
      make_latest=(--latest=false)
    fi
    gh release edit "$tag" --draft=false "${make_latest[@]}"
    echo "published release $tag"
    ;;
  *) usage ;;
esac
