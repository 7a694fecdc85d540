#!/usr/bin/env bash
# Signs a macOS `ably` binary with a Developer ID certificate (hardened runtime, the V8 JIT
# entitlements in packaging/macos/entitlements.plist, secure timestamp) and notarizes it,
# so that Gatekeeper lets a browser-downloaded copy run. `deno compile` only signs ad hoc.
#
# Usage: scripts/macos_sign.sh BINARY
# Reads (the release workflow passes them from repository secrets):
#   MACOS_CERTIFICATE_P12       base64 of the "Developer ID Application" certificate + key (.p12)
#   MACOS_CERTIFICATE_PASSWORD  the .p12's password
#   MACOS_SIGNING_IDENTITY      e.g. "Developer ID Application: Example Ltd (TEAMID1234)"
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   for `xcrun notarytool` (app-specific password)
# With none of them set it signs nothing, prints a GitHub Actions notice and exits 0; with only
# some set it fails (a half-configured repository must not ship unsigned binaries quietly).
# Notarization must end "Accepted": `notarytool submit --wait` exits 0 for "Invalid" too, so
# its JSON status is read, and anything else prints the notarization log and fails.
# A bare executable cannot be stapled: Gatekeeper looks the notarization ticket up online.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BINARY" >&2
  exit 2
fi
binary=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

names=(MACOS_CERTIFICATE_P12 MACOS_CERTIFICATE_PASSWORD MACOS_SIGNING_IDENTITY
  APPLE_ID APPLE_TEAM_ID APPLE_APP_PASSWORD)
missing=()
for name in "${names[@]}"; do
  [[ -n ${!name:-} ]] || missing+=("$name")
done
if ((${#missing[@]} == ${#names[@]})); then
  echo "::notice::macOS signing skipped: no signing secrets are set." \
    "The binary keeps deno compile's ad-hoc signature (users run xattr -d com.apple.quarantine)."
  exit 0
fi
if ((${#missing[@]})); then
  echo "::error::macOS signing is partly configured: set ${missing[*]} too, or remove all six secrets" >&2
  exit 1
fi
[[ $(uname -s) == Darwin ]] || {
  echo "macos_sign: needs macOS (codesign, xcrun notarytool)" >&2
  exit 1
}

work=$(mktemp -d)
keychain="$work/signing.keychain-db"
keychain_password=$(uuidgen)
cleanup() {
  security delete-keychain "$keychain" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# A throw-away keychain holding only the certificate, searched before the user's own.
printf '%s' "$MACOS_CERTIFICATE_P12" | base64 --decode >"$work/certificate.p12"
security create-keychain -p "$keychain_password" "$keychain"
security set-keychain-settings -lut 3600 "$keychain"
security unlock-keychain -p "$keychain_password" "$keychain"
security import "$work/certificate.p12" -k "$keychain" -P "$MACOS_CERTIFICATE_PASSWORD" \
  -T /usr/bin/codesign
security set-key-partition-list -S apple-tool:,apple: -s -k "$keychain_password" "$keychain" >/dev/null
# shellcheck disable=SC2046 # the existing list, one word per keychain
security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')

codesign --force --timestamp --options runtime \
  --entitlements "$root/packaging/macos/entitlements.plist" \
  --keychain "$keychain" --sign "$MACOS_SIGNING_IDENTITY" "$binary"
codesign --verify --strict --verbose=2 "$binary"
# The signature must carry the entitlement that lets the keychain addon load (see the plist).
entitlements=$(codesign -d --entitlements - --xml "$binary" 2>/dev/null)
[[ $entitlements == *com.apple.security.cs.disable-library-validation* ]] || {
  echo "macos_sign: the signature of $binary lacks disable-library-validation" >&2
  exit 1
}

notary=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
ditto -c -k --keepParent "$binary" "$work/notarize.zip"
result=$(xcrun notarytool submit "$work/notarize.zip" --wait --timeout 20m \
  --output-format json "${notary[@]}")
echo "$result"
status=$(jq -r '.status // empty' <<<"$result")
id=$(jq -r '.id // empty' <<<"$result")
if [[ $status != Accepted ]]; then
  echo "::error::notarization of $binary ended with status '${status:-unknown}', not Accepted" >&2
  if [[ -n $id ]]; then xcrun notarytool log "$id" "${notary[@]}" >&2 || true; fi
  exit 1
fi
echo "signed and notarized: $binary (submission $id)"
