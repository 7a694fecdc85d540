/**
 * `ably accounts token`, in process: the token alone on stdout (file, legacy, keychain,
 * refreshed at the issuer when about to expire, ABLY_ACCESS_TOKEN), --json, and exit 1
 * when no valid token can be had.
 */
import assert from "node:assert/strict";
import { actingAt, tokenBody, withAblyServer } from "../../helpers/ably-server.ts";
import { readConfigText, resultOf, runCli, unwrapped, withConfigDir } from "../../helpers/cli.ts";
import { FakeKeychain } from "../../helpers/fake-keychain.ts";
import { RUN_DEADLINE_MS, withDeadline } from "../../helpers/deadline.ts";
import {
  accessTokenOf,
  buildConfig,
  holdConfigLock,
  refreshTokenOf,
  SAMPLE_LEGACY,
  SAMPLE_OAUTH,
} from "../../helpers/fixtures.ts";

const EXPIRY = 1767225600000;
const HOUR_BEFORE = () => EXPIRY - 3_600_000;
const OAUTH_TOKEN = "ably_oat_3f9c0d2e7b1a4c58";
const LEGACY_TOKEN = "ably_legacy_token_5b7d2c9e";
const ENV_TOKEN = "env_token_1234567890";

/** An OAuth account "acme" (j@x.example) whose session `issuer` minted; it expires at EXPIRY. */
const issued = (issuer: string) =>
  buildConfig([{ alias: "acme", issuer, email: "j@x.example" }], "acme");

/** A config's OAuth session moved into `keychain`, as a keychain login leaves it. */
function inKeychain(config: string, keychain: FakeKeychain, key: string): string {
  keychain.items.set(
    key,
    JSON.stringify({ accessToken: OAUTH_TOKEN, refreshToken: "ably_ort_91b2c7d4e5f60718" }),
  );
  return config.replace(`accessToken = "${OAUTH_TOKEN}"\n`, "")
    .replace('refreshToken = "ably_ort_91b2c7d4e5f60718"\n', 'credentialStore = "keychain"\n');
}

const PRINTS: {
  name: string;
  config: string;
  args?: string[];
  env?: Record<string, string>;
  token: string;
  stderr?: string;
}[] = [
  { name: "OAuth token in the file", config: SAMPLE_OAUTH, token: OAUTH_TOKEN },
  { name: "legacy token as it is", config: SAMPLE_LEGACY, token: LEGACY_TOKEN },
  {
    name: "named account by alias",
    config: SAMPLE_OAUTH.replace('account = "acme-ltd"', 'account = "other"'),
    args: ["acme-ltd"],
    token: OAUTH_TOKEN,
  },
  {
    name: "ABLY_ACCESS_TOKEN without an alias: the variable's, with a note",
    config: SAMPLE_OAUTH,
    env: { ABLY_ACCESS_TOKEN: ENV_TOKEN },
    token: ENV_TOKEN,
    stderr: "The token comes from ABLY_ACCESS_TOKEN, which overrides the current account.\n",
  },
  {
    name: "ABLY_ACCESS_TOKEN with an explicit alias: the stored one",
    config: SAMPLE_OAUTH,
    args: ["acme-ltd"],
    env: { ABLY_ACCESS_TOKEN: ENV_TOKEN },
    token: OAUTH_TOKEN,
  },
];

for (const c of PRINTS) {
  Deno.test(`token: ${c.name} -> the token and a newline, nothing else on stdout`, async () => {
    const config = c.config;
    await withConfigDir(config, async (dir) => {
      const result = await runCli(["accounts", "token", ...(c.args ?? [])], {
        configDir: dir,
        env: c.env,
        now: HOUR_BEFORE,
        secrets: [],
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${c.token}\n`);
      assert.equal(result.stderr, c.stderr ?? "");
      assert.deepEqual(result.hosts, []);
      assert.equal(await readConfigText(dir), config);
    });
  });
}

Deno.test("token --json: an expiry that is not a finite number (TOML inf, nan) is no recorded expiry: the token, expiresAt null", async () => {
  for (const value of ["inf", "-inf", "nan"]) {
    const config = SAMPLE_OAUTH.replace(
      /accessTokenExpiresAt = \d+/,
      `accessTokenExpiresAt = ${value}`,
    );
    assert.notEqual(config, SAMPLE_OAUTH);
    await withConfigDir(config, async (dir) => {
      const result = await runCli(["accounts", "token", "--json"], {
        configDir: dir,
        now: HOUR_BEFORE,
        secrets: [],
      });
      assert.equal(result.code, 0, `${value}: ${result.stdout}${result.stderr}`);
      const { token } = resultOf(result.records());
      assert.deepEqual([token.accessToken, token.expiresAt], [OAUTH_TOKEN, null], value);
    });
  }
});

Deno.test("token: keychain account -> the token read from the keychain; an app of it with no key stored anywhere warns nothing", async () => {
  const keychain = new FakeKeychain();
  const config = inKeychain(SAMPLE_OAUTH, keychain, "jane@acme.example::ably.com");
  assert.ok(!config.includes(OAUTH_TOKEN));
  // The account itself marked (its apps' keys are kept in the keychain), its key in no item.
  const keyless = config.replace(/apiKey = .*\n/, "")
    .replace("[accounts.acme-ltd]\n", '[accounts.acme-ltd]\ncredentialStore = "keychain"\n');
  assert.match(keyless, /\[accounts\.acme-ltd\]\ncredentialStore/);
  assert.doesNotMatch(keyless, /apiKey/);
  for (const stored of [config, keyless]) {
    await withConfigDir(stored, async (dir) => {
      const result = await runCli(["accounts", "token"], {
        configDir: dir,
        now: HOUR_BEFORE,
        keychain,
        secrets: [],
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${OAUTH_TOKEN}\n`);
      assert.equal(result.stderr, "");
      assert.ok(keychain.calls.some((call) => call.startsWith("get ")));
    });
  }
});

Deno.test("token --json with ABLY_ACCESS_TOKEN and no alias: the variable's token, source ABLY_ACCESS_TOKEN, no alias or expiry", async () => {
  await withConfigDir(SAMPLE_OAUTH, async (dir) => {
    const result = await runCli(["accounts", "token", "--json"], {
      configDir: dir,
      env: { ABLY_ACCESS_TOKEN: ENV_TOKEN },
      secrets: [],
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(resultOf(result.records()).token, {
      alias: null,
      source: "ABLY_ACCESS_TOKEN",
      accessToken: ENV_TOKEN,
      expiresAt: null,
    });
  });
});

Deno.test("token --json: a keychain account's token says source keychain", async () => {
  const keychain = new FakeKeychain();
  const config = inKeychain(SAMPLE_OAUTH, keychain, "jane@acme.example::ably.com");
  await withConfigDir(config, async (dir) => {
    const result = await runCli(["accounts", "token", "--json"], {
      configDir: dir,
      now: HOUR_BEFORE,
      keychain,
      secrets: [],
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(resultOf(result.records()).token, {
      alias: "acme-ltd",
      source: "keychain",
      accessToken: OAUTH_TOKEN,
      expiresAt: new Date(EXPIRY).toISOString(),
    });
  });
});

Deno.test("token --json: { token: { alias, accessToken, expiresAt } }; legacy expiresAt null", async () => {
  for (
    const [config, alias, token, expiresAt] of [
      [SAMPLE_OAUTH, "acme-ltd", OAUTH_TOKEN, new Date(EXPIRY).toISOString()],
      [SAMPLE_LEGACY, "default", LEGACY_TOKEN, null],
    ] as const
  ) {
    await withConfigDir(config, async (dir) => {
      const result = await runCli(["accounts", "token", "--json"], {
        configDir: dir,
        now: HOUR_BEFORE,
        secrets: [],
      });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(resultOf(result.records()).token, {
        alias,
        source: "file",
        accessToken: token,
        expiresAt,
      });
    });
  }
});

Deno.test("token: expiring within 60 s -> refreshed at the issuer under the lock, the new token printed and stored", async () => {
  await withAblyServer({}, async (server) => {
    const config = issued(server.host);
    await withConfigDir(config, async (dir) => {
      const result = await runCli(["accounts", "token"], {
        configDir: dir,
        now: () => EXPIRY - 30_000,
        secrets: [accessTokenOf("j@x.example"), refreshTokenOf("j@x.example")],
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "refreshed_at_1_SeCrEt\n");
      const grants = server.to("/oauth/token");
      assert.equal(grants.length, 1);
      assert.equal(grants[0].form.refresh_token, refreshTokenOf("j@x.example"));
      assert.ok((await readConfigText(dir)).includes('accessToken = "refreshed_at_1_SeCrEt"'));
    });
  });
});

Deno.test("token: a refresh answer's scope is stored; one without a scope keeps the session's", async () => {
  const { scope: _, ...unscoped } = tokenBody("new_access_token_1", "new_refresh_token_1");
  const cases: [answer: Record<string, unknown>, stored: string][] = [
    [unscoped, 'oauthScope = "full_access"'],
    [{ ...unscoped, scope: "read:apps" }, 'oauthScope = "read:apps"'],
  ];
  for (const [body, stored] of cases) {
    await withAblyServer({ refresh: () => ({ status: 200, body }) }, async (server) => {
      const config = issued(server.host);
      await withConfigDir(config, async (dir) => {
        const result = await runCli(["accounts", "token"], {
          configDir: dir,
          now: () => EXPIRY - 30_000,
        });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, "new_access_token_1\n");
        const text = await readConfigText(dir);
        assert.ok(text.includes('accessToken = "new_access_token_1"'), text);
        assert.ok(text.includes(stored), text);
      });
    });
  }
});

Deno.test("token: another run refreshed while this one waited for the lock -> its token is printed, nothing is sent, the file is not rewritten", async () => {
  await withAblyServer({}, async (server) => {
    const email = "j@x.example";
    const config = issued(server.host);
    await withConfigDir(config, async (dir) => {
      const held = await holdConfigLock(dir);
      let released = false;
      const release = () => released ? Promise.resolve() : (released = true, held.release());
      // The first look at the clock is the check on the file as first read: expiring.
      const looked = Promise.withResolvers<void>();
      const run = runCli(["accounts", "token"], {
        configDir: dir,
        now: () => (looked.resolve(), EXPIRY - 30_000),
        secrets: [accessTokenOf(email), refreshTokenOf(email)],
      });
      try {
        await withDeadline(RUN_DEADLINE_MS, "the run's first token check", looked.promise);
        // Meanwhile, under the lock, another run stored a fresh pair.
        const fresh = config.replace(accessTokenOf(email), "fresh_access_token_1")
          .replace(refreshTokenOf(email), "fresh_refresh_token_1")
          .replace(`accessTokenExpiresAt = ${EXPIRY}`, `accessTokenExpiresAt = ${EXPIRY * 2}`);
        assert.notEqual(fresh, config);
        await Deno.writeTextFile(`${dir}/config`, fresh);
        const before = await Deno.stat(`${dir}/config`);
        await release();
        const result = await run;
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, "fresh_access_token_1\n");
        assert.equal(server.to("/oauth/token").length, 0);
        const after = await Deno.stat(`${dir}/config`);
        assert.equal(await readConfigText(dir), fresh);
        assert.deepEqual([after.ino, after.mtime], [before.ino, before.mtime]);
      } finally {
        await release();
        await run.catch(() => {});
      }
    });
  });
});

Deno.test("token on a terminal: the refresh's spinner turns on stderr while the issuer answers and is cleared before the token is printed", async () => {
  await withAblyServer({
    refresh: (token) => ({
      status: 200,
      body: tokenBody(`new_access_for_${token.length}`, "new_refresh_token_2"),
      delayMs: 200,
    }),
  }, async (server) => {
    const config = issued(server.host);
    await withConfigDir(config, async (dir) => {
      const run = await runCli(["accounts", "token"], {
        configDir: dir,
        now: () => EXPIRY - 30_000,
        replies: [],
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^new_access_for_\d+\n$/);
      assert.match(run.stderr, /^\r⠋ Refreshing the access token\r⠙ Refreshing/);
      assert.ok(run.stderr.endsWith("\r\x1b[K"), JSON.stringify(run.stderr));
    });
  });
});

Deno.test("token: another program changes the file while the refresh is in flight -> the refresh token is sent once, and the new pair is saved into the file as it is now", async () => {
  await withAblyServer({}, async (server) => {
    const config = issued(server.host);
    await withConfigDir(config, async (dir) => {
      // As the official CLI would, with no lock: the whole file rewritten in place.
      const edited = config + '\n[accounts.added]\naccountId = "added-meanwhile"\n';
      const result = await runCli(["accounts", "token"], {
        configDir: dir,
        now: () => EXPIRY - 30_000,
        secrets: [accessTokenOf("j@x.example"), refreshTokenOf("j@x.example")],
        fetch: async (input, init) => {
          const answer = await fetch(input, init);
          await Deno.writeTextFile(`${dir}/config`, edited);
          return answer;
        },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "refreshed_at_1_SeCrEt\n");
      assert.equal(
        server.to("/oauth/token").length,
        1,
        "the spent refresh token is not sent again",
      );
      const text = await readConfigText(dir);
      assert.ok(text.includes('accessToken = "refreshed_at_1_SeCrEt"'), text);
      assert.ok(text.includes('refreshToken = "refreshed_rt_1_SeCrEt"'), text);
      assert.ok(
        text.includes('accountId = "added-meanwhile"'),
        "the other program's change is kept",
      );
      // The old pair was rotated by the issuer, not removed: nothing is revoked.
      assert.deepEqual(server.revoked(), []);
    });
  });
});

Deno.test("token: a stored token holding control characters is printed with each shown as \\uXXXX, never obeyed; --json escapes them", async () => {
  // As a hand edit (or a tampered shared config) could leave it: a title change, a C1 CSI.
  const stored = "legacy\x1b]0;pwned\x07_token_\u009b2J";
  const config = SAMPLE_LEGACY.replace(LEGACY_TOKEN, JSON.stringify(stored).slice(1, -1));
  assert.notEqual(config, SAMPLE_LEGACY);
  await withConfigDir(config, async (dir) => {
    const human = await runCli(["accounts", "token"], { configDir: dir, secrets: [] });
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stdout, "legacy\\u001b]0;pwned\\u0007_token_\\u009b2J\n");
    const json = await runCli(["accounts", "token", "--json"], { configDir: dir, secrets: [] });
    assert.equal(json.code, 0, json.stderr);
    // Raw control characters only as the line breaks between records.
    // deno-lint-ignore no-control-regex
    assert.ok(!/[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(json.stdout), JSON.stringify(json.stdout));
    assert.equal(resultOf(json.records()).token.accessToken, stored);
  });
});

const FAILS: { name: string; config: string; args?: string[]; message: RegExp }[] = [
  {
    name: "expired, no refresh token",
    config: SAMPLE_OAUTH.replace('refreshToken = "ably_ort_91b2c7d4e5f60718"\n', ""),
    message: /OAuth session expired/,
  },
  {
    name: "no accounts",
    config: "",
    message: /No accounts configured/,
  },
  {
    name: "legacy account without a token",
    config: SAMPLE_LEGACY.replace(`accessToken = "${LEGACY_TOKEN}"\n`, ""),
    message: /No access token found/,
  },
  {
    name: "unknown alias",
    config: SAMPLE_OAUTH,
    args: ["nobody"],
    message: /Account "nobody" not found/,
  },
  // A store name that is a property every object has is still an unknown store.
  ...["toString", "__proto__", "constructor"].map((store) => ({
    name: `a store named "${store}"`,
    config: SAMPLE_LEGACY.replace(
      `accessToken = "${LEGACY_TOKEN}"\n`,
      `credentialStore = "${store}"\n`,
    ),
    message: new RegExp(`a store named "${store}", which this ably does not know`),
  })),
];

for (const c of FAILS) {
  Deno.test(`token: ${c.name} -> exit 1, a clear error, nothing on stdout`, async () => {
    await withConfigDir(c.config, async (dir) => {
      const result = await runCli(["accounts", "token", ...(c.args ?? [])], {
        configDir: dir,
        now: () => EXPIRY + 1000,
      });
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      assert.match(unwrapped(result.stderr), c.message);
      assert.deepEqual(result.hosts, []);
    });
  });
}

Deno.test("token: the official CLI clears the session while our refresh is in flight (its own refresh lost to ours) -> the session is put back with our pair; an account logged out, or logged in again, meanwhile gets no session back and our pair is revoked", async () => {
  for (const meanwhile of ["cleared", "logged out", "logged in again"] as const) {
    await withAblyServer({}, async (server) => {
      const email = "j@x.example";
      const config = issued(server.host);
      await withConfigDir(config, async (dir) => {
        const key = `${email}::${server.host}`;
        const withoutSession = config.replace(`oauthSessionKey = "${key}"\n`, "").replace(
          /\[oauthSessions\."[^"]+"\]\n(?:[^[\n].*\n)*/,
          "",
        );
        // As the official CLI clears a session it believes dead: the session and the key go
        // (or, logged out, the whole account; or a new login gives the alias a new session).
        const relogged = buildConfig(
          [{ alias: "acme", issuer: server.host, email: "new@x.example" }],
          "acme",
        ).replace(`accessTokenExpiresAt = ${EXPIRY}`, `accessTokenExpiresAt = ${EXPIRY * 2}`);
        const written = meanwhile === "cleared"
          ? withoutSession
          : meanwhile === "logged out"
          ? '[current]\naccount = "acme"\n'
          : relogged;
        assert.notEqual(written, config);
        const result = await runCli(["accounts", "token", "--json"], {
          configDir: dir,
          now: () => EXPIRY - 30_000,
          secrets: [accessTokenOf(email), refreshTokenOf(email), "refreshed_rt_1_SeCrEt"],
          fetch: actingAt(
            "/oauth/token",
            "after",
            () => Deno.writeTextFile(`${dir}/config`, written),
          ),
        });
        assert.equal(server.to("/oauth/token").length, 1, "the refresh token is sent once");
        const text = await readConfigText(dir);
        if (meanwhile === "cleared") {
          assert.equal(result.code, 0, result.stderr);
          assert.equal(resultOf(result.records()).token.accessToken, "refreshed_at_1_SeCrEt");
          assert.ok(text.includes(`oauthSessionKey = "${key}"`), text);
          assert.ok(text.includes('refreshToken = "refreshed_rt_1_SeCrEt"'), text);
          assert.deepEqual(server.revoked(), []);
          return;
        }
        assert.deepEqual(server.revoked(), ["refreshed_at_1_SeCrEt", "refreshed_rt_1_SeCrEt"]);
        assert.equal(text, written, "nothing put back: the file as the other program left it");
        if (meanwhile === "logged out") {
          assert.equal(result.code, 1);
          assert.match(
            resultOf(result.records().filter((r) => r.type === "error")).error.message,
            /Account "acme" was logged out while its token was refreshed/,
          );
        } else {
          assert.equal(result.code, 0, result.stderr);
          assert.equal(
            resultOf(result.records()).token.accessToken,
            accessTokenOf("new@x.example"),
          );
        }
      });
    });
  }
});
