/** `ably __complete aliases`: the words the completion scripts offer for an account argument. */
import assert from "node:assert/strict";
import { runCli, tempConfigDir } from "../../helpers/cli.ts";
import { buildConfig } from "../../helpers/fixtures.ts";

Deno.test("__complete aliases: one alias a line, none the shell would expand; other words complete nothing", async () => {
  const config = buildConfig([{ alias: "acme" }, { alias: "beta-2" }]) +
    '[accounts."bad $(touch pwned)"]\naccountId = "x"\n[accounts."tab\\tname"]\naccountId = "y"\n';
  const dir = await tempConfigDir(config);
  const cases: [string[], string][] = [
    [["__complete", "aliases"], "acme\nbeta-2\n"],
    [["__complete", "apps"], ""],
  ];
  for (const [argv, stdout] of cases) {
    const run = await runCli(argv, { configDir: dir });
    assert.deepEqual([run.code, run.stdout, run.stderr], [0, stdout, ""], argv.join(" "));
  }
  const empty = await runCli(["__complete", "aliases"], {
    configDir: await tempConfigDir("[current]\n"),
  });
  assert.deepEqual([empty.code, empty.stdout, empty.stderr], [0, "", ""]);
});
