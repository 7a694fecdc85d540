import assert from "node:assert/strict";
import { compileArgs, outputPath, runFlags } from "./compile.ts";
import { parseChecksums, renderFormula } from "./render_formula.ts";

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
    "--allow-net",
    "--target",
    "aarch64-apple-darwin",
    "--output",
    "dist/ably-aarch64-apple-darwin",
    "main.ts",
  ]);
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
