/**
 * scripts/denort.sh against a stub curl serving local files: the runtime is used only when its
 * digest is the pinned one; an unpinned target fails with the line to pin; --pin refuses a zip
 * whose digest Deno does not publish. And packaging/denort.sha256 is for the Deno CI pins.
 */
import assert from "node:assert/strict";
import { root, stubs, TIMEOUT_MS } from "./stubs.ts";

const TARGET = "x86_64-unknown-linux-gnu";

/** A zip holding one file `denort` (made with Python's zipfile, as CI has Python). */
async function makeZip(path: string, text: string) {
  const output = await new Deno.Command("python3", {
    args: [
      "-c",
      "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr('denort', sys.argv[2])",
      path,
      text,
    ],
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).output();
  assert.equal(output.code, 0);
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** curl: `-o FILE URL` or `URL`, answered from $STUB/files/<last part of URL>. */
const CURL = `
out="" url=""
while [[ $# -gt 0 ]]; do
  case $1 in -o) out=$2; shift 2 ;; -*) shift ;; *) url=$1; shift ;; esac
done
file="$STUB/files/\${url##*/}"
[[ -f $file ]] || exit 22
if [[ -n $out ]]; then cp "$file" "$out"; else cat "$file"; fi`;

Deno.test("denort.sh: the runtime is used only with its pinned digest; an unpinned one names the line to add", async () => {
  const stub = await stubs({ curl: CURL, deno: `echo "deno 2.9.6 (stable, release, x86_64)"` });
  try {
    await Deno.mkdir(`${stub.dir}/files`);
    const zip = `${stub.dir}/files/denort-${TARGET}.zip`;
    await makeZip(zip, "the runtime");
    const digest = await sha256(zip);
    // Deno's sidecar: PowerShell's Format-List style, upper case, as its Windows jobs write it.
    await Deno.writeTextFile(
      `${zip}.sha256sum`,
      `Algorithm : SHA256\nHash      : ${digest.toUpperCase()}\n`,
    );
    const pins = `${stub.dir}/pins`;
    const env = { ABLY_DENORT_PINS: pins };
    const run = () => stub.run(["scripts/denort.sh", TARGET, `${stub.dir}/out`], env);

    await Deno.writeTextFile(pins, "# deno 2.9.6\n");
    const unpinned = await run();
    assert.equal(unpinned.code, 1);
    assert.match(unpinned.stderr, new RegExp(`Downloaded: ${digest}; Deno publishes: ${digest}`));
    assert.match(unpinned.stderr, new RegExp(`${digest} {2}denort-${TARGET}\\.zip`));
    await assert.rejects(Deno.stat(`${stub.dir}/out/denort`), Deno.errors.NotFound);

    await Deno.writeTextFile(pins, `# deno 2.9.6\n${"0".repeat(64)}  denort-${TARGET}.zip\n`);
    const wrong = await run();
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /is [0-9a-f]{64}, not the pinned 0{64}/);
    await assert.rejects(Deno.stat(`${stub.dir}/out/denort`), Deno.errors.NotFound);

    await Deno.writeTextFile(pins, `# deno 2.9.6\n${digest}  denort-${TARGET}.zip\n`);
    const ok = await run();
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), `${stub.dir}/out/denort`);
    assert.equal(await Deno.readTextFile(`${stub.dir}/out/denort`), "the runtime");

    // The compiler must be the Deno the runtime is pinned for.
    await Deno.writeTextFile(pins, `# deno 2.9.5\n${digest}  denort-${TARGET}.zip\n`);
    const other = await run();
    assert.equal(other.code, 1);
    assert.match(other.stderr, /deno is 2\.9\.6 but denort is pinned for 2\.9\.5/);
  } finally {
    await stub.done();
  }
});

Deno.test("denort.sh --pin: every target, each checked against Deno's published digest", async () => {
  const stub = await stubs({ curl: CURL });
  try {
    await Deno.mkdir(`${stub.dir}/files`);
    const targets = [
      "x86_64-unknown-linux-gnu",
      "aarch64-unknown-linux-gnu",
      "x86_64-apple-darwin",
      "aarch64-apple-darwin",
      "x86_64-pc-windows-msvc",
    ];
    const digests: string[] = [];
    for (const target of targets) {
      const zip = `${stub.dir}/files/denort-${target}.zip`;
      await makeZip(zip, `runtime for ${target}`);
      digests.push(await sha256(zip));
      await Deno.writeTextFile(`${zip}.sha256sum`, `${digests.at(-1)}  denort-${target}.zip\n`);
    }
    const pins = `${stub.dir}/pins`;
    const ok = await stub.run(["scripts/denort.sh", "--pin", "9.9.9"], { ABLY_DENORT_PINS: pins });
    assert.equal(ok.code, 0, ok.stderr);
    const written = await Deno.readTextFile(pins);
    assert.match(written, /^# deno 9\.9\.9\n/);
    targets.forEach((target, i) =>
      assert.ok(written.includes(`${digests[i]}  denort-${target}.zip\n`))
    );

    await Deno.writeTextFile(
      `${stub.dir}/files/denort-x86_64-apple-darwin.zip.sha256sum`,
      "f".repeat(64),
    );
    await Deno.writeTextFile(pins, "unchanged");
    const refused = await stub.run(["scripts/denort.sh", "--pin", "9.9.9"], {
      ABLY_DENORT_PINS: pins,
    });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /denort-x86_64-apple-darwin\.zip: downloaded [0-9a-f]{64}, Deno publishes f{64}/,
    );
    assert.equal(await Deno.readTextFile(pins), "unchanged");
  } finally {
    await stub.done();
  }
});

Deno.test("packaging/denort.sha256: for the Deno the workflows pin; every line a digest of a known target", async () => {
  const text = await Deno.readTextFile(new URL("packaging/denort.sha256", root));
  const build = await Deno.readTextFile(new URL(".github/workflows/release.yml", root));
  const pinned = [...build.matchAll(/deno-version: (\S+)/g)].map((m) => m[1]);
  assert.ok(pinned.length > 0);
  assert.match(text, new RegExp(`^# deno ${pinned[0].replaceAll(".", "\\.")}\\n`));
  for (const line of text.split("\n").filter((l) => l && !l.startsWith("#"))) {
    assert.match(
      line,
      /^[0-9a-f]{64} {2}denort-(x86_64|aarch64)-(unknown-linux-gnu|apple-darwin|pc-windows-msvc)\.zip$/,
    );
  }
});
