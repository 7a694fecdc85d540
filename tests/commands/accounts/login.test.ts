/** End to end: `ably accounts login` / `ably login` against a local OAuth server + Control API. */
import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/store.ts";
import {
  type AblyServerScript,
  closedHost,
  DEVICE_CODE,
  hostFlags,
  ISSUED,
  ME,
  tokenBody,
  withAblyServer,
} from "../../helpers/ably-server.ts";
import type { Reply } from "../../helpers/in-process.ts";
import {
  readConfigText,
  runCli,
  runCliOnTerminal,
  spawnCli,
  tempConfigDir,
  tempDir,
  unwrapped,
} from "../../helpers/cli.ts";
import { ALL_SECRETS, buildConfig, holdConfigLock } from "../../helpers/fixtures.ts";
import { CANCEL } from "../../helpers/in-process.ts";
import { until } from "../../helpers/deadline.ts";

const isWindows = Deno.build.os === "windows";

function records(stdout: string) {
  return stdout.trim().split("\n").map((line) => JSON.parse(line));
}

/** A fetch that does `act` (another process's change, say) as the login asks for API keys. */
function whilePickingKey(act: () => Promise<void>): typeof fetch {
  return async (input, init) => {
    if (String(input instanceof Request ? input.url : input).endsWith("/keys")) await act();
    return fetch(input, init);
  };
}

Deno.test("login --json: device flow, account, app and key stored; one event, one result", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir();
    const run = await spawnCli(["accounts", "login", "--json", ...hostFlags(server)], {
      configDir: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    const [event, result, completed] = records(run.stdout);
    assert.deepEqual(event, {
      type: "event",
      command: "accounts:login",
      status: "awaiting_authorization",
      userCode: "TEST-CODE",
      verificationUri: "https://ably.example/device",
      verificationUriComplete: "https://ably.example/device?code=TEST-CODE",
    });
    assert.deepEqual(result, {
      type: "result",
      command: "accounts:login",
      success: true,
      account: {
        alias: "test-account",
        authMethod: "oauth",
        credentials: "file",
        id: "VgQpOZ",
        name: "Test Account",
        user: { email: "jane@acme.example" },
        app: { autoSelected: true, id: "aBcDeF", name: "My App" },
        key: { autoSelected: true, id: "kEy123", name: "Root" },
      },
    });
    assert.equal(completed.exitCode, 0);

    // Control API calls carry the freshly issued token.
    for (const path of ["/api/v1/me", "/api/v1/me/accounts", "/api/v1/accounts/VgQpOZ/apps"]) {
      assert.equal(server.to(path)[0]?.authorization, `Bearer ${ISSUED.access}`, path);
    }
    const config = parseConfig(await readConfigText(dir), "config");
    assert.equal(config.current?.account, "test-account");
    const account = config.accounts!["test-account"];
    assert.equal(account.authMethod, "oauth");
    assert.equal(account.oauthSessionKey, `jane@acme.example::${server.host}`);
    assert.equal(account.currentAppId, "aBcDeF");
    assert.deepEqual({ ...account.apps!.aBcDeF }, {
      apiKey: "aBcDeF.kEy123:s3cr3tS3cr3t",
      appName: "My App",
      keyId: "kEy123",
      keyName: "Root",
    });
    const session = config.oauthSessions![account.oauthSessionKey!];
    assert.equal(session.accessToken, ISSUED.access);
    assert.equal(session.refreshToken, ISSUED.refresh);
    assert.ok(Number(session.accessTokenExpiresAt) > Date.now());
    if (!isWindows) assert.equal((await Deno.stat(`${dir}/config`)).mode! & 0o777, 0o600);
    assert.equal(server.to("/oauth/revoke").length, 0);
  });
});

Deno.test("login: human output shows the code and URL; no display, so no browser", async () => {
  await withAblyServer({
    polls: [{ status: 400, body: { error: "authorization_pending" } }, {
      status: 200,
      body: tokenBody(ISSUED.access, ISSUED.refresh),
    }],
  }, async (server) => {
    const dir = await tempConfigDir();
    const run = await runCli(["login", "--alias", "mycompany", ...hostFlags(server)], {
      configDir: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /\n {2}Your authorization code: TEST-CODE\n\n {2}Visit: https:\/\/ably\.example\/device\?code=TEST-CODE\n/,
    );
    assert.match(run.stdout, /Open the URL above in your browser to authorize\./);
    assert.match(run.stdout, /Using account Test Account \(VgQpOZ\)\./);
    assert.match(
      run.stdout,
      /Account stored with alias: mycompany\nAccount mycompany is now the current account\.\n/,
    );
    assert.match(run.stderr, /✓ Successfully logged in to Test Account \(account ID: VgQpOZ\)\./);
    assert.match(run.stderr, /✓ Automatically selected app: My App \(aBcDeF\)\./);
    assert.equal(server.to("/oauth/token").length, 2);
    const config = parseConfig(await readConfigText(dir), "config");
    assert.deepEqual(Object.keys(config.accounts!), ["mycompany"]);
  });
});

Deno.test("login: denied or expired authorization stores nothing (exit 1)", async () => {
  for (
    const [error, message] of [["access_denied", "Authorization denied"], [
      "expired_token",
      "Device code expired",
    ]]
  ) {
    await withAblyServer({ polls: [{ status: 400, body: { error } }] }, async (server) => {
      const dir = await tempConfigDir();
      const run = await runCli(["accounts", "login", "--json", ...hostFlags(server)], {
        configDir: dir,
      });
      assert.equal(run.code, 1);
      const error = records(run.stdout).find((r) => r.type === "error");
      assert.equal(error.error.message, message);
      await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
    });
  }
});

Deno.test("login: a device-code request refused by the server is a clear error", async () => {
  await withAblyServer({
    deviceCode: { status: 400, body: '{"error":"invalid_client"}' },
  }, async (refusing) => {
    const dir = await tempConfigDir();
    const run = await runCli(
      ["accounts", "login", "--json", "--oauth-host", refusing.host],
      { configDir: dir },
    );
    assert.equal(run.code, 1);
    assert.equal(
      records(run.stdout)[0].error.message,
      'Device code request failed (400): {"error":"invalid_client"}',
    );
  });
});

Deno.test("login: a failure after tokens were issued revokes them and stores nothing", async () => {
  for (
    const me of [{ status: 401, body: { message: "Unauthorized", code: 40101 } }, {
      status: 500,
      body: "boom",
    }]
  ) {
    await withAblyServer({ me }, async (server) => {
      const dir = await tempConfigDir();
      const run = await runCli(["accounts", "login", "--json", ...hostFlags(server)], {
        configDir: dir,
      });
      assert.equal(run.code, 1);
      const error = records(run.stdout).find((r) => r.type === "error");
      assert.match(error.error.message, /^API request failed \((401|500)/);
      assert.deepEqual(
        server.to("/oauth/revoke").map((r) => r.form.token).sort(),
        [ISSUED.access, ISSUED.refresh].sort(),
      );
      await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
    });
  }
});

Deno.test("login --json: alias collision is suffixed, several accounts pick the first, with warnings", async () => {
  await withAblyServer({
    accounts: {
      status: 200,
      body: [{ id: "VgQpOZ", name: "Test Account" }, { id: "Other1", name: "Other" }],
    },
    apps: { status: 200, body: [{ id: "a1", name: "One" }, { id: "a2", name: "Two" }] },
  }, async (server) => {
    const dir = await tempConfigDir(
      buildConfig([{ alias: "test-account", id: "SomeoneElse" }], "test-account"),
    );
    const run = await runCli(["accounts", "login", "--json", ...hostFlags(server)], {
      configDir: dir,
    });
    assert.equal(run.code, 0, run.stdout);
    const all = records(run.stdout);
    const warnings = all.filter((r) => r.status === "warning").map((r) => r.message);
    assert.ok(
      warnings.some((w) =>
        w.startsWith("Multiple accounts found (2); auto-selected Test Account (VgQpOZ).")
      ),
    );
    assert.ok(warnings.some((w) => w.includes('storing this login as "test-account-2"')));
    assert.ok(warnings.some((w) => w.startsWith("Multiple apps found")));
    const result = all.find((r) => r.type === "result");
    assert.equal(result.account.alias, "test-account-2");
    assert.equal(result.account.app, undefined);
    const config = parseConfig(await readConfigText(dir), "config");
    assert.deepEqual(Object.keys(config.accounts!), ["test-account", "test-account-2"]);
    assert.equal(config.accounts!["test-account"].accountId, "SomeoneElse");
    assert.equal(config.accounts!["test-account-2"].currentAppId, undefined);
  });
});

Deno.test("login --token: an existing access token is verified and stored as a token account", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir();
    const run = await runCli(
      ["accounts", "login", "--token", "--json", "--control-host", server.host],
      { configDir: dir, env: { ABLY_ACCESS_TOKEN: "ci_token_SeCrEt" } },
    );
    assert.equal(run.code, 0, run.stdout);
    assert.equal(server.to("/api/v1/me")[0].authorization, "Bearer ci_token_SeCrEt");
    assert.equal(server.to("/oauth/authorize_device").length, 0);
    const config = parseConfig(await readConfigText(dir), "config");
    const account = config.accounts!["test-account"];
    assert.equal(account.accessToken, "ci_token_SeCrEt");
    assert.equal(account.authMethod, undefined);
    assert.equal(records(run.stdout).find((r) => r.type === "result").account.authMethod, "token");
  });
  const dir = await tempConfigDir();
  const missing = await runCli(["accounts", "login", "--token"], { configDir: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--token needs a token/);
});

Deno.test("login --token - and a hidden question: the token never needs to be in argv", async () => {
  await withAblyServer({}, async (server) => {
    const cases = [
      { name: "first line of stdin", args: ["--token", "-"], stdin: "piped_tok_SeCrEt\nrest\n" },
      {
        name: "asked with hidden input",
        args: ["--token"],
        replies: [{ type: "typed_tok_SeCrEt" }],
      },
    ];
    for (const { name, args, stdin, replies } of cases) {
      const dir = await tempConfigDir();
      const secrets = [...ALL_SECRETS, "piped_tok_SeCrEt", "typed_tok_SeCrEt"];
      const run = await runCli(["accounts", "login", ...args, "--control-host", server.host], {
        configDir: dir,
        ...(stdin !== undefined ? { stdin } : {}),
        ...(replies ? { replies } : {}),
        secrets,
      });
      assert.equal(run.code, 0, `${name}: ${run.stderr}`);
      const token = stdin !== undefined ? "piped_tok_SeCrEt" : "typed_tok_SeCrEt";
      assert.equal(server.to("/api/v1/me").at(-1)!.authorization, `Bearer ${token}`, name);
      if (replies) {
        assert.deepEqual(run.questions.slice(0, 1), ["Paste your access token (input is hidden):"]);
      }
      const config = parseConfig(await readConfigText(dir), "config");
      assert.equal(config.accounts!["test-account"].accessToken, token, name);
    }
    const dir = await tempConfigDir();
    const empty = await runCli(["accounts", "login", "--token", "-"], {
      configDir: dir,
      stdin: "",
    });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /--token - reads the token from standard input, which was empty/);
  });
});

Deno.test("login: an invalid --alias is a usage error before any request", async () => {
  const dir = await tempConfigDir();
  const run = await runCli([
    "accounts",
    "login",
    "--alias",
    "9lives",
    "--oauth-host",
    "127.0.0.1:9",
  ], {
    configDir: dir,
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /An alias must start with a letter/);
  assert.doesNotMatch(run.stderr, /9lives/); // never echoed: it may be a token
});

Deno.test("ably login: the same command under its own id", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir();
    const run = await runCli(["login", "--json", ...hostFlags(server)], { configDir: dir });
    assert.equal(run.code, 0);
    for (const record of records(run.stdout)) assert.equal(record.command, "login");
    const help = await runCli(["login", "--help"], { configDir: dir });
    assert.match(help.stdout, /Log in to your Ably account \(alias for "ably accounts login"\)/);
    assert.match(help.stdout, /--alias/);
    assert.match(help.stdout, /--no-browser {2,}Do not open a browser/);
  });
});

Deno.test("login on a terminal: Ctrl-C while waiting cancels with exit 130, nothing stored", {
  ignore: isWindows,
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await withAblyServer(
    { polls: [{ status: 400, body: { error: "authorization_pending" } }] },
    async (server) => {
      const dir = await tempConfigDir();
      const { code, output } = await runCliOnTerminal(["accounts", "login", ...hostFlags(server)], {
        configDir: dir,
        steps: [["Waiting for authorization", "\x03"]],
      });
      assert.equal(code, 130, output);
      assert.match(output, /Login cancelled; nothing was stored\./);
      await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
    },
  );
});

Deno.test("login on a terminal: pick the second account, decline creating an app", {
  ignore: isWindows,
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await withAblyServer({
    accounts: { status: 200, body: [ME.account, { id: "Xy12Ab", name: "Acme Staging" }] },
    apps: { status: 200, body: [] },
  }, async (server) => {
    const dir = await tempConfigDir();
    const { code, output } = await runCliOnTerminal(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      steps: [["Select an account", "\x1b[B\r"], ["create your first app", "n\r"]],
    });
    assert.equal(code, 0, output);
    assert.match(output, /Using account .*Acme Staging.* \(Xy12Ab\)\./);
    const config = parseConfig(await readConfigText(dir), "config");
    assert.deepEqual(Object.keys(config.accounts!), ["acme-staging"]);
    assert.equal(config.accounts!["acme-staging"].accountId, "Xy12Ab");
    assert.equal(server.to("/api/v1/accounts/Xy12Ab/apps").length, 1);
  });
});

Deno.test("login again: the tokens the new login replaced are revoked at their issuer", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir(
      buildConfig([{
        alias: "test-account",
        id: "VgQpOZ",
        issuer: server.host,
        email: "jane@acme.example",
      }], "test-account"),
    );
    const run = await runCli(["accounts", "login", "--json", ...hostFlags(server)], {
      configDir: dir,
    });
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual(
      server.to("/oauth/revoke").map((r) => r.form.token).sort(),
      ["at_jane@acme.example_SeCrEt", "rt_jane@acme.example_SeCrEt"],
    );
    const config = parseConfig(await readConfigText(dir), "config");
    const session = config.oauthSessions![`jane@acme.example::${server.host}`];
    assert.equal(session.accessToken, ISSUED.access);
  });
});

Deno.test("login on a terminal: Ctrl-C after the tokens were issued revokes them", {
  ignore: isWindows,
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await withAblyServer({ me: { hang: true } }, async (server) => {
    const dir = await tempConfigDir();
    const { code, output } = await runCliOnTerminal(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      steps: [["Authentication successful", "\x03"]],
    });
    assert.equal(code, 130, output);
    assert.match(output, /the issued tokens were revoked and nothing was stored/);
    assert.deepEqual(
      server.to("/oauth/revoke").map((r) => r.form.token).sort(),
      [ISSUED.access, ISSUED.refresh].sort(),
    );
    await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
  });
});

Deno.test("login: server text shown on the terminal has no control characters", async () => {
  await withAblyServer({
    deviceCode: {
      status: 200,
      body: {
        ...DEVICE_CODE,
        user_code: "AB\x1b]0;pwned\x07CD",
        verification_uri: "file:///etc/passwd",
        verification_uri_complete: "file:///etc/passwd\x1b[2J",
        expires_in: 1,
      },
    },
    polls: [{ status: 400, body: { error: "access_denied" } }],
  }, async (evil) => {
    const dir = await tempConfigDir();
    const run = await runCli(["accounts", "login", "--oauth-host", evil.host], {
      configDir: dir,
      env: { DISPLAY: ":0" },
    });
    assert.equal(run.code, 1);
    assert.ok(!run.stdout.includes("\x1b") && !run.stdout.includes("\x07"), run.stdout);
    assert.match(run.stdout, /Your authorization code: AB \]0;pwned CD/);
    // Not a web address: never handed to the desktop opener, even with a display.
    assert.doesNotMatch(run.stdout, /Opening /);
  });
});

Deno.test("login: a Control API error keeps its status, Ably error code, help link and hint", async () => {
  await withAblyServer({
    me: {
      status: 401,
      body: { message: "Token expired", code: 40101, href: "https://help.ably.io/error/40101" },
    },
  }, async (server) => {
    const dir = await tempConfigDir();
    const json = await runCli(["accounts", "login", "--json", ...hostFlags(server)], {
      configDir: dir,
    });
    assert.equal(json.code, 1);
    const error = records(json.stdout).find((r) => r.type === "error");
    assert.deepEqual(error, {
      type: "error",
      command: "accounts:login",
      success: false,
      errorCode: 40101,
      helpUrl: "https://help.ably.io/error/40101",
      error: {
        message: "API request failed (401 Unauthorized): Token expired",
        code: 40101,
        statusCode: 401,
        hint: 'Check your API key or token, or re-authenticate with "ably login".',
      },
    });
    const human = await runCli(["accounts", "login", ...hostFlags(server)], { configDir: dir });
    assert.match(
      unwrapped(human.stderr),
      /Ably error code: 40101 \(https:\/\/help\.ably\.io\/error\/40101\)/,
    );
  });
});

const onTerminal = { ignore: isWindows, sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "login on a terminal: alias clash asks for another alias; app and key pick lists",
  onTerminal,
  async () => {
    await withAblyServer({
      apps: { status: 200, body: [{ id: "app1", name: "One" }, { id: "app2", name: "Two" }] },
      keys: {
        status: 200,
        body: [
          { id: "k1", name: "Root", key: "app2.k1:s3cr3tS3cr3t" },
          { id: "k2", name: "", key: "app2.k2:s3cr3tS3cr3t" },
        ],
      },
    }, async (server) => {
      const dir = await tempConfigDir(
        buildConfig([{ alias: "test-account", id: "SomeoneElse" }], "test-account"),
      );
      const { code, output } = await runCliOnTerminal(["accounts", "login", ...hostFlags(server)], {
        configDir: dir,
        steps: [
          ["Enter an alias", "mine\r"],
          ["Select an app", "\x1b[B\r"],
          ["Select a key", "\x1b[B\r"],
        ],
      });
      assert.equal(code, 0, output);
      assert.match(
        output,
        /Alias "test-account" is already used by a different account \(Account test-account, SomeoneElse\)/,
      );
      assert.match(output, /Selected app: Two \(app2\)\./);
      assert.match(output, /Selected API key: Unnamed key \(k2\)\./);
      const config = parseConfig(await readConfigText(dir), "config");
      assert.deepEqual(Object.keys(config.accounts!), ["test-account", "mine"]);
      assert.equal(config.current?.account, "mine");
      assert.equal(config.accounts!.mine.currentAppId, "app2");
      assert.deepEqual({ ...config.accounts!.mine.apps!.app2 }, {
        apiKey: "app2.k2:s3cr3tS3cr3t",
        appName: "Two",
        keyId: "k2",
        keyName: "Unnamed key",
      });
    });
  },
);

Deno.test("login on a terminal: no apps -> create the first one", onTerminal, async () => {
  await withAblyServer({ apps: { status: 200, body: [] } }, async (server) => {
    const dir = await tempConfigDir();
    const { code, output } = await runCliOnTerminal(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      steps: [["create your first app", "y\r"], ["name for your app", "Fresh\r"]],
    });
    assert.equal(code, 0, output);
    assert.match(output, /App created successfully\./);
    assert.deepEqual(server.to("/api/v1/accounts/VgQpOZ/apps").at(-1)?.json, {
      name: "Fresh",
      tlsOnly: true,
    });
    const config = parseConfig(await readConfigText(dir), "config");
    assert.equal(config.accounts!["test-account"].currentAppId, "NeWaPp");
  });
});

Deno.test("login: names from the Control API reach neither terminal nor file with control characters", async () => {
  await withAblyServer({
    me: {
      status: 200,
      body: { account: { id: "VgQpOZ", name: "Evil\x1b[2J Co" }, user: { email: "j@x.example" } },
    },
    accounts: { status: 200, body: [{ id: "VgQpOZ", name: "Evil\x1b[2J Co" }] },
    apps: { status: 200, body: [] },
  }, async (server) => {
    const dir = await tempConfigDir();
    const run = await runCli(["accounts", "login", ...hostFlags(server)], { configDir: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!(run.stdout + run.stderr).includes("\x1b"));
    assert.match(run.stdout, /Using account Evil \[2J Co \(VgQpOZ\)\./);
    assert.ok(!(await readConfigText(dir)).includes("\\u001b"));
  });
});

Deno.test("login: Ctrl-C while the login is being written never revokes the tokens it stores", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir();
    // Another ably process holds the config lock, so the write waits.
    const lock = await holdConfigLock(dir);
    const interrupt = new AbortController();
    const login = runCli(["accounts", "login", "--json", ...hostFlags(server)], {
      configDir: dir,
      interrupt,
    });
    await until("the keys request", () => server.requests.some((r) => r.path.endsWith("/keys")));
    await new Promise((resolve) => setTimeout(resolve, 300)); // now waiting for the lock
    interrupt.abort(); // Ctrl-C
    await lock.release();
    const run = await login;
    assert.equal(run.code, 0, run.stdout);
    const config = parseConfig(await readConfigText(dir), "config");
    const session = Object.values(config.oauthSessions!)[0];
    assert.equal(session.accessToken, ISSUED.access);
    assert.equal(server.to("/oauth/revoke").length, 0);
  });
});

Deno.test("login: Ctrl-C before the write revokes the issued tokens and stores nothing", async () => {
  await withAblyServer({ keys: { hang: true } }, async (server) => {
    const dir = await tempConfigDir();
    const interrupt = new AbortController();
    const login = runCli(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      interrupt,
    });
    await until("the keys request", () => server.requests.some((r) => r.path.endsWith("/keys")));
    interrupt.abort();
    const run = await login;
    assert.equal(run.code, 130);
    assert.match(
      run.stderr,
      /Login cancelled; the issued tokens were revoked and nothing was stored\./,
    );
    assert.deepEqual(
      server.to("/oauth/revoke").map((r) => r.form.token).sort(),
      [ISSUED.access, ISSUED.refresh].sort(),
    );
    await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
  });
});

// --- never overwrite a different account by default ------------------------------------

Deno.test("login --alias naming a different account's alias: an error without a terminal, unless --force", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([{ alias: "taken", id: "SomeoneElse" }], "taken");
    const dir = await tempConfigDir(config);
    const refused = await runCli(["accounts", "login", "--alias", "taken", ...hostFlags(server)], {
      configDir: dir,
    });
    assert.equal(refused.code, 1);
    assert.match(
      unwrapped(refused.stderr),
      /Alias "taken" is already used by a different account \(Account taken, SomeoneElse\)\. Use another --alias, or add --force to replace that account\./,
    );
    assert.equal(await readConfigText(dir), config);
    // The tokens issued for the refused login are not left valid.
    assert.equal(server.to("/oauth/revoke").length, 2);

    const forced = await runCli(
      ["accounts", "login", "--alias", "taken", "--force", "--json", ...hostFlags(server)],
      { configDir: dir },
    );
    assert.equal(forced.code, 0, forced.stdout);
    const after = parseConfig(await readConfigText(dir), "config");
    assert.equal(after.accounts!.taken.accountId, ME.account.id);
  });
});

Deno.test("login on a terminal: a taken derived alias defaults to a free one; replacing needs a yes", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([{ alias: "test-account", id: "SomeoneElse" }], "test-account");
    const dir = await tempConfigDir(config);
    const enter = await runCli(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      replies: [{ type: "" }], // Enter: the offered default
    });
    assert.equal(enter.code, 0, enter.stderr);
    assert.ok(enter.questions.includes("Enter an alias for this account:"));
    let after = parseConfig(await readConfigText(dir), "config");
    assert.deepEqual(Object.keys(after.accounts!), ["test-account", "test-account-2"]);
    assert.equal(after.accounts!["test-account"].accountId, "SomeoneElse");

    await Deno.writeTextFile(`${dir}/config`, config);
    const declined = await runCli(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      replies: [{ type: "test-account" }, "no", { type: "mine" }],
    });
    assert.equal(declined.code, 0, declined.stderr);
    assert.ok(
      declined.questions.includes(
        'Replace the account Account test-account, SomeoneElse stored as "test-account"?',
      ),
      declined.questions.join("\n"),
    );
    after = parseConfig(await readConfigText(dir), "config");
    assert.deepEqual(Object.keys(after.accounts!), ["test-account", "mine"]);

    await Deno.writeTextFile(`${dir}/config`, config);
    const replaced = await runCli(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      replies: [{ type: "test-account" }, "yes"],
    });
    assert.equal(replaced.code, 0, replaced.stderr);
    after = parseConfig(await readConfigText(dir), "config");
    assert.deepEqual(Object.keys(after.accounts!), ["test-account"]);
    assert.equal(after.accounts!["test-account"].accountId, ME.account.id);
  });
});

Deno.test("login: logging in again to the same account under its alias needs no question", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir(buildConfig([{ alias: "test-account", id: ME.account.id }]));
    const run = await runCli(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      replies: [],
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.questions, []);
  });
});

Deno.test("login: issued tokens that cannot be revoked after a failure or Ctrl-C are named as still valid", async () => {
  const cases: {
    name: string;
    script: AblyServerScript;
    replies?: Reply[];
    code: number;
    warning: RegExp;
  }[] = [
    {
      name: "failure",
      script: { me: { status: 500, body: "boom" } },
      code: 1,
      warning:
        /The tokens issued for this login could not be revoked \(Token revocation failed \(500\): revocation down\); they stay valid until they expire\./,
    },
    {
      name: "Ctrl-C",
      script: { accounts: { status: 200, body: [ME.account, { id: "X2", name: "Other" }] } },
      replies: [CANCEL],
      code: 130,
      warning:
        /Login cancelled; nothing was stored, but the issued tokens could not be revoked \(Token revocation failed \(500\): revocation down\) and stay valid until they expire\./,
    },
  ];
  for (const { name, script, replies, code, warning } of cases) {
    await withAblyServer(
      { ...script, revoke: { status: 500, body: "revocation down" } },
      async (server) => {
        const dir = await tempConfigDir();
        const run = await runCli(["accounts", "login", ...hostFlags(server)], {
          configDir: dir,
          replies,
        });
        assert.equal(run.code, code, `${name}: ${run.stderr}`);
        assert.match(run.stderr.replace(/\s+/g, " "), warning, name);
        assert.equal(server.to("/oauth/revoke").length, 2, name);
        await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound, name);
      },
    );
  }
});

Deno.test("login --token on a terminal: Ctrl-C at a question stores nothing and revokes nothing", async () => {
  await withAblyServer({
    accounts: { status: 200, body: [ME.account, { id: "X2", name: "Other" }] },
  }, async (server) => {
    const dir = await tempConfigDir();
    const run = await runCli([
      "accounts",
      "login",
      "--token",
      "ci_token_SeCrEt",
      ...hostFlags(server),
    ], {
      configDir: dir,
      replies: [CANCEL],
    });
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /Login cancelled; nothing was stored\./);
    // The token was the user's before the login: not ours to revoke.
    assert.equal(server.to("/oauth/revoke").length, 0);
    await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
  });
});

Deno.test("login --token over an OAuth login under the same alias: the old session is revoked, the app kept", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir(
      buildConfig([{
        alias: "test-account",
        id: ME.account.id,
        issuer: server.host,
        email: "jane@acme.example",
      }], "test-account"),
    );
    const first = await runCli(["accounts", "login", "--json", ...hostFlags(server)], {
      configDir: dir,
    });
    assert.equal(first.code, 0, first.stdout);
    const revokedBefore = server.to("/oauth/revoke").length;
    const run = await runCli(
      [
        "accounts",
        "login",
        "--token",
        "ci_token_SeCrEt",
        "--endpoint",
        "https://rest.acme.example",
        "--json",
        "--control-host",
        server.host,
        "--oauth-host",
        server.host,
      ],
      { configDir: dir },
    );
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual(
      server.to("/oauth/revoke").slice(revokedBefore).map((r) => r.form.token).sort(),
      [ISSUED.access, ISSUED.refresh].sort(),
    );
    const config = parseConfig(await readConfigText(dir), "config");
    assert.equal(config.oauthSessions, undefined);
    const account = config.accounts!["test-account"];
    assert.equal(account.accessToken, "ci_token_SeCrEt");
    assert.equal(account.authMethod, undefined);
    assert.equal(account.endpoint, "https://rest.acme.example");
    assert.equal(account.currentAppId, "aBcDeF");
    assert.equal(account.apps?.aBcDeF?.keyId, "kEy123");
  });
});

Deno.test("login: when the browser cannot be opened, it says so and shows the URL to open by hand", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir();
    // The in-process host's opener always fails, as xdg-open does without a desktop browser.
    const run = await runCli(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      env: { DISPLAY: ":0" },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Visit: https:\/\/ably\.example\/device\?code=TEST-CODE/);
    assert.match(
      run.stdout,
      /Opening https:\/\/ably\.example\/device\?code=TEST-CODE in your browser/,
    );
    assert.match(run.stderr, /Could not open a browser: open the URL above by hand to authorize\./);
  });
});

// --- never store what could not be saved, never leave what was not stored -------------

Deno.test("login: a read-only config is refused before anything is authorized", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([{ alias: "other", id: "Other1" }], "other");
    const dir = await tempConfigDir(config);
    await Deno.chmod(`${dir}/config`, 0o444);
    const run = await runCli(["accounts", "login", ...hostFlags(server)], { configDir: dir });
    assert.equal(run.code, 1);
    assert.match(unwrapped(run.stderr), /is read-only .*chmod u\+w/);
    assert.deepEqual(server.requests, []);
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test("login: a write that fails after authorization revokes the issued tokens", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([{ alias: "other", id: "Other1" }], "other");
    const dir = await tempConfigDir(config);
    const run = await runCli(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      fetch: whilePickingKey(async () => {
        await Deno.chmod(`${dir}/config`, 0o444);
      }),
    });
    assert.equal(run.code, 1);
    assert.match(unwrapped(run.stderr), /is read-only/);
    assert.deepEqual(
      server.to("/oauth/revoke").map((r) => r.form.token).sort(),
      [ISSUED.access, ISSUED.refresh].sort(),
    );
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test("login: an alias another process took meanwhile is not overwritten", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir(buildConfig([{ alias: "other", id: "Other1" }], "other"));
    const taken = buildConfig([{ alias: "other", id: "Other1" }, {
      alias: "test-account",
      id: "Racer1",
    }], "other");
    const run = await runCli(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      fetch: whilePickingKey(async () => {
        await Deno.writeTextFile(`${dir}/config`, taken);
      }),
    });
    assert.equal(run.code, 1);
    assert.match(
      unwrapped(run.stderr),
      /Alias "test-account" was just taken by another ably process \(account Racer1\)/,
    );
    assert.equal(await readConfigText(dir), taken);
    assert.equal(server.to("/oauth/revoke").length, 2);
  });
});

Deno.test("login: an alias freed meanwhile (logged out by another process) is simply used", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir(buildConfig([{ alias: "mine", id: "Other1" }], "mine"));
    const run = await runCli([
      "accounts",
      "login",
      "--alias",
      "mine",
      "--force",
      ...hostFlags(server),
    ], {
      configDir: dir,
      fetch: whilePickingKey(async () => {
        await Deno.writeTextFile(`${dir}/config`, "[accounts]\n[current]\n");
      }),
    });
    assert.equal(run.code, 0, run.stderr);
    const config = parseConfig(await readConfigText(dir), "config");
    assert.equal(config.accounts!.mine.accountId, ME.account.id);
    assert.equal(server.to("/oauth/revoke").length, 0);
  });
});

Deno.test("login: checking the config can be saved creates nothing", async () => {
  const root = await tempDir();
  const dir = `${root}/nested/.ably`;
  const run = await runCli(["accounts", "login", "--oauth-host", await closedHost()], {
    configDir: dir,
  });
  assert.equal(run.code, 1);
  await assert.rejects(Deno.stat(`${root}/nested`), Deno.errors.NotFound);
});
