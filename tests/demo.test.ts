import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { baseEnv, tempDir } from "./helpers/cli.ts";

Deno.test("demo: runs the real CLI on a throw-away config, never the user's ~/.ably; redirected, every line the CLI says is in the output", async () => {
  const home = await tempDir("ably-demo-home-");
  const env = await baseEnv(home);
  delete (env as Record<string, string | undefined>).ABLY_CLI_CONFIG_DIR;
  // Colour allowed: piped output must still be plain (`deno task demo > file`).
  delete (env as Record<string, string | undefined>).NO_COLOR;
  const words = denoJson.tasks.demo.split(/\s+/);
  const output = await new Deno.Command(Deno.execPath(), {
    args: words.slice(1), // "deno" itself is this test runner's executable
    cwd: new URL("..", import.meta.url),
    env: { ...env, HOME: home },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.ok(!stdout.includes("\x1b[") && !stderr.includes("\x1b["), "escape codes in piped output");
  assert.match(stdout, /\$ ably accounts list\nFound 2 accounts:/);
  assert.match(stdout, /\$ ably accounts status\n/);
  // Redirected, the CLI's stderr lines are in the output too, where they were said.
  assert.match(
    stdout,
    /\$ ably accounts switch S7gIng\n✓ Switched to account Acme Staging \(S7gIng\)\. Saved as alias acme-staging\.\nUser: /,
  );
  assert.match(stdout, /\[accounts\.acme-staging\]/);
  assert.match(stdout, /\(the authorization server revoked: access token, refresh token\)/);
  assert.match(
    stdout,
    /\$ ably accounts logout --all --force\n[^$]*✓ Successfully logged out from 3 accounts: acme, legacy-ci, acme-staging\./,
  );
  assert.match(stdout, /# Config file: .*\n\n\[accounts\]\n\[current\]\n$/);
  for (const secret of ["demoSecret", "demo_legacy_token", "demo_at_0001", "demo_rt_0001"]) {
    assert.ok(!stdout.includes(secret) && !stderr.includes(secret), secret);
  }
  await assert.rejects(Deno.stat(`${home}/.ably`), Deno.errors.NotFound);
});
