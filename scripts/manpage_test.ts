/**
 * The man page (scripts/manpage.ts) and the completion scripts (src/completions/) are generated
 * from the one command tree: every visible command and flag is in each, no hidden one is, and a
 * flag added to the tree appears in all four without anything else changing.
 */
import assert from "node:assert/strict";
import { HELP_FLAG } from "../src/commands/flags.ts";
import { type GroupSpec, pathOf, type Spec, visibleFlags } from "../src/commands/spec.ts";
import { tree } from "../src/cli/tree.ts";
import { completionScript, type Shell } from "../src/completions/scripts.ts";
import { commandTree } from "../src/completions/tree.ts";
import { manPage } from "./manpage.ts";

const SHELLS: Shell[] = ["bash", "zsh", "fish"];

function nodes(node: Spec): Spec[] {
  return node.kind === "group"
    ? [node, ...node.commands.filter((c) => !c.hidden).flatMap(nodes)]
    : [node];
}

/** The man page and the three scripts, for a tree. */
function generated(root: GroupSpec) {
  return {
    man: manPage(root, "9.9.9"),
    ...Object.fromEntries(
      SHELLS.map((shell) => [shell, completionScript(shell, commandTree(root))]),
    ),
  } as Record<"man" | Shell, string>;
}

/** A flag as the man page writes it (hyphens as roff minus signs). */
const inMan = (word: string) => word.replaceAll("-", "\\-");

Deno.test("man page and completions: every visible command and flag of the tree, no hidden one", () => {
  const out = generated(tree);
  for (const node of nodes(tree)) {
    assert.ok(out.man.includes(`.SS ${inMan(pathOf(node))}`) || node === tree, pathOf(node));
    for (const flag of [...visibleFlags(node, false), HELP_FLAG]) {
      assert.ok(out.man.includes(`\\fB${inMan(flag.long)}\\fR`), `${pathOf(node)} ${flag.long}`);
      for (const shell of SHELLS) {
        // fish names a long flag without its dashes (-l force).
        const word = shell === "fish" ? flag.long.replace(/^--/, "") : flag.long;
        assert.ok(out[shell].includes(word), `${shell}: ${pathOf(node)} ${flag.long}`);
      }
    }
  }
  // Flags hidden wherever they are declared (--oauth-host, --endpoint…) are not in the page (the
  // completion scripts know them only to skip their values).
  const visible = new Set(nodes(tree).flatMap((n) => visibleFlags(n, false).map((f) => f.long)));
  const hidden = nodes(tree).flatMap((n) => n.flags).filter((f) => !visible.has(f.long));
  assert.ok(hidden.length > 0);
  for (const flag of hidden) {
    assert.ok(!out.man.includes(inMan(flag.long)), `hidden ${flag.long} in the man page`);
  }
  assert.match(out.man, /^\.TH ABLY 1 "" "ably 9\.9\.9" "User Commands"$/m);
});

Deno.test("man page and completions: a flag added to the tree appears in all of them", () => {
  const before = generated(tree);
  const changed = structuredClone(tree) as GroupSpec;
  const accounts = changed.commands.find((c) => c.name === "accounts") as GroupSpec;
  const logout = accounts.commands.find((c) => c.name === "logout")!;
  (logout.flags as unknown[]) = [
    ...logout.flags,
    { name: "brandNew", long: "--brand-new-flag", description: "A flag the tree just gained" },
  ];
  const after = generated(changed);
  for (const key of ["man", ...SHELLS] as const) {
    assert.ok(!before[key].includes("brand-new-flag"), key);
    assert.ok(
      after[key].includes(key === "man" ? inMan("--brand-new-flag") : "brand-new-flag"),
      key,
    );
  }
  assert.match(after.man, /A flag the tree just gained/);
});

Deno.test("man page: groff reads it without a warning", async (t) => {
  const groff = await new Deno.Command("groff", {
    args: ["--version"],
    stdout: "null",
    stderr: "null",
  })
    .output().then((o) => o.code === 0, () => false);
  if (!groff) {
    await t.step({ name: "skipped: groff is not installed", ignore: true, fn: () => {} });
    return;
  }
  const child = new Deno.Command("groff", {
    args: ["-man", "-Tutf8", "-ww", "-z"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(manPage(tree, "9.9.9")));
  await writer.close();
  const result = await child.output();
  assert.equal(result.code, 0);
  assert.equal(new TextDecoder().decode(result.stderr), "", "groff warnings");
});
