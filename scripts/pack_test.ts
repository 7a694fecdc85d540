/**
 * scripts/pack.sh: the release archive's entries, owners (0:0, no names: not the build
 * machine's), modes, and that its completions and man page are what the binary and
 * scripts/manpage.ts print; with GNU tar, and with bsdtar (macOS's tar) where it is installed.
 */
import assert from "node:assert/strict";
import { tree } from "../src/cli/tree.ts";
import denoJson from "../deno.json" with { type: "json" };
import { manPage } from "./manpage.ts";
import { decoder, rootPath, TIMEOUT_MS } from "./stubs.ts";

interface Entry {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  text: string;
}

/** The entries of a .tar.gz, headers as stored (ustar). */
async function readTarGz(path: string): Promise<Entry[]> {
  const gz = await Deno.readFile(path);
  const tar = new Uint8Array(
    await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip")))
      .arrayBuffer(),
  );
  const field = (at: number, from: number, to: number) =>
    decoder.decode(tar.subarray(at + from, at + to)).replace(/\0.*$/s, "");
  const octal = (at: number, from: number, to: number) =>
    parseInt(field(at, from, to).trim() || "0", 8);
  const entries: Entry[] = [];
  for (let at = 0; at + 512 <= tar.length;) {
    if (tar.subarray(at, at + 512).every((byte) => byte === 0)) break;
    const size = octal(at, 124, 136);
    const type = String.fromCharCode(tar[at + 156] || 48);
    const prefix = field(at, 345, 500);
    const entry = {
      name: (prefix ? `${prefix}/` : "") + field(at, 0, 100),
      mode: octal(at, 100, 108),
      uid: octal(at, 108, 116),
      gid: octal(at, 116, 124),
      uname: field(at, 265, 297),
      gname: field(at, 297, 329),
      mtime: octal(at, 136, 148),
      text: decoder.decode(tar.subarray(at + 512, at + 512 + size)),
    };
    // pax/GNU extension headers (x, g, L) describe the next entry: not entries themselves.
    if (!"xgLK".includes(type)) entries.push(entry);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

async function pack(tarDir?: string) {
  const work = await Deno.makeTempDir({ prefix: "ably-pack-" });
  // Stands in for the compiled binary: the CLI with the ably task's flags.
  await Deno.writeTextFile(
    `${work}/ably`,
    `#!/usr/bin/env bash\nexec deno task -q --config "${rootPath}deno.json" ably "$@"\n`,
    { mode: 0o700 },
  );
  const output = await new Deno.Command("bash", {
    args: ["scripts/pack.sh", "aarch64-apple-darwin", "1.2.3", `${work}/ably`, `${work}/out`],
    cwd: rootPath,
    env: {
      SOURCE_DATE_EPOCH: "1700000000",
      PATH: `${tarDir ? `${tarDir}:` : ""}${Deno.env.get("PATH")}`,
    },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(TIMEOUT_MS * 2),
  }).output();
  assert.equal(output.code, 0, decoder.decode(output.stderr));
  return { work, archive: `${work}/out/ably-1.2.3-aarch64-apple-darwin.tar.gz` };
}

async function cli(...args: string[]): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "ably", ...args],
    cwd: rootPath,
    stdout: "piped",
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).output();
  return decoder.decode(output.stdout);
}

async function check(tarDir?: string) {
  const { work, archive } = await pack(tarDir);
  try {
    const entries = await readTarGz(archive);
    assert.deepEqual(entries.map((e) => e.name.replace(/\/$/, "")), [
      "ably",
      "LICENSE",
      "THIRD_PARTY_NOTICES.txt",
      "completions",
      "completions/_ably",
      "completions/ably.bash",
      "completions/ably.fish",
      "man",
      "man/ably.1",
    ]);
    for (const entry of entries) {
      // Not the build machine's user: 0:0, and no name a user's machine might map to someone.
      assert.deepEqual(
        [entry.uid, entry.gid, entry.uname, entry.gname],
        [0, 0, "", ""],
        `${entry.name}: ${entry.uid}/${entry.gid} ${entry.uname}/${entry.gname}`,
      );
      const executable = entry.name === "ably" || entry.name.endsWith("/");
      assert.equal(entry.mode & 0o777, executable ? 0o755 : 0o644, entry.name);
      assert.equal(entry.mtime, 1700000000, entry.name);
    }
    const text = (name: string) => entries.find((e) => e.name === name)!.text;
    assert.equal(text("completions/ably.bash"), await cli("completions", "bash"));
    assert.equal(text("completions/_ably"), await cli("completions", "zsh"));
    assert.equal(text("completions/ably.fish"), await cli("completions", "fish"));
    assert.equal(text("man/ably.1"), manPage(tree, "1.2.3").trimEnd() + "\n");
    assert.match(text("LICENSE"), /^MIT License/);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

Deno.test("pack.sh (GNU tar): entries, owners 0:0 without names, modes, completions and man page", async () => {
  assert.ok(denoJson.version);
  await check();
});

Deno.test("pack.sh (bsdtar, as on macOS): the same archive", async (t) => {
  const bsdtar = ["/usr/bin/bsdtar", "/bin/bsdtar"].find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
  if (!bsdtar) {
    await t.step({
      name: "skipped: no bsdtar (Debian: libarchive-tools)",
      ignore: true,
      fn: () => {},
    });
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "ably-bsdtar-" });
  try {
    await Deno.symlink(bsdtar, `${dir}/tar`);
    await check(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
