/** One run: version and help are answered before any command (or the config) is loaded. */
import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { runCli, spawnCli, tempConfigDir } from "../helpers/cli.ts";

Deno.test("run: --version prints the version from deno.json and touches nothing", async () => {
  // A config that does not parse: --version must not read it.
  const dir = await tempConfigDir("not = [toml");
  const run = await runCli(["--version"], { configDir: dir });
  assert.deepEqual([run.code, run.stdout, run.stderr], [0, `${denoJson.version}\n`, ""]);
  assert.deepEqual(run.hosts, []);
  // The real CLI answers `--version` alone before loading the rest: the same answer.
  const spawned = await spawnCli(["--version"], { configDir: dir });
  assert.deepEqual([spawned.code, spawned.stdout, spawned.stderr], [0, run.stdout, ""]);
});
