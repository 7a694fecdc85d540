/**
 * The real host (src/cli/host.ts), in a spawned CLI: its prompter reads a question's answer
 * from a piped stdin, watching the process's own Ctrl-C signal.
 */
import assert from "node:assert/strict";
import { aliasesIn, SAMPLE_LEGACY } from "../helpers/fixtures.ts";
import { readConfigText, spawnCli, tempConfigDir } from "../helpers/cli.ts";

Deno.test("host: a question is answered by the line piped to the real process ('n' keeps the account, 'y' removes it)", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const no = await spawnCli(["accounts", "logout"], { configDir: dir, stdin: "n\n" });
  assert.equal(no.code, 0, no.stderr);
  assert.match(no.stderr, /\[y\/N\]/);
  assert.equal(await readConfigText(dir), SAMPLE_LEGACY);

  const yes = await spawnCli(["accounts", "logout"], { configDir: dir, stdin: "y\n" });
  assert.equal(yes.code, 0, yes.stderr);
  assert.deepEqual(aliasesIn(await readConfigText(dir)), []);
});
