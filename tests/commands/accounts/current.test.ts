/**
 * End to end: `ably accounts current`, the real CLI against a temp config dir and
 * a real HTTP server on 127.0.0.1 playing the Control API and the OAuth server.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/toml.ts";
import { OAUTH_CLIENT_ID } from "../../../src/oauth/endpoint.ts";
import { type AblyServer, withAblyServer } from "../../helpers/ably-server.ts";
import { until } from "../../helpers/deadline.ts";
import {
  readConfigText,
  resultOf,
  runCli,
  spawnCli,
  tempConfigDir,
  unwrapped,
} from "../../helpers/cli.ts";
import {
  accessTokenOf,
  buildConfig,
  refreshTokenOf,
  SAMPLE_LEGACY,
  SAMPLE_OAUTH,
  withControlHost,
} from "../../helpers/fixtures.ts";

const PAST = "accessTokenExpiresAt = 1767225600000";
const FUTURE = "accessTokenExpiresAt = 4102444800000";
const UNVERIFIED = "Unable to verify account information. Your access token may have expired.";
const LEGACY_TOKEN = "ably_legacy_token_5b7d2c9e";

/** SAMPLE_LEGACY after the official CLI's `current.app` migration, using `server` for the API. */
function legacyConfig(server: AblyServer): string {
  const migrated = SAMPLE_LEGACY
    .replace('app = "aBcDeF"\n', "")
    .replace('tokenId = "unknown"\n', 'tokenId = "unknown"\ncurrentAppId = "aBcDeF"\n');
  return withControlHost(migrated, "default", server.host);
}

/** Two aliases sharing one OAuth session minted by `server`; the session has expired. */
function sharedExpired(server: AblyServer): string {
  return buildConfig([
    {
      alias: "acme",
      id: "VgQpOZ",
      name: "Acme Ltd",
      issuer: server.host,
      email: "jane@acme.example",
    },
    { alias: "staging", id: "Xy12Ab", issuer: server.host, email: "jane@acme.example" },
  ], "acme");
}

const SESSION = "jane@acme.example::";

// --- verified against the Control API ----------------------------------------------

Deno.test("current: legacy account -> GET /api/v1/me with the stored token; /me's details and the local app", async () => {
  await withAblyServer({}, async (server) => {
    const config = legacyConfig(server);
    const dir = await tempConfigDir(config);
    const { code, stdout, stderr } = await runCli(["accounts", "current"], { configDir: dir });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "");
    assert.equal(
      stdout,
      [
        "Account: Test Account (VgQpOZ)", // from /me, not the stored "Acme Ltd"
        "User: jane@acme.example",
        "Apps configured: 1",
        "Current App: My App (aBcDeF)",
        "Current API Key: aBcDeF.kEy123",
        "Key Label: Root",
        "",
      ].join("\n"),
    );
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.authorization]),
      [["GET", "/api/v1/me", `Bearer ${LEGACY_TOKEN}`]],
    );
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test("current --json: result shape; app and key from the config, the rest from /me", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir(legacyConfig(server));
    const { code, records } = await runCli(["accounts", "current", "--json"], { configDir: dir });
    assert.equal(code, 0);
    assert.deepEqual(records(), [
      {
        type: "result",
        command: "accounts:current",
        success: true,
        account: {
          alias: "default",
          credentials: "file",
          name: "Test Account",
          id: "VgQpOZ",
          user: { email: "jane@acme.example" },
          appsConfigured: 1,
          currentApp: { id: "aBcDeF", name: "My App" },
          currentKey: { id: "aBcDeF.kEy123", label: "Root" },
        },
      },
      { type: "status", command: "accounts:current", status: "completed", exitCode: 0 },
    ]);
  });
});

Deno.test("current --json: bare key id gets the app prefix; no app -> currentApp/currentKey null", async () => {
  await withAblyServer({}, async (server) => {
    // SAMPLE_OAUTH: keyId "kEy123", no appName; token valid (far future), API via env.
    const dir = await tempConfigDir(SAMPLE_OAUTH.replace(PAST, FUTURE));
    const env = { ABLY_CONTROL_HOST: server.host };
    const oauth = await runCli(["accounts", "current", "--json"], { configDir: dir, env });
    assert.equal(oauth.code, 0);
    const account = resultOf(oauth.records()).account;
    assert.deepEqual(account.currentApp, { id: "aBcDeF", name: "aBcDeF" });
    assert.deepEqual(account.currentKey, { id: "aBcDeF.kEy123", label: "Root" });
    assert.equal(server.to("/api/v1/me")[0].authorization, "Bearer ably_oat_3f9c0d2e7b1a4c58");
    assert.equal(server.to("/oauth/token").length, 0);

    const noApp = await tempConfigDir(buildConfig([{ alias: "solo" }], "solo"));
    const bare = await runCli(["accounts", "current", "--json"], { configDir: noApp, env });
    assert.equal(bare.code, 0);
    const solo = resultOf(bare.records()).account;
    assert.equal(solo.appsConfigured, 0);
    assert.equal(solo.currentApp, null);
    assert.equal(solo.currentKey, null);
    assert.equal(server.to("/api/v1/me")[1].authorization, "Bearer legacy_solo_SeCrEt");

    const human = await runCli(["accounts", "current"], { configDir: noApp, env });
    assert.equal(
      human.stdout,
      "Account: Test Account (VgQpOZ)\nUser: jane@acme.example\nApps configured: 0\n",
    );
  });
});

// --- nothing to show -----------------------------------------------------------------

Deno.test("current: a current account that is not configured -> the same words as logout", async () => {
  const config = buildConfig([{ alias: "a" }]).replace(
    "[current]\n",
    '[current]\naccount = "gone"\n',
  );
  const dir = await tempConfigDir(config);
  for (const command of ["current", "logout"]) {
    const run = await runCli(
      ["accounts", command, "--force"].slice(0, command === "logout" ? 3 : 2),
      {
        configDir: dir,
      },
    );
    assert.equal(run.code, 1);
    assert.match(
      unwrapped(run.stderr),
      /Error: Account "gone" not found: it is the current account in the config, but it is not configured\. Run "ably accounts switch" to select another account\./,
    );
  }
  assert.equal(await readConfigText(dir), config);
});

Deno.test("current: no current account -> exit 1, `No account is currently selected`", async () => {
  const accounts = buildConfig([{ alias: "a" }]);
  for (const config of [undefined, accounts]) {
    const dir = await tempConfigDir(config);
    const human = await runCli(["accounts", "current"], { configDir: dir });
    assert.equal(human.code, 1, String(config));
    assert.equal(human.stdout, "");
    assert.match(human.stderr, /^ › {3}Error: No account is currently selected\./);
    assert.match(unwrapped(human.stderr), /"ably accounts switch"/);

    const json = await runCli(["accounts", "current", "--json"], { configDir: dir });
    assert.equal(json.code, 1);
    assert.deepEqual(json.records(), [
      {
        type: "error",
        command: "accounts:current",
        success: false,
        error: {
          message:
            'No account is currently selected. Run "ably accounts login" or "ably accounts switch" to select an account.',
        },
      },
      { type: "status", command: "accounts:current", status: "completed", exitCode: 1 },
    ]);
    if (config === undefined) {
      await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
    } else {
      assert.equal(await readConfigText(dir), config);
    }
  }
});

// --- verification fails: cached details and a warning, never an error -----------------

Deno.test("current: /me answers 500 -> exit 0, warning on stderr, cached details on stdout", async () => {
  await withAblyServer({ me: { status: 500, body: { message: "boom" } } }, async (server) => {
    const config = legacyConfig(server);
    const dir = await tempConfigDir(config);
    const { code, stdout, stderr } = await runCli(["accounts", "current"], { configDir: dir });
    assert.equal(code, 0);
    // Not "your token may have expired": the server failed, and the warning says where.
    assert.equal(
      stderr,
      `⚠ Unable to verify account information: the Control API at ${server.host} failed (API request failed (500 Internal Server Error): boom).\n`,
    );
    assert.equal(
      stdout,
      [
        // No advice to log in again: the token is not the problem.
        "Account (cached): Acme Ltd (VgQpOZ)",
        "User (cached): jane@acme.example",
        "Apps configured: 1",
        "Current App: My App (aBcDeF)",
        "Current API Key: aBcDeF.kEy123",
        "Key Label: Root",
        "",
      ].join("\n"),
    );
    assert.equal(server.to("/api/v1/me").length, 1);
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test("current --json: /me fails -> a status warning and a cached result, no error record", async () => {
  await withAblyServer({ me: { status: 500, body: { message: "boom" } } }, async (server) => {
    const dir = await tempConfigDir(legacyConfig(server));
    const { code, records, stderr } = await runCli(["accounts", "current", "--json"], {
      configDir: dir,
    });
    assert.equal(code, 0);
    assert.equal(stderr, "");
    assert.deepEqual(records(), [
      {
        type: "status",
        command: "accounts:current",
        status: "warning",
        message:
          `Unable to verify account information: the Control API at ${server.host} failed (API request failed (500 Internal Server Error): boom).`,
      },
      {
        type: "result",
        command: "accounts:current",
        success: true,
        account: {
          alias: "default",
          cached: true,
          credentials: "file",
          name: "Acme Ltd",
          id: "VgQpOZ",
          user: { email: "jane@acme.example" },
          warning:
            `Unable to verify account information: the Control API at ${server.host} failed.`,
          appsConfigured: 1,
          currentApp: { id: "aBcDeF", name: "My App" },
          currentKey: { id: "aBcDeF.kEy123", label: "Root" },
        },
      },
      { type: "status", command: "accounts:current", status: "completed", exitCode: 0 },
    ]);
  });
});

Deno.test("current: a hanging Control API -> cached result after the timeout, exit 0", async () => {
  await withAblyServer({ me: { hang: true } }, async (server) => {
    const dir = await tempConfigDir(legacyConfig(server));
    const env = { ABLY_CONTROL_TIMEOUT_MS: "500" };
    const human = await runCli(["accounts", "current"], { configDir: dir, env });
    assert.equal(human.code, 0);
    assert.ok(human.elapsedMs < 2500, `took ${Math.round(human.elapsedMs)}ms`);
    assert.match(
      human.stderr,
      /^⚠ Unable to verify account information: the Control API at 127\.0\.0\.1:\d+ failed \(Network error: 127\.0\.0\.1:\d+ did not answer within 500 ms; GET \/me timed out\)\./,
    );
    assert.match(human.stdout, /^Account \(cached\): Acme Ltd \(VgQpOZ\)$/m);
    // A time-out is not the token's fault: no advice to log in again.
    assert.doesNotMatch(human.stdout + human.stderr, /logging in again|log in again/i);

    const json = await runCli(["accounts", "current", "--json"], { configDir: dir, env });
    assert.equal(json.code, 0);
    const all = json.records();
    assert.equal(all.filter((r) => r.type === "error").length, 0);
    assert.equal(all.filter((r) => r.status === "warning").length, 1);
    assert.match(all[0].message as string, /^Unable to verify account information: .*timed out/);
    assert.equal(resultOf(all).account.cached, true);
  });
});

// --- OAuth refresh ------------------------------------------------------------------

Deno.test("current: expired OAuth token -> one refresh, new pair stored for every alias, /me with the new token", async () => {
  await withAblyServer({}, async (server) => {
    const config = sharedExpired(server);
    const dir = await tempConfigDir(config);
    const before = Date.now();
    const { code, records } = await runCli(
      ["accounts", "current", "--json", "--control-host", server.host],
      { configDir: dir },
    );
    assert.equal(code, 0);
    const account = resultOf(records()).account;
    assert.equal(account.cached, undefined);
    assert.equal(account.name, "Test Account");

    const refreshes = server.to("/oauth/token");
    assert.equal(refreshes.length, 1);
    assert.deepEqual(refreshes[0].form, {
      client_id: OAUTH_CLIENT_ID,
      grant_type: "refresh_token",
      refresh_token: refreshTokenOf("jane@acme.example"),
    });
    assert.deepEqual(
      server.requests.map((r) => [r.path, r.authorization]),
      [["/oauth/token", null], ["/api/v1/me", "Bearer refreshed_at_1_SeCrEt"]],
    );

    const text = await readConfigText(dir);
    const after = parseConfig(text, "config");
    const key = `${SESSION}${server.host}`;
    const session = after.oauthSessions![key];
    assert.equal(session.accessToken, "refreshed_at_1_SeCrEt");
    assert.equal(session.refreshToken, "refreshed_rt_1_SeCrEt");
    const expiresAt = Number(session.accessTokenExpiresAt);
    assert.ok(expiresAt >= before + 3600_000 && expiresAt <= Date.now() + 3600_000);
    // Both aliases still point at the one session; nothing else in the file moved.
    assert.equal(after.accounts!.acme.oauthSessionKey, key);
    assert.equal(after.accounts!.staging.oauthSessionKey, key);
    assert.equal(
      text,
      config
        .replace(accessTokenOf("jane@acme.example"), "refreshed_at_1_SeCrEt")
        .replace(refreshTokenOf("jane@acme.example"), "refreshed_rt_1_SeCrEt")
        .replace("1767225600000", String(expiresAt)),
    );

    // The sibling alias now uses the refreshed token as it is: no second refresh.
    const sibling = await tempConfigDir(text.replace('account = "acme"', 'account = "staging"'));
    const again = await runCli(["accounts", "current", "--control-host", server.host], {
      configDir: sibling,
    });
    assert.equal(again.code, 0);
    assert.equal(server.to("/oauth/token").length, 1);
    assert.equal(server.to("/api/v1/me")[1].authorization, "Bearer refreshed_at_1_SeCrEt");
  });
});

Deno.test("current: the refresh happens 60 s before expiry, not earlier", async () => {
  await withAblyServer({}, async (server) => {
    const make = (expiresInMs: number) =>
      sharedExpired(server).replace("1767225600000", String(Date.now() + expiresInMs));
    const soon = await tempConfigDir(make(30_000));
    const later = await tempConfigDir(make(300_000));
    const args = ["accounts", "current", "--json", "--control-host", server.host];
    assert.equal((await runCli(args, { configDir: later })).code, 0);
    assert.equal(server.to("/oauth/token").length, 0);
    assert.equal(
      server.to("/api/v1/me")[0].authorization,
      `Bearer ${accessTokenOf("jane@acme.example")}`,
    );
    assert.equal((await runCli(args, { configDir: soon })).code, 0);
    assert.equal(server.to("/oauth/token").length, 1);
    assert.equal(server.to("/api/v1/me")[1].authorization, "Bearer refreshed_at_1_SeCrEt");
  });
});

Deno.test("current: concurrent runs on one expired session -> a single refresh, all verified", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir(sharedExpired(server));
    const runs = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          spawnCli(["accounts", "current", "--json", "--control-host", server.host], {
            configDir: dir,
          }),
      ),
    );
    for (const run of runs) {
      assert.equal(run.code, 0, run.stdout);
      const all = run.records();
      assert.equal(all.filter((r) => r.status === "warning").length, 0, run.stdout);
      const account = resultOf(all).account;
      assert.equal(account.cached, undefined);
      assert.equal(account.id, "VgQpOZ");
    }
    // The default refresh grant refuses a spent refresh token: a second refresh would show.
    assert.equal(server.to("/oauth/token").length, 1);
    const me = server.to("/api/v1/me");
    assert.equal(me.length, runs.length);
    for (const request of me) assert.equal(request.authorization, "Bearer refreshed_at_1_SeCrEt");
    const session = parseConfig(await readConfigText(dir), "config")
      .oauthSessions![`${SESSION}${server.host}`];
    assert.equal(session.refreshToken, "refreshed_rt_1_SeCrEt");
  });
});

Deno.test("current: refresh answered invalid_grant -> cached warning, session gone for every alias", async () => {
  await withAblyServer(
    { refresh: () => ({ status: 400, body: { error: "invalid_grant" } }) },
    async (server) => {
      const dir = await tempConfigDir(sharedExpired(server));
      const { code, records } = await runCli(
        ["accounts", "current", "--json", "--control-host", server.host],
        { configDir: dir },
      );
      assert.equal(code, 0);
      const all = records();
      assert.equal(all.filter((r) => r.type === "error").length, 0);
      assert.deepEqual(all[0], {
        type: "status",
        command: "accounts:current",
        status: "warning",
        message: `${UNVERIFIED} (OAuth session expired (the refresh token is no longer valid). ` +
          'Please run "ably login" again.)',
      });
      const account = resultOf(all).account;
      assert.equal(account.cached, true);
      assert.equal(account.name, "Acme Ltd");
      assert.equal(server.to("/oauth/token").length, 1);
      assert.equal(server.to("/api/v1/me").length, 0);

      const after = parseConfig(await readConfigText(dir), "config");
      assert.equal(after.oauthSessions, undefined);
      assert.equal(after.accounts!.acme.oauthSessionKey, undefined);
      assert.equal(after.accounts!.staging.oauthSessionKey, undefined);
      assert.deepEqual(Object.keys(after.accounts!), ["acme", "staging"]);
      assert.equal(after.current?.account, "acme");

      // Nothing left to refresh with: the next run says so without asking the server.
      const next = await runCli(["accounts", "current", "--control-host", server.host], {
        configDir: dir,
      });
      assert.equal(next.code, 0);
      assert.match(next.stderr, /Unable to verify account information/);
      assert.equal(server.requests.length, 1);
    },
  );
});

Deno.test("current: a refresh failing otherwise (500) -> cached warning, session kept", async () => {
  await withAblyServer(
    { refresh: () => ({ status: 500, body: { error: "server_error" } }) },
    async (server) => {
      const config = sharedExpired(server);
      const dir = await tempConfigDir(config);
      const { code, stderr, stdout } = await runCli(
        ["accounts", "current", "--control-host", server.host],
        { configDir: dir },
      );
      assert.equal(code, 0);
      // Not "your token may have expired": the refresh failed, and the warning says where.
      assert.match(
        stderr,
        /^⚠ Unable to verify account information \(Token refresh failed at 127\.0\.0\.1:\d+: server_error\)\./,
      );
      assert.match(stdout, /^Account \(cached\): Acme Ltd \(VgQpOZ\)$/m);
      assert.equal(await readConfigText(dir), config);
    },
  );
});

Deno.test("current: a hanging refresh -> cached result after the OAuth timeout, session kept", async () => {
  await withAblyServer({ refresh: () => ({ hang: true }) }, async (server) => {
    const config = sharedExpired(server);
    const dir = await tempConfigDir(config);
    const { code, records, elapsedMs } = await runCli(
      ["accounts", "current", "--json", "--control-host", server.host],
      { configDir: dir, env: { ABLY_OAUTH_TIMEOUT_MS: "500" } },
    );
    assert.equal(code, 0);
    assert.ok(elapsedMs < 2500, `took ${Math.round(elapsedMs)}ms`);
    const all = records();
    assert.equal(all.filter((r) => r.type === "error").length, 0);
    assert.match(
      all[0].message as string,
      /^Unable to verify account information \(Token refresh failed at .*timed out after 500 ms\)\./,
    );
    assert.equal(resultOf(all).account.cached, true);
    assert.equal(server.to("/api/v1/me").length, 0);
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test("current: ABLY_ACCESS_TOKEN wins: used as Bearer, nothing refreshed, file unchanged", async () => {
  await withAblyServer({}, async (server) => {
    const config = sharedExpired(server);
    const dir = await tempConfigDir(config);
    const { code, records } = await runCli(
      ["accounts", "current", "--json", "--control-host", server.host],
      { configDir: dir, env: { ABLY_ACCESS_TOKEN: "env_token_SeCrEt" } },
    );
    assert.equal(code, 0);
    assert.equal(resultOf(records()).account.cached, undefined);
    assert.deepEqual(
      server.requests.map((r) => [r.path, r.authorization]),
      [["/api/v1/me", "Bearer env_token_SeCrEt"]],
    );
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test({
  name: "current: a legacy `[current] app` names the current app and key",
  async fn() {
    await withAblyServer({}, async (server) => {
      const dir = await tempConfigDir(withControlHost(SAMPLE_LEGACY, "default", server.host));
      const { code, stdout } = await runCli(["accounts", "current"], { configDir: dir });
      assert.equal(code, 0);
      assert.match(stdout, /^Current App: My App \(aBcDeF\)$/m);
      assert.match(stdout, /^Current API Key: aBcDeF\.kEy123$/m);
    });
  },
});

Deno.test("current: ABLY_ACCESS_TOKEN is never sent to the account's stored controlHost", async () => {
  await withAblyServer({}, async (decoy) => {
    const dir = await tempConfigDir(legacyConfig(decoy));
    const run = await runCli(["accounts", "current", "--json"], {
      configDir: dir,
      env: { ABLY_ACCESS_TOKEN: "env_token_SeCrEt" },
    });
    assert.equal(run.code, 0);
    assert.equal(decoy.requests.length, 0);
    // The default host instead (refused by the test host: nothing leaves the machine).
    assert.deepEqual(run.hosts, ["control.ably.net"]);
    assert.equal(resultOf(run.records()).account.cached, true);
  });
});

Deno.test("current: a refresh goes to the session's issuer, never to an --oauth-host override", async () => {
  await withAblyServer({}, async (issuer) => {
    await withAblyServer({}, async (override) => {
      const dir = await tempConfigDir(sharedExpired(issuer));
      for (const how of [["--oauth-host", override.host], []]) {
        const run = await runCli(
          ["accounts", "current", "--json", "--control-host", issuer.host, ...how],
          { configDir: dir, env: how.length ? {} : { ABLY_OAUTH_HOST: override.host } },
        );
        assert.equal(run.code, 0, run.stdout);
        assert.equal(resultOf(run.records()).account.cached, undefined);
      }
      // The first run refreshed at the issuer; the second found a fresh token.
      assert.equal(issuer.to("/oauth/token").length, 1);
      assert.equal(override.requests.length, 0);
    });
  });
});

Deno.test("current: a fixed clock decides expiry: 61 s before it no refresh, 59 s before it one", async () => {
  await withAblyServer({}, async (server) => {
    const expiresAt = 4102444800000;
    const config = sharedExpired(server).replace(PAST, `accessTokenExpiresAt = ${expiresAt}`);
    for (const [secondsBefore, refreshes] of [[61, 0], [59, 1]]) {
      const dir = await tempConfigDir(config);
      const run = await runCli(["accounts", "current", "--json", "--control-host", server.host], {
        configDir: dir,
        now: () => expiresAt - secondsBefore * 1000,
      });
      assert.equal(run.code, 0);
      assert.equal(server.to("/oauth/token").length, refreshes, `${secondsBefore} s before`);
    }
  });
});

Deno.test("current: a Control API error echoing the token, in any encoding, never shows it", async () => {
  const encoded = encodeURIComponent(LEGACY_TOKEN).replaceAll("_", "%5F");
  const message = `bad token ${LEGACY_TOKEN.toUpperCase()} / ${encoded} / ${btoa(LEGACY_TOKEN)}`;
  await withAblyServer({ me: { status: 400, body: { message } } }, async (server) => {
    const dir = await tempConfigDir(legacyConfig(server));
    for (const json of [[], ["--json"]]) {
      const run = await runCli(["accounts", "current", ...json], { configDir: dir });
      assert.equal(run.code, 0);
      const all = run.stdout + run.stderr;
      for (const form of [LEGACY_TOKEN.toUpperCase(), encoded, btoa(LEGACY_TOKEN)]) {
        assert.ok(!all.includes(form), `leaked ${form.slice(0, 8)}…`);
      }
      assert.match(all, /\[redacted\]/);
    }
  });
});

Deno.test("current: a config writable by others draws one warning", {
  ignore: Deno.build.os === "windows",
}, async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir(legacyConfig(server));
    await Deno.chmod(`${dir}/config`, 0o666);
    const run = await runCli(["accounts", "current"], { configDir: dir });
    assert.equal(run.code, 0);
    const warnings = run.stderr.split("\n").filter((line) => line.startsWith("⚠"));
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(warnings[0], /writable/);
  });
});

Deno.test("current: an app entry with apiKey but no keyId shows the key the official CLI derives", async () => {
  await withAblyServer({}, async (server) => {
    const config = legacyConfig(server)
      .replace('keyId = "aBcDeF.kEy123"\n', "")
      .replace('keyName = "Root"\n', "");
    const dir = await tempConfigDir(config);
    const json = await runCli(["accounts", "current", "--json"], { configDir: dir });
    assert.deepEqual(resultOf(json.records()).account.currentKey, {
      id: "aBcDeF.kEy123",
      label: "Unnamed key",
    });
    const human = await runCli(["accounts", "current"], { configDir: dir });
    assert.match(human.stdout, /^Current API Key: aBcDeF\.kEy123\nKey Label: Unnamed key$/m);
  });
});

Deno.test("current: an account with nothing to authenticate with -> cached result with the reason, no request", async () => {
  const cases: [name: string, account: string, reason: string][] = [
    ["a token account without a token", "", 'No access token found. Please run "ably login".'],
    [
      "an expired session without a refresh token",
      'authMethod = "oauth"\noauthSessionKey = "j::h.example"\n' +
      `[oauthSessions."j::h.example"]\naccessToken = "at_old_SeCrEt"\n${PAST}\n`,
      'OAuth session expired. Please run "ably login" again.',
    ],
  ];
  for (const [name, account, reason] of cases) {
    await withAblyServer({}, async (server) => {
      const config = `[accounts.x]\naccountId = "a1"\naccountName = "X"\n${account}` +
        '[current]\naccount = "x"\n';
      const dir = await tempConfigDir(config);
      const run = await runCli(["accounts", "current", "--json", "--control-host", server.host], {
        configDir: dir,
      });
      assert.equal(run.code, 0, name);
      const records = run.records();
      assert.equal(records[0].message, `${UNVERIFIED} (${reason})`, name);
      assert.deepEqual(
        [resultOf(records).account.cached, resultOf(records).account.alias],
        [true, "x"],
        name,
      );
      assert.equal(server.requests.length, 0, name);
      assert.equal(await readConfigText(dir), config, name);
    });
  }
});

Deno.test("current: a stored controlHost that is not a host is refused; the token goes nowhere", async () => {
  const config = withControlHost(SAMPLE_LEGACY, "default", "control.example/collect?x=");
  const dir = await tempConfigDir(config);
  const run = await runCli(["accounts", "current", "--json"], { configDir: dir });
  assert.equal(run.code, 0, run.stdout);
  assert.equal(
    run.records()[0].message,
    `Unable to verify account information (invalid Control API host "control.example/collect?x=").`,
  );
  assert.equal(resultOf(run.records()).account.cached, true);
  assert.deepEqual(run.hosts, []);
});

Deno.test("current: a read-only config is refused before the refresh token is spent", async () => {
  await withAblyServer({}, async (server) => {
    const config = sharedExpired(server);
    const dir = await tempConfigDir(config);
    await Deno.chmod(`${dir}/config`, 0o444);
    const run = await runCli(["accounts", "current", "--json", "--control-host", server.host], {
      configDir: dir,
    });
    assert.equal(run.code, 0);
    assert.match(run.records()[0].message as string, /read-only .*chmod u\+w/);
    assert.equal(server.to("/oauth/token").length, 0);
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test("current and switch: Ctrl-C while verifying exits 130", async () => {
  await withAblyServer({ me: { hang: true } }, async (server) => {
    const dir = await tempConfigDir(legacyConfig(server));
    for (const args of [["accounts", "current"], ["accounts", "switch", "default"]]) {
      const interrupt = new AbortController();
      const pending = runCli(args, { configDir: dir, interrupt });
      await until("GET /api/v1/me", () => server.to("/api/v1/me").length > 0);
      interrupt.abort();
      const run = await pending;
      assert.equal(run.code, 130, args.join(" "));
      assert.match(run.stderr, /cancelled/);
      server.requests.length = 0;
    }
  });
});

Deno.test("current: a rejected token (401) -> the advice to log in again", async () => {
  await withAblyServer(
    { me: { status: 401, body: { message: "Unauthorized", code: 40101 } } },
    async (server) => {
      const dir = await tempConfigDir(legacyConfig(server));
      const { code, stdout, stderr } = await runCli(["accounts", "current"], { configDir: dir });
      assert.equal(code, 0);
      assert.match(stderr, /Your access token may have expired/);
      assert.match(
        stdout,
        /^Consider logging in again with "ably accounts login --alias default"\.$/m,
      );
    },
  );
});

Deno.test("current: Ctrl-C during a hanging refresh cancels (exit 130), session kept", async () => {
  await withAblyServer({ refresh: () => ({ hang: true }) }, async (server) => {
    const config = sharedExpired(server);
    const dir = await tempConfigDir(config);
    const interrupt = new AbortController();
    const running = runCli(["accounts", "current", "--control-host", server.host], {
      configDir: dir,
      interrupt,
    });
    await until("the refresh request", () => server.to("/oauth/token").length > 0);
    interrupt.abort();
    const { code, stderr } = await running;
    assert.equal(code, 130, stderr);
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test("current: an account name from /me that echoes the bearer token is shown redacted, stored or just refreshed", async () => {
  const echo = {
    me: (request: { authorization: string | null }) => ({
      status: 200,
      body: {
        account: { id: "VgQpOZ", name: `Echo ${request.authorization?.slice("Bearer ".length)}` },
        user: { email: "jane@acme.example" },
      },
    }),
  };
  for (const refreshed of [false, true]) {
    await withAblyServer(echo, async (server) => {
      // A token of the real shape (the fixtures' hold an "@", which splits a printed word).
      const config = sharedExpired(server).replaceAll(
        accessTokenOf("jane@acme.example"),
        "ably_oat_5ca1ab1ec0ffee00",
      );
      const dir = await tempConfigDir(refreshed ? config : config.replaceAll(PAST, FUTURE));
      const run = await runCli(["accounts", "current", "--control-host", server.host], {
        configDir: dir,
        secrets: [],
      });
      assert.equal(run.code, 0, run.stderr);
      const bearer = server.to("/api/v1/me")[0].authorization!.slice("Bearer ".length);
      assert.equal(bearer === "ably_oat_5ca1ab1ec0ffee00", !refreshed);
      const shown = run.stdout + run.stderr;
      assert.ok(!shown.includes(bearer), `refreshed=${refreshed}: token shown:\n${shown}`);
      assert.match(shown, /Echo \[redacted\]/);
    });
  }
});

Deno.test("current and switch with ABLY_ACCESS_TOKEN: said that it overrides the account; a rejection points at the variable, not at a new login", async () => {
  await withAblyServer(
    { me: { status: 401, body: { message: "Unauthorized", code: 40101 } } },
    async (server) => {
      const config = sharedExpired(server);
      const dir = await tempConfigDir(config);
      const env = { ABLY_ACCESS_TOKEN: "env_token_SeCrEt" };
      const current = await runCli(["accounts", "current", "--control-host", server.host], {
        configDir: dir,
        env,
      });
      assert.equal(current.code, 0, current.stderr);
      assert.match(
        current.stderr,
        /ABLY_ACCESS_TOKEN is set: it is used instead of account \S+'s own tokens\./,
      );
      assert.match(current.stdout, /ABLY_ACCESS_TOKEN was not accepted: fix it, or unset it/);
      assert.doesNotMatch(current.stdout, /Consider logging in again/);

      const alias = Object.keys(parseConfig(config, "c").accounts!)[0];
      const switched = await runCli(["accounts", "switch", alias, "--control-host", server.host], {
        configDir: dir,
        env,
      });
      assert.equal(switched.code, 0, switched.stderr);
      const said = switched.stderr.replace(/\s+/g, " ");
      assert.match(said, /but ABLY_ACCESS_TOKEN was not accepted/);
      assert.doesNotMatch(said, /Log in again/);
    },
  );
});
