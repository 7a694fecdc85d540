#!/usr/bin/env bash
# Refuses to release a commit that is not on main or has no successful CI run on main: a tag
# alone proves neither (anyone with push access can tag any commit).
#
# Usage: scripts/require_green_ci.sh SHA
# Needs gh (GH_TOKEN with contents: read and actions: read, GH_REPO).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 SHA" >&2
  exit 2
fi
sha=$1
workflow=ci.yml

# "behind" or "identical": main contains the commit.
relation=$(gh api "repos/{owner}/{repo}/compare/main...$sha" --jq .status)
case $relation in
  behind | identical) ;;
  *)
    echo "::error::$sha is not on main (compare main...$sha: $relation); release only commits on main" >&2
    exit 1
    ;;
esac
runs=$(gh run list --workflow "$workflow" --branch main --commit "$sha" --status success \
  --json databaseId --jq length)
if [[ ${runs:-0} -lt 1 ]]; then
  echo "::error::no successful $workflow run on main for $sha; wait for CI (or re-run it), then re-run this release" >&2
  exit 1
fi
echo "ok: $sha is on main and $workflow passed on it"
