/**
 * `ably accounts status`, in process against the scripted loopback Ably server: each
 * account's check (valid, expired, refreshable, rejected, could not check), --offline making
 * no request, the ABLY_ACCESS_TOKEN note, --json, and the exit code. It never refreshes
 * and never prints a token (the runner fails a test whose output holds one).
 */
import assert from "node:assert/strict";
import { type AblyServerScript, withAblyServer } from "../../helpers/ably-server.ts";
import { readConfigText, resultOf, runCli, withConfigDir } from "../../helpers/cli.ts";
import { until } from "../../helpers/deadline.ts";
import { FakeKeychain } from "../../helpers/fake-keychain.ts";
import {
  accessTokenOf,
  buildConfig,
  refreshTokenOf,
  SAMPLE_LEGACY,
} from "../../helpers/fixtures.ts";

const EXPIRY = 1767225600000;
const ENV_TOKEN = "env_token_SeCrEt_123";

const ROWS: {
  name: string;
  script: AblyServerScript;
  now: number;
  /** Drop the session's refresh token. */
  noRefresh?: boolean;
  env?: Record<string, string>;
  status: string;
  statusCode?: number;
  /** The check's reason: a server's failure names the Control API; a network one says itself. */
  reason?: RegExp;
  requests: number;
  code: number;
  /** Whether the account counts as usable: `null` when the check could not say. */
  usable: boolean | null;
}[] = [
  {
    name: "valid",
    script: {},
    now: EXPIRY - 3_600_000,
    status: "valid",
    requests: 1,
    code: 0,
    usable: true,
  },
  {
    name: "rejected (401)",
    script: { me: { status: 401, body: { message: "Unauthorized" } } },
    now: EXPIRY - 3_600_000,
    status: "rejected",
    statusCode: 401,
    requests: 1,
    code: 1,
    usable: false,
  },
  {
    name: "rejected (403)",
    script: { me: { status: 403, body: { message: "Forbidden" } } },
    now: EXPIRY - 3_600_000,
    status: "rejected",
    statusCode: 403,
    requests: 1,
    code: 1,
    usable: false,
  },
  {
    name: "the Control API answers 500: could not check, not counted against the account",
    script: { me: { status: 500, body: { message: "boom" } } },
    now: EXPIRY - 3_600_000,
    status: "could not check",
    statusCode: 500,
    reason:
      /^the Control API at 127\.0\.0\.1:\d+: API request failed \(500 Internal Server Error\): boom$/,
    requests: 1,
    code: 3,
    usable: null,
  },
  {
    name: "no answer within the Control API time-out: could not check",
    script: { me: { hang: true } },
    now: EXPIRY - 3_600_000,
    env: { ABLY_CONTROL_TIMEOUT_MS: "300" },
    status: "could not check",
    reason: /^Network error: 127\.0\.0\.1:\d+ did not answer within 300 ms; GET \/me timed out$/,
    requests: 1,
    code: 3,
    usable: null,
  },
  {
    name: "expired with a refresh token: not sent, not refreshed",
    script: {},
    now: EXPIRY + 1000,
    status: "expired (refreshable)",
    requests: 0,
    code: 0,
    usable: true,
  },
  {
    name: "expired without a refresh token",
    script: {},
    now: EXPIRY + 1000,
    noRefresh: true,
    status: "expired",
    requests: 0,
    code: 1,
    usable: false,
  },
];

for (const row of ROWS) {
  const success = row.code === 0;
  Deno.test(`status --json: ${row.name} -> exit ${row.code}, success ${success}`, async () => {
    await withAblyServer(row.script, async (server) => {
      let config = buildConfig(
        [{ alias: "acme", issuer: server.host, email: "j@x.example" }],
        "acme",
      );
      if (row.noRefresh) config = config.replace(/refreshToken = .*\n/, "");
      await withConfigDir(config, async (dir) => {
        const result = await runCli(["accounts", "status", "--json"], {
          configDir: dir,
          env: { ABLY_CONTROL_HOST: server.host, ...row.env },
          now: () => row.now,
        });
        assert.equal(result.code, row.code, result.stderr);
        const record = resultOf(result.records());
        assert.equal(record.type, "result");
        // A report with problems is not a success, in the record as in the exit code.
        assert.equal(record.success, success);
        const { accounts, summary } = record;
        assert.equal(accounts.length, 1);
        assert.equal(accounts[0].check.status, row.status);
        assert.equal(accounts[0].check.statusCode, row.statusCode);
        if (row.reason) assert.match(accounts[0].check.reason, row.reason);
        assert.equal(accounts[0].usable, row.usable);
        assert.deepEqual(summary, {
          total: 1,
          usable: row.usable === true ? 1 : 0,
          problems: row.usable === false ? 1 : 0,
          unchecked: row.usable === null ? 1 : 0,
        });
        assert.equal(resultOf(result.records()).success, row.code === 0);
        assert.equal(server.to("/api/v1/me").length, row.requests);
        assert.equal(server.to("/oauth/token").length, 0, "status never refreshes");
        assert.equal(await readConfigText(dir), config);
      });
    });
  });
}

Deno.test("status: every account, in parallel; shared session checked once; human report", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([
      { alias: "acme", name: "Acme Ltd", id: "VgQpOZ", issuer: server.host, email: "j@x.example" },
      { alias: "staging", issuer: server.host, email: "j@x.example" },
      { alias: "old" },
    ], "acme");
    await withConfigDir(config, async (dir) => {
      const result = await runCli(["accounts", "status"], {
        configDir: dir,
        env: { ABLY_CONTROL_HOST: server.host },
        now: () => EXPIRY - 90 * 60_000,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(server.to("/api/v1/me").length, 2, "one per distinct token");
      const out = result.stdout;
      assert.match(out, /▶ Account: acme \(current\)\n {2}Name: Acme Ltd \(VgQpOZ\)\n/);
      assert.match(out, /User: j@x\.example/);
      assert.match(out, /Auth: OAuth/);
      assert.match(out, /Tokens in: config file/);
      assert.match(out, /Access token expires: in 1 hour \(2026-01-01T00:00:00\.000Z\)/);
      assert.match(out, /Refresh token: yes/);
      assert.match(out, /Shares its session with: staging/);
      assert.match(
        out,
        /Account: old\n[^]*Auth: access token \(does not refresh\)[^]*Check: valid/,
      );
      assert.match(out, /3 accounts: 3 usable, 0 with problems\.\n$/);
    });
  });
});

Deno.test("status --offline: no request at all; local state only", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([{ alias: "acme", issuer: server.host }], "acme");
    await withConfigDir(config, async (dir) => {
      const result = await runCli(["accounts", "status", "--offline", "--json"], {
        configDir: dir,
        env: { ABLY_CONTROL_HOST: server.host },
        now: () => EXPIRY - 3_600_000,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.hosts, []);
      assert.equal(server.requests.length, 0);
      const { accounts } = resultOf(result.records());
      assert.equal(accounts[0].check.status, "not checked");
    });
  });
});

Deno.test("status in colour: a check is green when usable, red when not, yellow when it could not be made", async () => {
  const cases: [script: AblyServerScript, colour: number][] = [
    [{}, 32],
    [{ me: { status: 401, body: { message: "Unauthorized" } } }, 31],
    [{ me: { status: 500, body: { message: "boom" } } }, 33],
  ];
  for (const [script, colour] of cases) {
    await withAblyServer(script, async (server) => {
      const config = buildConfig([{ alias: "acme", issuer: server.host }], "acme");
      await withConfigDir(config, async (dir) => {
        const run = await runCli(["accounts", "status"], {
          configDir: dir,
          env: { ABLY_CONTROL_HOST: server.host, FORCE_COLOR: "1" },
          now: () => EXPIRY - 3_600_000,
        });
        const check = run.stdout.split("\n").find((line) => line.includes("Check:"));
        assert.ok(check?.includes(`\x1b[${colour}m`), `${colour}: ${JSON.stringify(check)}`);
      });
    });
  }
});

Deno.test("status --offline with ABLY_ACCESS_TOKEN: the variable's row counts as usable (it is set; nothing was asked), exit 0", async () => {
  await withConfigDir("", async (dir) => {
    const result = await runCli(["accounts", "status", "--offline", "--json"], {
      configDir: dir,
      env: { ABLY_ACCESS_TOKEN: ENV_TOKEN },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.hosts, []);
    const { accounts, summary, success } = resultOf(result.records());
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0].usable, true);
    assert.equal(accounts[0].check.status, "not checked");
    assert.deepEqual(summary, { total: 1, usable: 1, problems: 0, unchecked: 0 });
    assert.equal(success, true);
  });
});

Deno.test("status: ABLY_ACCESS_TOKEN -> said first that it overrides; its token checked too", async () => {
  await withAblyServer({}, async (server) => {
    await withConfigDir(SAMPLE_LEGACY, async (dir) => {
      const result = await runCli(["accounts", "status"], {
        configDir: dir,
        env: { ABLY_CONTROL_HOST: server.host, ABLY_ACCESS_TOKEN: ENV_TOKEN },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(
        result.stderr.startsWith(
          "⚠ ABLY_ACCESS_TOKEN is set: every command uses it instead of the selected account's token.",
        ),
        result.stderr,
      );
      assert.ok(result.stdout.startsWith("  Token from ABLY_ACCESS_TOKEN\n"), result.stdout);
      const auths = server.to("/api/v1/me").map((r) => r.authorization).sort();
      assert.deepEqual(auths, [`Bearer ${ENV_TOKEN}`, "Bearer ably_legacy_token_5b7d2c9e"].sort());
    });
  });
});

Deno.test("status ALIAS: only that account; unknown alias -> exit 1", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([{ alias: "a" }, { alias: "b" }], "a");
    await withConfigDir(config, async (dir) => {
      const env = { ABLY_CONTROL_HOST: server.host };
      const one = await runCli(["accounts", "status", "b", "--json"], { configDir: dir, env });
      assert.equal(one.code, 0, one.stderr);
      assert.deepEqual(resultOf(one.records()).accounts.map((a: { alias: string }) => a.alias), [
        "b",
      ]);
      const none = await runCli(["accounts", "status", "zz"], { configDir: dir, env });
      assert.equal(none.code, 1);
      assert.match(none.stderr, /Account "zz" not found/);
    });
  });
});

Deno.test("status (human): accounts missing a name, an ID, a token or their session, and tokens near or past expiry, each said as it is; problems counted (exit 1)", async () => {
  await withAblyServer({}, async (server) => {
    const host = server.host;
    const session = (email: string) => `"${email}::${host}"`;
    const config = [
      "[accounts.bare]",
      "",
      "[accounts.named]",
      'accountName = "Named Only"',
      'accessToken = "legacy_named_SeCrEt"',
      `controlHost = "${host}"`,
      "",
      "[accounts.numbered]",
      'accountId = "Num1"',
      'accessToken = "legacy_numbered_SeCrEt"',
      `controlHost = "${host}"`,
      "",
      "[accounts.orphan]",
      'authMethod = "oauth"',
      `oauthSessionKey = ${session("gone@x.example")}`,
      "",
      "[accounts.notoken]",
      'authMethod = "oauth"',
      `oauthSessionKey = ${session("nt@x.example")}`,
      "",
      "[accounts.past]",
      'authMethod = "oauth"',
      `oauthSessionKey = ${session("past@x.example")}`,
      "",
      "[accounts.soon]",
      'authMethod = "oauth"',
      `oauthSessionKey = ${session("soon@x.example")}`,
      `controlHost = "${host}"`,
      "",
      `[oauthSessions.${session("nt@x.example")}]`,
      'refreshToken = "rt_nt_SeCrEt"',
      "",
      `[oauthSessions.${session("past@x.example")}]`,
      'accessToken = "at_past_SeCrEt"',
      `accessTokenExpiresAt = ${EXPIRY - 60_000}`,
      "",
      `[oauthSessions.${session("soon@x.example")}]`,
      'accessToken = "at_soon_SeCrEt"',
      `accessTokenExpiresAt = ${EXPIRY + 500}`,
      "",
    ].join("\n");
    await withConfigDir(config, async (dir) => {
      const result = await runCli(["accounts", "status"], { configDir: dir, now: () => EXPIRY });
      assert.equal(result.code, 1, result.stderr);
      const out = result.stdout;
      const block = (alias: string) =>
        out.slice(out.indexOf(`Account: ${alias}\n`)).split("\n\n")[0];
      assert.equal(
        block("bare"),
        "Account: bare\n  Auth: access token (does not refresh)\n  Tokens in: config file\n  Check: no token",
      );
      assert.match(block("named"), /\n {2}Name: Named Only\n[^]*Check: valid$/);
      assert.match(block("numbered"), /\n {2}Name: \(no name\) \(Num1\)\n[^]*Check: valid$/);
      assert.match(block("orphan"), /Check: no token \(no OAuth session; log in again\)$/);
      assert.match(
        block("notoken"),
        /Access token expires: never recorded\n {2}Refresh token: yes\n {2}Check: no token$/,
      );
      assert.match(
        block("past"),
        /Access token expires: 1 minute ago \([^)]+\)\n {2}Refresh token: no\n {2}Check: expired$/,
      );
      assert.match(block("soon"), /Access token expires: in 0 seconds \([^)]+\)[^]*Check: valid$/);
      assert.match(out, /7 accounts: 3 usable, 4 with problems\.\n$/);
      assert.match(result.stderr, /4 of 7 accounts cannot be used; see above\./);
      // Only the three with a live token were checked, each at its account's Control host.
      assert.equal(server.to("/api/v1/me").length, 3);
      assert.equal(await readConfigText(dir), config);
    });
  });
});

Deno.test("status: ABLY_ACCESS_TOKEN with no account is checked alone, at the default Control API host; without it, no accounts is an error", async () => {
  await withConfigDir("", async (dir) => {
    const env = await runCli(["accounts", "status"], {
      configDir: dir,
      env: { ABLY_ACCESS_TOKEN: ENV_TOKEN },
    });
    assert.deepEqual(env.hosts, ["control.ably.net"]);
    // The host cannot be reached from the tests: said as a check that could not be made.
    assert.equal(env.code, 3);
    assert.match(env.stdout, /Token from ABLY_ACCESS_TOKEN\n {2}Check: could not check/);
    assert.match(
      env.stdout,
      /1 account: 0 usable, 0 with problems, 1 could not be checked\.\n$/,
    );
    assert.match(env.stderr, /1 of 1 account could not be checked: the Control API failed/);

    const none = await runCli(["accounts", "status"], { configDir: dir });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No accounts configured/);
    assert.deepEqual(none.hosts, []);
  });
});

Deno.test("status at 60 columns: a value that wraps continues under itself, never flush with the labels; the summary and exit say what could not be checked", async () => {
  await withAblyServer(
    { me: { status: 503, body: { message: "The Control API is down for maintenance tonight" } } },
    async (server) => {
      const config = buildConfig(
        [{ alias: "acme", issuer: server.host, email: "j@x.example" }],
        "acme",
      );
      await withConfigDir(config, async (dir) => {
        const run = await runCli(["accounts", "status", "--control-host", server.host], {
          configDir: dir,
          now: () => EXPIRY - 3_600_000,
          columns: 60,
          replies: [], // a terminal: only there is anything wrapped
        });
        assert.equal(run.code, 3, run.stderr);
        const lines = run.stdout.split("\n");
        const check = lines.findIndex((line) => /^ {2}Check: /.test(line));
        assert.ok(check >= 0, run.stdout);
        // Wrapped: the lines after "Check:" start under its value (column 9), not at a label's.
        const value = lines[check].indexOf("could not check");
        assert.ok(value > 0, lines[check]);
        const continued = lines.slice(check + 1).filter((line) => line.trim() !== "")[0];
        assert.ok(continued !== undefined && !/^ {2}\S/.test(continued), run.stdout);
        assert.equal(continued.length - continued.trimStart().length, "  Check: ".length);
        for (const line of lines) assert.ok(line.length <= 60, `${line.length}: ${line}`);
        assert.match(
          run.stdout.replace(/ *\n */g, " "),
          /1 account: 0 usable, 0 with problems, 1 could not be checked\./,
        );
      });
    },
  );
});

/**
 * `acme` (OAuth, current) and `old` (legacy) with their tokens in `keychain`, as a
 * keychain login (and `accounts keychain`) leaves them: only the marker in the file.
 */
function inKeychain(host: string, keychain: FakeKeychain): string {
  const email = "j@x.example";
  const config = buildConfig([{ alias: "acme", issuer: host, email }, { alias: "old" }], "acme");
  keychain.items.set(
    `${email}::${host}`,
    JSON.stringify({ accessToken: accessTokenOf(email), refreshToken: refreshTokenOf(email) }),
  );
  keychain.items.set("account:old", JSON.stringify({ accessToken: "legacy_old_SeCrEt" }));
  const marked = config
    .replace(`accessToken = "${accessTokenOf(email)}"\n`, "")
    .replace(`refreshToken = "${refreshTokenOf(email)}"\n`, 'credentialStore = "keychain"\n')
    .replace('accessToken = "legacy_old_SeCrEt"\n', 'credentialStore = "keychain"\n');
  assert.ok(!marked.includes("SeCrEt"), marked);
  return marked;
}

Deno.test("status: accounts whose tokens are in the OS keychain -> read from it, checked with them, and said to be there (JSON `tokens`, human 'Tokens in')", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const config = inKeychain(server.host, keychain);
    await withConfigDir(config, async (dir) => {
      const env = { ABLY_CONTROL_HOST: server.host };
      const now = () => EXPIRY - 3_600_000;
      const json = await runCli(["accounts", "status", "--json"], {
        configDir: dir,
        env,
        now,
        keychain,
      });
      assert.equal(json.code, 0, json.stderr);
      const { accounts, success } = resultOf(json.records());
      assert.equal(success, true);
      assert.deepEqual(
        accounts.map((a: { alias: string; tokens: string; check: { status: string } }) => [
          a.alias,
          a.tokens,
          a.check.status,
        ]),
        [["acme", "keychain", "valid"], ["old", "keychain", "valid"]],
      );
      // Each checked with the token its keychain item holds.
      assert.deepEqual(server.to("/api/v1/me").map((r) => r.authorization).sort(), [
        `Bearer ${accessTokenOf("j@x.example")}`,
        "Bearer legacy_old_SeCrEt",
      ]);

      const human = await runCli(["accounts", "status"], { configDir: dir, env, now, keychain });
      assert.equal(human.code, 0, human.stderr);
      assert.equal(human.stdout.match(/Tokens in: OS keychain\n/g)?.length, 2, human.stdout);
      assert.doesNotMatch(human.stdout, /config file/);
      assert.equal(await readConfigText(dir), config);
    });
  });
});

Deno.test("status: Ctrl-C while the tokens are being checked -> cancelled (exit 130), not reported unreachable", async () => {
  await withAblyServer({ me: { hang: true } }, async (server) => {
    const config = buildConfig([{ alias: "acme", issuer: server.host }], "acme");
    await withConfigDir(config, async (dir) => {
      for (const format of [[], ["--json"]]) {
        server.requests.length = 0;
        const interrupt = new AbortController();
        const running = runCli(["accounts", "status", ...format], {
          configDir: dir,
          env: { ABLY_CONTROL_HOST: server.host },
          now: () => EXPIRY - 3_600_000,
          interrupt,
        });
        await until("GET /api/v1/me", () => server.to("/api/v1/me").length > 0);
        interrupt.abort();
        const run = await running;
        assert.equal(run.code, 130, run.stderr);
        assert.doesNotMatch(run.stdout + run.stderr, /unreachable|cannot be used/);
        assert.match(run.stdout + run.stderr, /Status check cancelled\./);
      }
      assert.equal(await readConfigText(dir), config);
    });
  });
});

Deno.test("status ALIAS with ABLY_ACCESS_TOKEN set: only the account named is reported (the variable's token is not a row of it), after the override warning", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([{ alias: "a" }, { alias: "b" }], "a");
    await withConfigDir(config, async (dir) => {
      const run = await runCli(["accounts", "status", "b", "--json"], {
        configDir: dir,
        env: { ABLY_CONTROL_HOST: server.host, ABLY_ACCESS_TOKEN: ENV_TOKEN },
      });
      assert.equal(run.code, 0, run.stderr);
      const records = run.records();
      assert.match(String(records[0].message), /^ABLY_ACCESS_TOKEN is set/);
      const { accounts, summary } = resultOf(records);
      assert.deepEqual(accounts.map((a: { alias: string | null }) => a.alias), ["b"]);
      assert.deepEqual(summary, { total: 1, usable: 1, problems: 0, unchecked: 0 });
      assert.deepEqual(server.to("/api/v1/me").map((r) => r.authorization), [
        "Bearer legacy_b_SeCrEt",
      ]);
    });
  });
});

Deno.test("status: ABLY_CONTROL_HOST (or --control-host) wins over an account's stored controlHost", async () => {
  await withAblyServer({}, async (stored) => {
    await withAblyServer({}, async (chosen) => {
      const config = buildConfig([{ alias: "a" }], "a").replace(
        "[accounts.a]\n",
        `[accounts.a]\ncontrolHost = "${stored.host}"\n`,
      );
      await withConfigDir(config, async (dir) => {
        for (
          const [args, env] of [
            [[], { ABLY_CONTROL_HOST: chosen.host }],
            [["--control-host", chosen.host], {}],
          ] as const
        ) {
          const run = await runCli(["accounts", "status", ...args], { configDir: dir, env });
          assert.equal(run.code, 0, run.stderr);
        }
        assert.equal(chosen.to("/api/v1/me").length, 2);
        assert.equal(stored.requests.length, 0);
        // Without either, the stored one.
        const plain = await runCli(["accounts", "status"], { configDir: dir });
        assert.equal(plain.code, 0, plain.stderr);
        assert.equal(stored.to("/api/v1/me").length, 1);
      });
    });
  });
});

Deno.test("status: a token at the very millisecond of its recorded expiry is expired (not sent); an empty refresh token is no refresh token", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([{ alias: "acme", issuer: server.host }], "acme");
    const cases = [
      { name: "refresh token", edit: (c: string) => c, status: "expired (refreshable)", code: 0 },
      {
        name: "empty refresh token",
        edit: (c: string) => c.replace(/refreshToken = "[^"]*"/, 'refreshToken = ""'),
        status: "expired",
        code: 1,
      },
    ];
    for (const { name, edit, status, code } of cases) {
      await withConfigDir(edit(config), async (dir) => {
        const run = await runCli(["accounts", "status", "--json"], {
          configDir: dir,
          env: { ABLY_CONTROL_HOST: server.host },
          now: () => EXPIRY,
        });
        assert.equal(run.code, code, `${name}: ${run.stderr}`);
        const [row] = resultOf(run.records()).accounts;
        assert.equal(row.check.status, status, name);
        assert.equal(row.refreshToken, code === 0, name);
      });
    }
    assert.equal(server.requests.length, 0);
  });
});

Deno.test("status --offline (human): each check reads 'not checked (--offline)'", async () => {
  const config = buildConfig([{ alias: "a" }, { alias: "b" }], "a");
  await withConfigDir(config, async (dir) => {
    const run = await runCli(["accounts", "status", "--offline"], { configDir: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout.match(/ {2}Check: not checked \(--offline\)\n/g)?.length,
      2,
      run.stdout,
    );
    assert.deepEqual(run.hosts, []);
  });
});

Deno.test("status: one token stored for accounts at two Control API hosts is checked at each (one request per token and host)", async () => {
  await withAblyServer({}, async (good) => {
    await withAblyServer(
      { me: { status: 401, body: { message: "Unauthorized" } } },
      async (bad) => {
        // A legacy token copied to a second account that talks to another Control API host.
        const config = buildConfig([{ alias: "a" }, { alias: "b" }], "a")
          .replace('accessToken = "legacy_b_SeCrEt"', 'accessToken = "legacy_a_SeCrEt"')
          .replace("[accounts.a]\n", `[accounts.a]\ncontrolHost = "${good.host}"\n`)
          .replace("[accounts.b]\n", `[accounts.b]\ncontrolHost = "${bad.host}"\n`);
        await withConfigDir(config, async (dir) => {
          const run = await runCli(["accounts", "status", "--json"], { configDir: dir });
          assert.equal(run.code, 1, run.stderr);
          const { accounts } = resultOf(run.records());
          assert.deepEqual(
            accounts.map((
              a: { alias: string; check: { status: string } },
            ) => [a.alias, a.check.status]),
            [["a", "valid"], ["b", "rejected"]],
          );
          assert.equal(good.to("/api/v1/me").length, 1);
          assert.equal(bad.to("/api/v1/me").length, 1);
        });
      },
    );
  });
});
