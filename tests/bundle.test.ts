/**
 * What `deno compile` would embed: the whole module graph, npm packages
 * included, bundled into one file that runs on its own with the `ably` task's
 * permissions. (Compiling itself needs the internet; the release workflow does it.)
 */
import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { baseEnv, MAIN, PERMISSIONS, tempConfigDir } from "./helpers/cli.ts";

Deno.test("bundle: one self-contained file runs --version, help and a forced logout", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "ably-bundle-" });
  const bundle = `${outDir}/ably.js`;
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--external", "@napi-rs/keyring", "--output", bundle, MAIN],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));

  const configDir = await tempConfigDir(
    '[accounts.smoke]\naccountId = "smoke-id"\naccessToken = "legacy-token"\n\n[current]\naccount = "smoke"\n',
  );
  const run = async (...args: string[]) => {
    const output = await new Deno.Command(Deno.execPath(), {
      // No deno.json and no import map: only what is inside the bundle.
      args: ["run", "--no-config", ...PERMISSIONS, bundle, ...args],
      cwd: outDir,
      env: await baseEnv(configDir),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: output.code, stdout: new TextDecoder().decode(output.stdout) };
  };

  assert.deepEqual(await run("--version"), { code: 0, stdout: `${denoJson.version}\n` });
  const help = await run("accounts", "logout", "--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Log out from an Ably account/);
  const logout = await run("accounts", "logout", "--force", "--json");
  assert.equal(logout.code, 0);
  assert.match(logout.stdout, /"success":true/);
  assert.equal(await Deno.readTextFile(`${configDir}/config`), "[accounts]\n[current]\n");
});
