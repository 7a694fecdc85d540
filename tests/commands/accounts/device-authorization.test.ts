/** The device authorization step of login: code and URL, the browser, Ctrl-C. */
import assert from "node:assert/strict";
import { hostFlags, startAblyServer, withAblyServer } from "../../helpers/ably-server.ts";
import { withDeadline } from "../../helpers/deadline.ts";
import { runCli, tempConfigDir } from "../../helpers/cli.ts";

Deno.test("login: the browser is tried only with a display and without --no-browser; a failure is a warning", async () => {
  // In-process the host's opener always fails (tests/platform/browser.test.ts opens one for real).
  const cases: { flags: string[]; env: Record<string, string>; opens: boolean }[] = [
    { flags: [], env: { DISPLAY: ":0" }, opens: true },
    { flags: [], env: { WAYLAND_DISPLAY: "wayland-0" }, opens: true },
    { flags: ["--no-browser"], env: { DISPLAY: ":0" }, opens: false },
    { flags: ["--json"], env: { DISPLAY: ":0" }, opens: false },
  ];
  for (const { flags, env, opens } of cases) {
    const what = `${flags.join(" ")} ${JSON.stringify(env)}`;
    await withAblyServer({}, async (server) => {
      const dir = await tempConfigDir();
      const run = await runCli(["accounts", "login", ...flags, ...hostFlags(server)], {
        configDir: dir,
        env,
      });
      assert.equal(run.code, 0, `${what}: ${run.stderr}`);
      const url = "https://ably.example/device?code=TEST-CODE";
      if (flags.includes("--json")) {
        assert.equal(run.records()[0].verificationUriComplete, url);
        assert.doesNotMatch(run.stdout, /Opening/);
        return;
      }
      assert.match(run.stderr, new RegExp(`Visit: ${url.replaceAll(/[?.]/g, "\\$&")}\n`), what);
      assert.equal(run.stderr.includes(`Opening ${url} in your browser...`), opens, what);
      assert.equal(
        run.stderr.includes("Could not open a browser: open the URL above by hand to authorize."),
        opens,
        what,
      );
      assert.equal(
        run.stderr.includes("Open the URL above in your browser to authorize."),
        !opens,
        what,
      );
    });
  }
});

Deno.test("login: Ctrl-C while the device code is being requested cancels with exit 130", async () => {
  const requested = Promise.withResolvers<void>();
  const hanging = startAblyServer({
    deviceCode: () => {
      requested.resolve();
      return { hang: true };
    },
  });
  try {
    const dir = await tempConfigDir();
    const interrupt = new AbortController();
    const login = runCli(
      ["accounts", "login", "--oauth-host", hanging.host],
      { configDir: dir, interrupt },
    );
    await withDeadline(10_000, "the device-code request", requested.promise);
    interrupt.abort();
    const run = await login;
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /Login cancelled; nothing was stored\./);
    assert.doesNotMatch(run.stderr, /Error/);
    assert.doesNotMatch(run.stdout, /authorization code/);
    await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
  } finally {
    await hanging.close();
  }
});
