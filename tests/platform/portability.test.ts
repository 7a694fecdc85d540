/** What differs between Linux, macOS and Windows: home, paths, line endings, colours. */
import assert from "node:assert/strict";
import { configLocation } from "../../src/config/location.ts";
import { readConfigText, runCli, spawnCli, tempConfigDir } from "../helpers/cli.ts";
import { SAMPLE_LEGACY } from "../helpers/fixtures.ts";

Deno.test("portability: the home directory comes from USERPROFILE on Windows, HOME elsewhere", () => {
  const windows = configLocation(
    (name) => name === "USERPROFILE" ? "C:\\Users\\jane" : undefined,
    { os: "windows" },
  );
  assert.match(windows.file, /^C:\\Users\\jane[\\/]\.ably[\\/]config$/);
  const unix = configLocation((name) => name === "HOME" ? "/home/jane" : undefined, {
    os: "linux",
  });
  assert.match(unix.file, /^\/home\/jane[\\/]\.ably[\\/]config$/);
});

Deno.test("portability: a relative ABLY_CLI_CONFIG_DIR is made absolute", () => {
  const location = configLocation((name) => name === "ABLY_CLI_CONFIG_DIR" ? "rel" : undefined);
  const cwd = Deno.cwd();
  assert.equal(location.dir, Deno.build.os === "windows" ? `${cwd}\\rel` : `${cwd}/rel`);
});

Deno.test("portability: a CRLF config (edited on Windows) reads, and is written with LF", async () => {
  const dir = await tempConfigDir(
    SAMPLE_LEGACY.replaceAll("\n", "\r\n") + '[accounts.other]\r\naccountId = "o"\r\n',
  );
  const run = await runCli(["accounts", "logout", "default", "--force"], { configDir: dir });
  assert.equal(run.code, 0, run.stderr);
  const text = await readConfigText(dir);
  assert.ok(!text.includes("\r"));
  assert.equal(text, '[current]\n[accounts.other]\naccountId = "o"\n');
});

Deno.test("portability: pipes get plain text; FORCE_COLOR forces colour (over NO_COLOR, as Deno does)", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const plain = await spawnCli(["accounts", "list"], { configDir: dir });
  assert.ok(!plain.stdout.includes("\x1b["));
  const forced = await spawnCli(["accounts", "list"], {
    configDir: dir,
    env: { NO_COLOR: "", FORCE_COLOR: "1" },
  });
  assert.ok(forced.stdout.includes("\x1b[32m▶\x1b[39m"), forced.stdout);
  const both = await spawnCli(["accounts", "list"], {
    configDir: dir,
    env: { NO_COLOR: "1", FORCE_COLOR: "1" },
  });
  assert.ok(both.stdout.includes("\x1b[32m▶"));
  const zero = await spawnCli(["accounts", "list"], {
    configDir: dir,
    env: { NO_COLOR: "", FORCE_COLOR: "0" },
  });
  assert.ok(!zero.stdout.includes("\x1b["));
});
