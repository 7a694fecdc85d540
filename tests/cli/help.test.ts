/** Help is read off the tree; on a narrow terminal it wraps between words, under each column. */
import assert from "node:assert/strict";
import { formatHelp } from "../../src/cli/help.ts";
import { tree } from "../../src/cli/tree.ts";
import type { Spec } from "../../src/commands/spec.ts";

function node(...path: string[]): Spec {
  let current: Spec = tree;
  for (const name of path) {
    if (current.kind !== "group") throw new Error(`${name}: not a group`);
    current = current.commands.find((c) => c.name === name)!;
  }
  return current;
}

Deno.test("help: not a terminal -> no wrapping, lines as long as they are", () => {
  const help = formatHelp(node("accounts", "login"), false);
  assert.match(
    help,
    /\n {6}--token \[<value>\] {2}Log in with an existing access token instead of the browser: --token - reads it from standard input \(default: \$ABLY_ACCESS_TOKEN\)\n/,
  );
});

Deno.test("help: a 50-column terminal wraps usage and descriptions between words", () => {
  const help = formatHelp(node("accounts", "login"), false, 50);
  for (const line of help.split("\n")) {
    // Only an example, or a single word longer than the room it has, may stick out.
    const oneWord = !line.trim().includes(" ");
    if (!line.startsWith("  $ ") && !oneWord) {
      assert.ok(line.length <= 50, `${line.length}: ${line}`);
    }
  }
  assert.match(
    help,
    /USAGE\n {2}\$ ably accounts login \[-a <value>\]\n {4}\[--no-browser\] \[-f\] \[--keychain\]\n {4}\[--token \[<value>\]\]/,
  );
  assert.match(
    help,
    /\n {6}--token \[<value>\] {2}Log in with an existing\n {25}access token instead of\n/,
  );
  assert.match(help, /USAGE\n {2}\$ ably accounts login \[-a <value>\]/);
});

Deno.test("help: hidden dev flags appear only when asked for", () => {
  assert.doesNotMatch(formatHelp(node("accounts", "logout"), false), /--oauth-host/);
  assert.match(formatHelp(node("accounts", "logout"), true), /--oauth-host <value>/);
});

Deno.test("help: `accounts --help` lists the commands in the order `ably accounts` does", async () => {
  const { runCli, tempConfigDir } = await import("../helpers/cli.ts");
  const dir = await tempConfigDir();
  const listing = (await runCli(["accounts"], { configDir: dir })).stdout;
  const help = (await runCli(["accounts", "--help"], { configDir: dir })).stdout;
  const listed = [...listing.matchAll(/^ {2}(ably accounts \w+)/gm)].map((m) => m[1]);
  const commands = help.slice(help.indexOf("COMMANDS"));
  const helped = [...commands.matchAll(/^ {2}(ably accounts \w+)/gm)].map((m) => m[1]);
  assert.ok(listed.length >= 8);
  assert.deepEqual(helped, listed);
  assert.deepEqual(listed, [...listed].sort());
});

Deno.test("help: `ably help accounts`, `ably --help accounts` and `ably version` print, exit 0", async () => {
  const { runCli, tempConfigDir } = await import("../helpers/cli.ts");
  const dir = await tempConfigDir();
  for (const argv of [["help", "accounts"], ["--help", "accounts"]]) {
    const run = await runCli(argv, { configDir: dir });
    assert.equal(run.code, 0, argv.join(" "));
    assert.match(run.stdout, /^Manage Ably accounts and your configured access tokens\n/);
    assert.match(run.stdout, /\$ ably accounts COMMAND/);
  }
  for (const argv of [["version"], ["-v"], ["--version"]]) {
    const run = await runCli(argv, { configDir: dir });
    assert.equal(run.code, 0, argv.join(" "));
    assert.match(run.stdout, /^\d+\.\d+\.\d+\n$/);
  }
});
