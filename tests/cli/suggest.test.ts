import assert from "node:assert/strict";
import { closest } from "../../src/cli/suggest.ts";
import { runCli, tempConfigDir } from "../helpers/cli.ts";

Deno.test("suggest: the closest name within a typo's distance, else nothing", () => {
  const names = ["current", "list", "login", "logout", "switch"];
  assert.equal(closest("logut", names), "logout");
  assert.equal(closest("lst", names), "list");
  assert.equal(closest("swtich", names), "switch");
  assert.equal(closest("frobnicate", names), undefined);
});

Deno.test("did-you-mean: mistyped commands and flags exit 2 with a suggestion", async () => {
  const dir = await tempConfigDir();
  const cases: [string[], RegExp][] = [
    [
      ["accounts", "logut"],
      /Command "accounts logut" not found\. Did you mean "accounts logout"\?/,
    ],
    [["acounts", "list"], /Command "acounts" not found\. Did you mean "accounts"\?/],
    [["config", "shw"], /Command "config shw" not found\. Did you mean "config show"\?/],
    [["accounts", "logout", "--forse"], /Nonexistent flag: --forse\n.*Did you mean --force\?/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(args, { configDir: dir });
    assert.equal(run.code, 2, args.join(" "));
    assert.match(run.stderr, message);
  }
  const json = await runCli(["accounts", "logut", "--json"], { configDir: dir });
  assert.equal(json.code, 2);
  assert.match(json.stdout, /"type":"error".*Did you mean \\"accounts logout\\"/);
});

Deno.test("ably accounts alone lists the subcommands (exit 0)", async () => {
  const dir = await tempConfigDir();
  const run = await runCli(["accounts"], { configDir: dir });
  assert.equal(run.code, 0);
  assert.match(
    run.stdout,
    /^Ably accounts management commands:\n\n {2}ably accounts current {4}- Show the current Ably account\n/,
  );
});

Deno.test("usage errors around login never echo what may be a token", async () => {
  const dir = await tempConfigDir();
  for (
    const args of [
      ["login", "SECRET_TOK2"],
      ["accounts", "login", "--alias", "--token", "SECRET_TOK", "--json"],
      ["login", "--token", "-SECRET_TOK3"],
    ]
  ) {
    const run = await runCli(args, { configDir: dir, secrets: ["SECRET_TOK"] });
    assert.equal(run.code, 2, args.join(" "));
    // Either the word is hidden, or the error names only the flag (runCli checks the secret).
    assert.match(
      run.stdout + run.stderr,
      /not shown, in case it is a token|--alias expects a value/,
    );
  }
});

Deno.test("a bare command group shows its help and exits 0", async () => {
  const dir = await tempConfigDir();
  const run = await runCli(["config"], { configDir: dir });
  assert.equal(run.code, 0);
  assert.match(run.stdout, /ably config path {2}Print the path to the Ably CLI config file/);
});
