import assert from "node:assert/strict";
import { compileArgs, outputPath, runFlags, TARGETS } from "./compile.ts";
import {
  committedFacts,
  crateClosure,
  isLicenseFile,
  lockPackages,
  noticedPackages,
  NOTICES_FILE,
  readRuntimeNotices,
  registryFolder,
  renderNotices,
  repositoryUrl,
  type RuntimeNotices,
  scanCrates,
  untar,
} from "./notices.ts";
import { parseChecksums, renderFormula } from "./render_formula.ts";
import { npmRegistry } from "./stubs.ts";

const SUM = "a".repeat(64);

Deno.test("runFlags takes the flags between `deno run` and main.ts", () => {
  assert.deepEqual(runFlags("deno run --allow-env=A,B --ignore-env --allow-read  main.ts"), [
    "--allow-env=A,B",
    "--ignore-env",
    "--allow-read",
  ]);
  assert.throws(() => runFlags("deno test main.ts"), /must start with "deno run"/);
  assert.throws(() => runFlags("deno run --allow-read other.ts"), /deno run <flags> main.ts/);
  assert.throws(() => runFlags("deno run main.ts --flag"), /deno run <flags> main.ts/);
  assert.throws(() => runFlags(`deno run --allow-env="A" main.ts`), /quoted/);
});

Deno.test("compileArgs names the output after the target", () => {
  assert.equal(outputPath("x86_64-pc-windows-msvc"), "dist/ably-x86_64-pc-windows-msvc.exe");
  assert.deepEqual(compileArgs(["--allow-net"], "aarch64-apple-darwin"), [
    "compile",
    "--frozen",
    "--allow-net",
    "--target",
    "aarch64-apple-darwin",
    "--output",
    "dist/ably-aarch64-apple-darwin",
    "main.ts",
  ]);
});

Deno.test("compileArgs: --frozen everywhere; no V8 code cache in Linux's shared temp directory", () => {
  for (const target of TARGETS) {
    const args = compileArgs([], target);
    assert.equal(args[1], "--frozen", target);
    assert.equal(args.includes("--no-code-cache"), target.includes("linux"), target);
  }
});

Deno.test("parseChecksums reads text and binary mode lines", () => {
  const sums = parseChecksums(`${SUM}  a.tar.gz\r\n${"B".repeat(64)} *dir/b.zip\n\n`);
  assert.deepEqual([...sums], [["a.tar.gz", SUM], ["b.zip", "b".repeat(64)]]);
  assert.throws(() => parseChecksums("abc  a.tar.gz"), /line 1/);
});

Deno.test("renderFormula fills every placeholder and refuses gaps", () => {
  const targets = [
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
  ];
  const checksums = new Map(targets.map((t) => [`ably-1.2.3-${t}.tar.gz`, SUM]));
  const input = {
    version: "1.2.3",
    baseUrl: "https://github.com/o/r/releases/download/v1.2.3/",
    checksums,
  };
  assert.equal(
    renderFormula(`{{HOMEPAGE}} {{BASE_URL}} {{VERSION}} {{SHA256_AARCH64_APPLE_DARWIN}}`, input),
    `https://github.com/o/r https://github.com/o/r/releases/download/v1.2.3 1.2.3 ${SUM}`,
  );
  assert.throws(() => renderFormula("{{NOPE}}", input), /unknown placeholder/);
  assert.throws(() => renderFormula("", { ...input, version: "v1.2.3" }), /not a release version/);
  assert.throws(() => renderFormula("", { ...input, baseUrl: 'https://x/"' }), /plain https URL/);
  checksums.delete("ably-1.2.3-aarch64-apple-darwin.tar.gz");
  assert.throws(() => renderFormula("", input), /no entry for ably-1.2.3-aarch64-apple-darwin/);
});

const root = new URL("../", import.meta.url);

Deno.test("lockPackages reads name@version from deno.lock keys, peer suffixes dropped", () => {
  const lock = {
    npm: {
      "@commander-js/extra-typings@15.1.0_commander@15.1.0": { integrity: "sha512-a" },
      "commander@15.1.0": { integrity: "sha512-b" },
      "args-tokens@0.23.1": { integrity: "sha512-c" },
      "@inquirer/core@12.1.0": {},
    },
  };
  assert.deepEqual(lockPackages(lock).map((p) => `${p.name}@${p.version} ${p.integrity}`), [
    "@commander-js/extra-typings@15.1.0 sha512-a",
    "@inquirer/core@12.1.0 undefined",
    "args-tokens@0.23.1 sha512-c",
    "commander@15.1.0 sha512-b",
  ]);
  assert.deepEqual(lockPackages({}), []);
});

Deno.test("isLicenseFile takes LICENSE, licence.md, COPYING, NOTICE; not README", () => {
  for (const name of ["LICENSE", "license", "LICENSE.txt", "LICENCE.md", "COPYING", "NOTICE"]) {
    assert.ok(isLicenseFile(name), name);
  }
  for (const name of ["README.md", "package.json", "licensed.js", "dist"]) {
    assert.ok(!isLicenseFile(name), name);
  }
});

Deno.test("untar reads a ustar archive and drops the first path part", () => {
  const block = (fields: [number, string][]) => {
    const header = new Uint8Array(512);
    for (const [offset, text] of fields) header.set(new TextEncoder().encode(text), offset);
    return header;
  };
  const body = new TextEncoder().encode("MIT text");
  const data = new Uint8Array(512);
  data.set(body);
  const tar = new Uint8Array([
    ...block([[0, "LICENSE"], [124, "00000000010"], [156, "0"], [345, "package"]]),
    ...data,
    ...block([[0, "package/lib/"], [124, "00000000000"], [156, "5"]]),
    ...new Uint8Array(1024),
  ]);
  const files = untar(tar);
  assert.deepEqual([...files.keys()], ["LICENSE"]);
  assert.equal(new TextDecoder().decode(files.get("LICENSE")), "MIT text");
});

const RUNTIME: RuntimeNotices = {
  manifest: {
    deno: "9.9.9",
    about: "About the runtime.",
    components: [{ name: "Deno", license: "MIT", source: "https://x/LICENSE.md", file: "d" }],
    crates: { source: "https://x/Cargo.lock", file: "c" },
    packages: { "@scope/nolicence": { license: "MIT", source: "https://up/LICENSE", file: "u" } },
    addon: {
      package: "@scope/nolicence",
      name: "Rust crates of the addon",
      source: "https://up/Cargo.toml",
      file: "k",
      libraries: [{ name: "libc-thing 1.0", license: "AFL-2.1", source: "https://c/", file: "l" }],
    },
  },
  texts: new Map([["d", "Deno MIT text\r\n"], ["u", "Upstream MIT text\n"], ["l", "AFL text\n"]]),
  crates: ["serde 1.0.0", "v8 150.4.0"],
  addonCrates: ["zbus 5.0.0"],
};

Deno.test("renderNotices: the runtime's texts and crates first; upstream text for a package without one", () => {
  const text = renderNotices([
    {
      name: "a",
      version: "1.0.0",
      license: "ISC",
      source: "https://github.com/o/a",
      files: [{ file: "LICENSE", text: "ISC\r\n" }],
    },
    { name: "@scope/nolicence-linux-x64", version: "2.0.0", license: "MIT", files: [] },
  ], RUNTIME);
  assert.match(
    text,
    /^Component: Deno\nLicense: MIT\nSource: https:\/\/x\/LICENSE\.md\n\nDeno MIT text\n/m,
  );
  assert.match(text, /^ {2}serde 1\.0\.0\n {2}v8 150\.4\.0\n/m);
  assert.match(
    text,
    /^Package: a@1\.0\.0\nLicense: ISC\nSource: https:\/\/github\.com\/o\/a\nFile: LICENSE\n\nISC\n/m,
  );
  assert.match(
    text,
    /^Component: Rust crates of the addon \(@scope\/nolicence\)\n[\s\S]*?^ {2}zbus 5\.0\.0$/m,
  );
  assert.match(
    text,
    /^Component: libc-thing 1\.0\nLicense: AFL-2\.1\nSource: https:\/\/c\/\n\nAFL text\n/m,
  );
  assert.match(
    text,
    /nolicence-linux-x64@2\.0\.0\n[\s\S]*?https:\/\/up\/LICENSE\n\nUpstream MIT text\n/,
  );
  assert.deepEqual(noticedPackages(text), ["a@1.0.0", "@scope/nolicence-linux-x64@2.0.0"]);
  assert.throws(
    () => renderNotices([{ name: "b", version: "2.0.0", files: [] }], RUNTIME),
    /b@2\.0\.0 has no licence file/,
  );
});

Deno.test("crateClosure follows a Cargo.lock's dependencies from one package, versions included", () => {
  const lock = `
[[package]]
name = "denort"
version = "2.0.0"
dependencies = ["serde", "syn 2.0.1"]

[[package]]
name = "serde"
version = "1.0.0"
dependencies = ["syn 1.0.9"]

[[package]]
name = "syn"
version = "1.0.9"

[[package]]
name = "syn"
version = "2.0.1"

[[package]]
name = "unrelated"
version = "0.1.0"
`;
  assert.deepEqual(crateClosure(lock, "denort"), [
    "denort 2.0.0",
    "serde 1.0.0",
    "syn 1.0.9",
    "syn 2.0.1",
  ]);
});

Deno.test(`${NOTICES_FILE} holds every vendored runtime text verbatim, for the pinned Deno`, async () => {
  const notices = await Deno.readTextFile(new URL(NOTICES_FILE, root));
  const runtime = await readRuntimeNotices(root);
  let workflow = "";
  for await (const entry of Deno.readDir(new URL(".github/workflows/", root))) {
    workflow += await Deno.readTextFile(new URL(`.github/workflows/${entry.name}`, root));
  }
  const pinned = [...workflow.matchAll(/deno-version: (\S+)/g)].map((m) => m[1]);
  assert.ok(pinned.length > 0);
  for (const version of pinned) {
    assert.equal(runtime.manifest.deno, version, "re-vendor with the pin");
  }
  const names = runtime.manifest.components.map((c) => c.name);
  for (const name of ["Deno runtime (denort)", "rusty_v8 (the v8 crate)", "V8", "ICU"]) {
    assert.ok(names.includes(name), name);
  }
  const trim = (text: string) => text.replace(/\r\n?/g, "\n").replace(/[ \t]+$/gm, "").trim();
  for (const [file, text] of runtime.texts) {
    assert.ok(notices.includes(trim(text)), `${file} is not in ${NOTICES_FILE} verbatim`);
  }
  // The keyring's platform packages ship no licence file: the upstream text stands in for each.
  const keyring = runtime.texts.get(runtime.manifest.packages["@napi-rs/keyring"].file)!;
  const sections = notices.split(/^-{80}$/m).filter((s) => /^Package: @napi-rs\/keyring/m.test(s));
  assert.ok(sections.length >= 2);
  for (const section of sections) assert.ok(section.includes(trim(keyring)), section.slice(0, 80));
  assert.ok(runtime.crates.some((line) => /^v8 \d/.test(line)));
  for (const line of runtime.crates) assert.ok(notices.includes(`\n  ${line}\n`), line);
});

Deno.test(`${NOTICES_FILE} names exactly the npm packages of deno.lock`, async () => {
  const lock = JSON.parse(await Deno.readTextFile(new URL("deno.lock", root)));
  const notices = await Deno.readTextFile(new URL(NOTICES_FILE, root));
  assert.deepEqual(
    noticedPackages(notices),
    lockPackages(lock).map((p) => `${p.name}@${p.version}`),
    `${NOTICES_FILE} is out of date: run deno task notices`,
  );
  assert.match(notices, /^Component: Deno runtime \(denort\)\nLicense: MIT$/m);
});

Deno.test("LICENSE is the project's MIT licence", async () => {
  const license = await Deno.readTextFile(new URL("LICENSE", root));
  assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 the ably-cli-deno authors\n/);
});

Deno.test("build.yml: every archive holds LICENSE and the notices; re-runs overwrite artifacts", async () => {
  const workflow = await Deno.readTextFile(new URL(".github/workflows/build.yml", root));
  const pack = await Deno.readTextFile(new URL("scripts/pack.sh", root));
  assert.match(workflow, /bash scripts\/pack\.sh "\$TARGET" "\$VERSION" "\$BINARY" out\n/);
  assert.match(pack, /cp "\$root\/LICENSE" "\$root\/THIRD_PARTY_NOTICES\.txt" "\$stage\/"/);
  assert.match(workflow, /\$files = "ably\.exe", "LICENSE", "THIRD_PARTY_NOTICES\.txt"/);
  assert.match(
    workflow,
    /uses: actions\/upload-artifact@[0-9a-f]{40} # v\d[\s\S]*?overwrite: true/,
  );
  assert.match(workflow, /run: bash scripts\/macos_sign\.sh "\$BINARY"\n\s*- name: Smoke test/);
});

Deno.test("notices: packages cited by their repository; the registry's cache folder; the addon's crates", () => {
  assert.equal(repositoryUrl("github:o/r"), "https://github.com/o/r");
  assert.equal(repositoryUrl("o/r"), "https://github.com/o/r");
  assert.equal(repositoryUrl({ url: "git+https://github.com/o/r.git" }), "https://github.com/o/r");
  assert.equal(repositoryUrl({ url: "git@github.com:o/r.git" }), "https://github.com/o/r");
  assert.equal(
    repositoryUrl({ type: "git", url: "https://github.com/o/r.git", directory: "packages/p" }),
    "https://github.com/o/r (directory packages/p)",
  );
  assert.equal(repositoryUrl(undefined), undefined);
  assert.equal(registryFolder("https://mirror.example/"), "mirror.example");
  assert.equal(registryFolder("http://127.0.0.1:4873/npm/"), "127.0.0.1_4873/npm");
  const binary = new TextEncoder().encode(
    "\0/home/u/.cargo/registry/src/index.example-1a2b/zbus-5.15.0/src/x.rs\0" +
      "C:\\Users\\u\\.cargo\\registry\\src\\index.example-1a2b\\windows-sys-0.59.0\\src\\a.rs" +
      "/registry/src/i/async-io-2.6.0/src/y.rs /registry/src/i/zbus-5.15.0/src/z.rs",
  );
  assert.deepEqual(scanCrates(binary), ["async-io 2.6.0", "windows-sys 0.59.0", "zbus 5.15.0"]);
  const committed =
    `${"-".repeat(80)}\nPackage: p@1.0.0\nLicense: MIT\nSource: https://github.com/o/p\n` +
    `File: (none in the package) its upstream licence file, from\nhttps://x\n\nMIT\n`;
  assert.deepEqual(committedFacts(committed, "p@1.0.0"), {
    license: "MIT",
    source: "https://github.com/o/p",
    files: [],
    crates: [],
  });
  assert.equal(
    committedFacts(committed.replace("File: (none", "File: LICENSE\n(none"), "p@1.0.0"),
    undefined,
  );
});

Deno.test("notices: rusty_v8 is cited at the v8 crate's version; libdbus and the addon's crates are in", async () => {
  const runtime = await readRuntimeNotices(root);
  const notices = await Deno.readTextFile(new URL(NOTICES_FILE, root));
  const v8 = runtime.crates.find((line) => line.startsWith("v8 "))!.split(" ")[1];
  const rusty = runtime.manifest.components.find((c) => c.file === "rusty_v8.LICENSE")!;
  assert.match(rusty.source, new RegExp(`/blob/v${v8.replaceAll(".", "\\.")}/LICENSE`));
  assert.match(notices, /^Component: libdbus [\d.]+ .*\nLicense: AFL-2\.1 OR GPL-2\.0-or-later$/m);
  assert.match(notices, /The Academic Free License\nv\. 2\.1/);
  assert.match(notices, /GNU GENERAL PUBLIC LICENSE\s+Version 2, June 1991/);
  assert.ok(
    runtime.addonCrates.some((line) => /^zbus \d/.test(line)),
    "the Linux addon's D-Bus crate",
  );
  assert.ok(runtime.addonCrates.some((line) => /^security-framework \d/.test(line)), "macOS's");
  for (const line of runtime.addonCrates) assert.ok(notices.includes(`\n  ${line}\n`), line);
  for (const source of notices.matchAll(/^Package: (\S+)\n.*\nSource: (.*)$/gm)) {
    assert.match(
      source[2],
      /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+/,
      `${source[1]}: ${source[2]}`,
    );
  }
});

Deno.test("no package registry's host is named in the repository (npm's configured one, read now)", async (t) => {
  const registry = await npmRegistry() ?? "";
  if (!/^https?:\/\//.test(registry)) {
    await t.step({ name: "skipped: npm cannot say its registry", ignore: true, fn: () => {} });
    return;
  }
  const host = new URL(registry).hostname;
  // The host, and its domain under any common ending (the registry's public web pages).
  const label = host.split(".").at(-2) ?? host;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const names = [new RegExp(escape(host)), new RegExp(`\\b${escape(label)}\\.(com|org|net|io)\\b`)];
  const files = new TextDecoder().decode(
    (await new Deno.Command("git", { args: ["ls-files", "-z"], cwd: root, stdout: "piped" })
      .output())
      .stdout,
  ).split("\0").filter(Boolean);
  assert.ok(files.length > 50);
  for (const file of files) {
    const text = await Deno.readTextFile(new URL(file, root)).catch(() => "");
    for (const name of names) assert.doesNotMatch(text, name, `${file} names a registry's host`);
  }
});
