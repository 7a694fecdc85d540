/**
 * The release's publishing path against a stub `gh` and a local tap repository:
 * release_publish.sh (drafts, re-runs), require_green_ci.sh, update_tap.sh, and the
 * workflow's structure that ties them together.
 */
import assert from "node:assert/strict";
import { TARGETS } from "./compile.ts";
import { decoder, root, rootPath, stubs, TIMEOUT_MS } from "./stubs.ts";

const VERSION = "1.2.3";
const TAG = `v${VERSION}`;
const ASSETS = [
  ...TARGETS.map((t) => `ably-${VERSION}-${t}.${t.includes("windows") ? "zip" : "tar.gz"}`),
  "SHA256SUMS",
];

/** gh: `release view TAG` answers $STUB/release.json (absent: "release not found"). */
const GH_STUB = {
  gh: `
if [[ $1 == release && $2 == view && $3 == --json ]]; then
  [[ -f $STUB/latest ]] && cat "$STUB/latest" && exit 0
  exit 1
fi
if [[ $1 == release && $2 == view ]]; then
  [[ -f $STUB/release.json ]] && cat "$STUB/release.json" && exit 0
  echo "release not found" >&2
  exit 1
fi
exit 0`,
};

async function releaseDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ably-release-" });
  for (const name of ASSETS) await Deno.writeTextFile(`${dir}/${name}`, name);
  return dir;
}

function release(isDraft: boolean, assets: string[]) {
  return JSON.stringify({ isDraft, assets: assets.map((name) => ({ name })) });
}

Deno.test("release_publish.sh: a new release is a draft until every asset is up", async () => {
  const stub = await stubs(GH_STUB);
  const dir = await releaseDir();
  try {
    const state = await stub.run(["scripts/release_publish.sh", "state", TAG, VERSION]);
    assert.equal(state.stdout.trim(), "absent", state.stderr);
    const run = await stub.run(["scripts/release_publish.sh", "publish", TAG, VERSION, dir]);
    assert.equal(run.code, 0, run.stderr);
    const changes = run.calls.filter((call) => !call.startsWith("gh release view"));
    assert.equal(changes.length, 3, changes.join("\n"));
    assert.match(changes[0], /^gh release create v1\.2\.3 --draft --verify-tag /);
    assert.match(changes[1], /^gh release upload v1\.2\.3 .*SHA256SUMS --clobber$/);
    assert.equal(changes[1].split(" ").filter((w) => /\/ably-1\.2\.3-/.test(w)).length, 5);
    assert.equal(changes[2], "gh release edit v1.2.3 --draft=false");
  } finally {
    await stub.done();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("release_publish.sh: a re-run finishes a draft, and changes nothing once published", async () => {
  const stub = await stubs(GH_STUB);
  const dir = await releaseDir();
  try {
    await Deno.writeTextFile(`${stub.dir}/release.json`, release(true, ASSETS.slice(0, 2)));
    await Deno.writeTextFile(`${stub.dir}/latest`, "v2.0.0\n");
    const draft = await stub.run(["scripts/release_publish.sh", "publish", TAG, VERSION, dir]);
    assert.equal(draft.code, 0, draft.stderr);
    const changes = draft.calls.filter((call) => !call.startsWith("gh release view"));
    assert.ok(!changes.some((call) => call.startsWith("gh release create")));
    assert.match(changes[0], /^gh release upload v1\.2\.3 /);
    // An older tag published after a newer one does not become "Latest".
    assert.equal(changes[1], "gh release edit v1.2.3 --draft=false --latest=false");

    await Deno.writeTextFile(`${stub.dir}/release.json`, release(false, ASSETS));
    const state = await stub.run(["scripts/release_publish.sh", "state", TAG, VERSION]);
    assert.equal(state.stdout.trim(), "published");
    const again = await stub.run(["scripts/release_publish.sh", "publish", TAG, VERSION, dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already published with every asset: nothing changed/);
    assert.deepEqual(again.calls.filter((call) => !call.startsWith("gh release view")), []);

    // Published but incomplete: nothing a re-run may do about it.
    await Deno.writeTextFile(`${stub.dir}/release.json`, release(false, ASSETS.slice(1)));
    const broken = await stub.run(["scripts/release_publish.sh", "publish", TAG, VERSION, dir]);
    assert.equal(broken.code, 1);
    assert.match(
      broken.stderr,
      /published but lacks ably-1\.2\.3-x86_64-unknown-linux-gnu\.tar\.gz/,
    );
    // An immutable release's tag can never be used again: the only way on is a new version.
    assert.match(broken.stderr, /bump the version/);
    assert.doesNotMatch(broken.stderr, /delete/i);
    assert.deepEqual(broken.calls.filter((call) => !call.startsWith("gh release view")), []);
  } finally {
    await stub.done();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("require_green_ci.sh: the tag's commit must be on main with a successful CI run", async () => {
  const stub = await stubs({
    gh: `if [[ $1 == api ]]; then echo "$COMPARE"; else echo "$RUNS"; fi`,
  });
  try {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const script = ["scripts/require_green_ci.sh", sha];
    const ok = await stub.run(script, { COMPARE: "behind", RUNS: "1" });
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(ok.calls.some((c) => c.includes(`compare/main...${sha}`)));
    assert.ok(
      ok.calls.some((c) =>
        /run list --workflow ci\.yml --branch main --commit \S+ --status success/.test(c)
      ),
    );
    const offMain = await stub.run(script, { COMPARE: "diverged", RUNS: "1" });
    assert.equal(offMain.code, 1);
    assert.match(offMain.stderr, /is not on main/);
    const red = await stub.run(script, { COMPARE: "identical", RUNS: "0" });
    assert.equal(red.code, 1);
    assert.match(red.stderr, /no successful ci\.yml run on main/);
  } finally {
    await stub.done();
  }
});

/** scripts/update_tap.sh with `args`: its exit code and everything it said. */
async function updateTap(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command("bash", {
    args: ["scripts/update_tap.sh", ...args],
    cwd: rootPath,
    env,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).output();
  return { code: output.code, out: decoder.decode(output.stdout) + decoder.decode(output.stderr) };
}

function formula(version: string, sum = "a".repeat(64)): string {
  return `class Ably < Formula\n  url "https://github.com/o/r/releases/download/v${version}/ably-${version}-x86_64-apple-darwin.tar.gz"\n  sha256 "${sum}"\nend\n`;
}

Deno.test("update_tap.sh: never an older formula over a newer one, never a changed one for a version", async () => {
  const tap = await Deno.makeTempDir({ prefix: "ably-tap-" });
  const git = (...args: string[]) =>
    new Deno.Command("git", { args: ["-C", tap, ...args], stdout: "piped", stderr: "piped" })
      .output();
  const update = async (version: string, text: string) => {
    await Deno.writeTextFile(`${tap}.rb`, text);
    return await updateTap([tap, `${tap}.rb`, version]);
  };
  const commits = async () =>
    decoder.decode((await git("log", "--format=%s")).stdout).split("\n").filter(Boolean);
  try {
    await git("init", "-q");
    assert.equal((await update("1.0.0", formula("1.0.0"))).code, 0);
    assert.equal((await update("1.1.0", formula("1.1.0"))).code, 0);
    assert.deepEqual(await commits(), ["ably 1.1.0", "ably 1.0.0"]);

    const older = await update("1.0.0", formula("1.0.0"));
    assert.equal(older.code, 0, older.out);
    assert.match(older.out, /the tap has ably 1\.1\.0, newer than 1\.0\.0: left as it is/);
    const same = await update("1.1.0", formula("1.1.0"));
    assert.equal(same.code, 0, same.out);
    assert.match(same.out, /already 1\.1\.0: nothing to do/);
    const changed = await update("1.1.0", formula("1.1.0", "b".repeat(64)));
    assert.equal(changed.code, 1, changed.out);
    assert.match(changed.out, /already has ably 1\.1\.0 with a different formula/);
    assert.deepEqual(await commits(), ["ably 1.1.0", "ably 1.0.0"]);
    assert.match(await Deno.readTextFile(`${tap}/Formula/ably.rb`), /v1\.1\.0\/.*"a{64}"/s);
    assert.equal((await update("1.10.0", formula("1.10.0"))).code, 0, "1.10.0 is newer than 1.1.0");
  } finally {
    await Deno.remove(tap, { recursive: true });
    await Deno.remove(`${tap}.rb`).catch(() => {});
  }
});

Deno.test("formula template: no version line (Homebrew reads it from the URL)", async () => {
  const template = await Deno.readTextFile(new URL("packaging/homebrew/ably.rb.tmpl", root));
  assert.doesNotMatch(template, /^\s*version\s/m);
  assert.match(template, /url "\{\{BASE_URL\}\}\/ably-\{\{VERSION\}\}-/);
});

function jobOf(workflow: string, name: string): string {
  const match = new RegExp(`^  ${name}:\\n([\\s\\S]*?)(?=^  [a-z-]+:\\n|(?![\\s\\S]))`, "m")
    .exec(workflow);
  assert.ok(match, `no job ${name}`);
  return match[1];
}

Deno.test("release.yml: green CI on main first; the dry run's build; drafts; provenance; tap guard", async () => {
  const workflow = await Deno.readTextFile(new URL(".github/workflows/release.yml", root));
  const build = await Deno.readTextFile(new URL(".github/workflows/build.yml", root));
  const job = (name: string) => jobOf(workflow, name);
  const version = job("version");
  assert.match(version, /run: bash scripts\/require_green_ci\.sh "\$GITHUB_SHA"/);
  assert.match(version, /actions: read/);
  assert.match(version, /scripts\/release_publish\.sh state/);
  assert.match(job("build"), /if: needs\.version\.outputs\.state != 'published'/);
  assert.match(job("build"), /uses: \.\/\.github\/workflows\/build\.yml\n/);
  assert.match(build, /run: deno task compile "\$TARGET"/);
  // The runtime deno compile embeds is the pinned one, fetched and checked first.
  assert.match(
    build,
    /bash scripts\/denort\.sh "\$TARGET" [\s\S]*?DENORT_BIN=[\s\S]*?deno task compile/,
  );
  const publish = job("publish");
  assert.match(publish, /if: needs\.version\.outputs\.state != 'published'/);
  assert.match(publish, /id-token: write\n\s*attestations: write/);
  assert.match(
    publish,
    /uses: actions\/attest-build-provenance@[0-9a-f]{40} # v\d[\s\S]*?subject-path: \|\n\s*release\/ably-\*\n\s*release\/SHA256SUMS\n/,
  );
  assert.match(publish, /run: bash scripts\/checksums\.sh release "\$VERSION"/);
  assert.match(publish, /run: bash scripts\/release_publish\.sh publish /);
  const homebrew = job("homebrew");
  assert.match(
    homebrew,
    /needs\.publish\.result == 'success' \|\| needs\.version\.outputs\.state == 'published'/,
  );
  assert.match(homebrew, /concurrency:\n\s*group: homebrew-tap\n\s*cancel-in-progress: false/);
  assert.match(homebrew, /bash scripts\/update_tap\.sh --check-repo "\$TAP_REPO"/);
  assert.match(
    homebrew,
    /bash scripts\/update_tap\.sh tap "\$RUNNER_TEMP\/ably\.rb" "\$VERSION" --push/,
  );
  assert.doesNotMatch(homebrew, /git -C tap push/);
  // Nothing outside the draft flow may touch release assets.
  for (const text of [workflow, build]) {
    assert.doesNotMatch(text, /gh release (create|upload|edit)/);
    assert.doesNotMatch(text, /--clobber/);
  }
  // The keychain smoke test, which loads the addon, runs on the signed macOS binary.
  assert.match(
    build,
    /run: bash scripts\/macos_sign\.sh "\$BINARY"\n[\s\S]*?- name: Smoke test with the OS keychain \(macOS\)/,
  );
});

Deno.test("smoke_test.sh: runs __complete (every Tab) and accounts keychain", async () => {
  const smoke = await Deno.readTextFile(new URL("scripts/smoke_test.sh", root));
  assert.match(smoke, /^run 0 "\$dir" __complete aliases$/m);
  assert.match(smoke, /^run 0 "\$dir" accounts keychain smoke --to-file --json$/m);
  assert.match(smoke, /^ {4}run 0 "\$dir" accounts keychain --json$/m);
});

Deno.test("update_tap.sh --push: on top of what the tap has by then; a newer formula pushed meanwhile wins", async () => {
  const work = await Deno.makeTempDir({ prefix: "ably-tap-race-" });
  const git = async (cwd: string, ...args: string[]) => {
    const out = await new Deno.Command("git", {
      args: ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
      cwd,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, decoder.decode(out.stderr));
    return decoder.decode(out.stdout).trim();
  };
  const push = async (version: string) => {
    await Deno.writeTextFile(`${work}/ably.rb`, formula(version));
    return await updateTap([`${work}/tap`, `${work}/ably.rb`, version, "--push"], {
      ABLY_TAP_RETRY_SECONDS: "0",
    });
  };
  try {
    await git(work, "init", "-q", "--bare", "-b", "main", "remote.git");
    await git(work, "clone", "-q", "remote.git", "seed");
    await Deno.writeTextFile(`${work}/seed/README.md`, "tap\n");
    await git(`${work}/seed`, "add", "README.md");
    await git(`${work}/seed`, "commit", "-q", "-m", "first commit");
    await git(`${work}/seed`, "push", "-q", "origin", "HEAD:main");
    await git(work, "clone", "-q", "remote.git", "tap"); // this job's checkout
    await git(work, "clone", "-q", "remote.git", "other"); // another writer
    // While this job pushes (its pre-push hook), the other writer pushes first, once.
    const race = async (file: string, text: string) => {
      await Deno.writeTextFile(
        `${work}/tap/.git/hooks/pre-push`,
        `#!/bin/bash\n[[ -f "${work}/raced" ]] && exit 0\ntouch "${work}/raced"\n` +
          `cd "${work}/other" && git pull -q --rebase origin main && mkdir -p Formula && ` +
          `printf '%s' '${text}' >"${file}" && git add -A && ` +
          `git -c user.name=o -c user.email=o@example.com commit -q -m other && git push -q origin HEAD:main\n`,
        { mode: 0o755 },
      );
      await Deno.remove(`${work}/raced`).catch(() => {});
    };

    await race("Formula/other.rb", "another formula");
    const first = await push("1.2.0");
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /the tap moved while pushing \(attempt 1 of 5\)/);
    assert.match(first.out, /pushed to origin\/main/);
    const log = await git(`${work}/remote.git`, "log", "--format=%s", "main");
    assert.deepEqual(log.split("\n"), ["ably 1.2.0", "other", "first commit"]);

    // A newer release's formula lands while this older one pushes: the older one gives way.
    await race("Formula/ably.rb", formula("1.3.0"));
    const older = await push("1.2.1");
    assert.equal(older.code, 0, older.out);
    assert.match(older.out, /the tap has ably 1\.3\.0, newer than 1\.2\.1: left as it is/);
    assert.match(await git(`${work}/remote.git`, "show", "main:Formula/ably.rb"), /v1\.3\.0/);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("update_tap.sh --check-repo: an empty or unreadable tap fails with the fix", async () => {
  const stub = await stubs({
    gh: `if [[ $TAP == empty ]]; then echo "gh: Git Repository is empty. (HTTP 409)" >&2; exit 1; fi
if [[ $TAP == missing ]]; then echo "gh: Not Found (HTTP 404)" >&2; exit 1; fi
echo 1`,
  });
  try {
    const check = (tap: string) =>
      stub.run(["scripts/update_tap.sh", "--check-repo", "o/homebrew-tap"], { TAP: tap });
    const ok = await check("ok");
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(ok.calls, ["gh api repos/o/homebrew-tap/commits?per_page=1 --jq length"]);
    const empty = await check("empty");
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /o\/homebrew-tap is empty: give it a first commit/);
    const missing = await check("missing");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read the tap repository o\/homebrew-tap .*404/);
  } finally {
    await stub.done();
  }
});
