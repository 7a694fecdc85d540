/**
 * End to end: `ably accounts list`, the real CLI against a temp config dir. It
 * reads the config only: no network, no writes.
 */
import assert from "node:assert/strict";
import { startAblyServer } from "../../helpers/ably-server.ts";
import { readConfigText, resultOf, runCli, tempConfigDir, unwrapped } from "../../helpers/cli.ts";
import { buildConfig, SAMPLE_LEGACY, SAMPLE_OAUTH, SAMPLE_SHARED } from "../../helpers/fixtures.ts";

const NO_ACCOUNTS = 'No accounts configured. Run "ably accounts login" to add an account.';

/** SAMPLE_SHARED with acme-ltd current and its app named, so every line shows. */
const TWO_ACCOUNTS = SAMPLE_SHARED
  .replace('account = "acme-staging"', 'account = "acme-ltd"')
  .replace('keyName = "Root"\n', 'keyName = "Root"\nappName = "My App"\n');

Deno.test("list: no accounts -> exit 1, points at `ably accounts login`; nothing created", async () => {
  for (const config of [undefined, "[accounts]\n", "[accounts]\n[current]\n"]) {
    const dir = await tempConfigDir(config);
    const { code, stdout, stderr } = await runCli(["accounts", "list"], { configDir: dir });
    assert.equal(code, 1, String(config));
    assert.equal(stdout, "");
    assert.match(unwrapped(stderr), /No accounts configured/);
    assert.match(unwrapped(stderr), /ably accounts login/);
    assert.equal(unwrapped(stderr), ` ›   Error: ${NO_ACCOUNTS}\n`);
    if (config === undefined) {
      await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
    } else {
      assert.equal(await readConfigText(dir), config);
    }
  }
});

Deno.test("list --json: no accounts -> one error record with `accounts: []`, then completed 1", async () => {
  const dir = await tempConfigDir();
  const { code, records, stderr } = await runCli(["accounts", "list", "--json"], {
    configDir: dir,
  });
  assert.equal(code, 1);
  assert.equal(stderr, "");
  assert.deepEqual(records(), [
    {
      type: "error",
      command: "accounts:list",
      success: false,
      accounts: [],
      error: { message: NO_ACCOUNTS },
    },
    { type: "status", command: "accounts:list", status: "completed", exitCode: 1 },
  ]);
});

Deno.test("list: two accounts, human -> every field, current marked, file order", async () => {
  const dir = await tempConfigDir(TWO_ACCOUNTS);
  const { code, stdout, stderr } = await runCli(["accounts", "list"], { configDir: dir });
  assert.equal(code, 0);
  assert.equal(stderr, "");
  assert.equal(
    stdout,
    [
      "Found 2 accounts:",
      "",
      "▶ Account: acme-ltd (current)",
      "  Name: Acme Ltd (VgQpOZ)",
      "  User: jane@acme.example",
      "  Apps configured: 1",
      "  Current app: My App (aBcDeF)",
      "",
      "  Account: acme-staging",
      "  Name: Acme Staging (Xy12Ab)",
      "  User: jane@acme.example",
      "  Apps configured: 0",
      "",
      "",
    ].join("\n"),
  );
  assert.equal(stdout.match(/\(current\)/g)?.length, 1);
  assert.equal(stdout.match(/Current app:/g)?.length, 1);
});

Deno.test("list: the current app is shown only for the current account; name falls back to id", async () => {
  // acme-staging is current here and has no app; acme-ltd's currentAppId must not show.
  const dir = await tempConfigDir(SAMPLE_SHARED);
  const { code, stdout } = await runCli(["accounts", "list"], { configDir: dir });
  assert.equal(code, 0);
  assert.match(stdout, /^ {2}Account: acme-ltd\n/m);
  assert.match(stdout, /^▶ Account: acme-staging \(current\)\n/m);
  assert.doesNotMatch(stdout, /Current app/);

  const one = await runCli(["accounts", "list"], { configDir: await tempConfigDir(SAMPLE_OAUTH) });
  assert.match(one.stdout, /^ {2}Current app: aBcDeF \(aBcDeF\)$/m);
});

Deno.test("list: one account -> `Found 1 account:` (singular)", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const { code, stdout } = await runCli(["accounts", "list"], { configDir: dir });
  assert.equal(code, 0);
  assert.match(stdout, /^Found 1 account:\n\n▶ Account: acme-ltd \(current\)\n/);
  assert.doesNotMatch(stdout, /accounts:/);
});

Deno.test("list: accounts with missing name, id or email never print `undefined`", async () => {
  const config = [
    "[accounts.bare]",
    "[accounts.id-only]",
    'accountId = "Id0nLy"',
    "",
    "[accounts.name-only]",
    'accountName = "Only A Name"',
    "",
    "[accounts.name-only.apps]",
    "[current]",
    'account = "bare"',
    "",
  ].join("\n");
  const dir = await tempConfigDir(config);
  const human = await runCli(["accounts", "list"], { configDir: dir });
  assert.equal(human.code, 0);
  assert.doesNotMatch(human.stdout + human.stderr, /undefined|null|NaN/);
  assert.equal(
    human.stdout,
    [
      "Found 3 accounts:",
      "",
      "▶ Account: bare (current)",
      "  Apps configured: 0",
      "",
      "  Account: id-only",
      "  Name: (no name) (Id0nLy)",
      "  Apps configured: 0",
      "",
      "  Account: name-only",
      "  Name: Only A Name",
      "  Apps configured: 0",
      "",
      "",
    ].join("\n"),
  );

  const json = await runCli(["accounts", "list", "--json"], { configDir: dir });
  assert.equal(json.code, 0);
  assert.deepEqual(resultOf(json.records()).accounts, [
    { alias: "bare", appsConfigured: 0, credentials: "file", isCurrent: true },
    { alias: "id-only", appsConfigured: 0, credentials: "file", id: "Id0nLy", isCurrent: false },
    {
      alias: "name-only",
      appsConfigured: 0,
      credentials: "file",
      isCurrent: false,
      name: "Only A Name",
    },
  ]);
  assert.equal(await readConfigText(dir), config);
});

Deno.test("list --json: the official shape, `user` a plain string, currentApp only on the current", async () => {
  const dir = await tempConfigDir(TWO_ACCOUNTS);
  const { code, records, stderr } = await runCli(["accounts", "list", "--json"], {
    configDir: dir,
  });
  assert.equal(code, 0);
  assert.equal(stderr, "");
  assert.deepEqual(records(), [
    {
      type: "result",
      command: "accounts:list",
      success: true,
      accounts: [
        {
          alias: "acme-ltd",
          appsConfigured: 1,
          currentApp: { id: "aBcDeF", name: "My App" },
          credentials: "file",
          id: "VgQpOZ",
          isCurrent: true,
          name: "Acme Ltd",
          user: "jane@acme.example",
        },
        {
          alias: "acme-staging",
          appsConfigured: 0,
          credentials: "file",
          id: "Xy12Ab",
          isCurrent: false,
          name: "Acme Staging",
          user: "jane@acme.example",
        },
      ],
      currentAccount: "acme-ltd",
    },
    { type: "status", command: "accounts:list", status: "completed", exitCode: 0 },
  ]);
  // Keys in the official order, not just the same set (plus `credentials`, ours).
  assert.deepEqual(
    Object.keys(resultOf(records()).accounts[0]),
    ["alias", "appsConfigured", "currentApp", "credentials", "id", "isCurrent", "name", "user"],
  );
});

Deno.test("list --json: no current account (or a dangling one) -> no `currentAccount`, none current", async () => {
  const config = buildConfig([{ alias: "a" }, { alias: "b" }]);
  for (const text of [config, config.replace("[current]\n", '[current]\naccount = "gone"\n')]) {
    const dir = await tempConfigDir(text);
    const { code, records } = await runCli(["accounts", "list", "--json"], { configDir: dir });
    assert.equal(code, 0);
    const result = resultOf(records());
    assert.equal("currentAccount" in result, false);
    assert.deepEqual(result.accounts.map((a: { isCurrent: boolean }) => a.isCurrent), [
      false,
      false,
    ]);
  }
});

Deno.test("list --pretty-json: indented, same record", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const { code, stdout } = await runCli(["accounts", "list", "--pretty-json"], {
    configDir: dir,
  });
  assert.equal(code, 0);
  assert.match(stdout, /^\{\n {2}"type": "result",\n {2}"command": "accounts:list",/);
  assert.match(stdout, /\n {2}"currentAccount": "acme-ltd"\n\}\n/);
});

Deno.test("list: no network request, even with expired tokens and hosts pointing at a server; no writes", async () => {
  const server = startAblyServer();
  try {
    const config = buildConfig([
      { alias: "oauth", issuer: server.host, oauthHost: server.host },
      { alias: "legacy" },
    ], "oauth"); // buildConfig's sessions expired long ago
    const dir = await tempConfigDir(config);
    const before = await Deno.stat(`${dir}/config`);
    const env = { ABLY_CONTROL_HOST: server.host, ABLY_OAUTH_HOST: server.host };
    for (const args of [["accounts", "list"], ["accounts", "list", "--json"]]) {
      const run = await runCli([...args, "--verbose"], { configDir: dir, env });
      assert.equal(run.code, 0, run.stderr);
    }
    assert.deepEqual(server.requests, []);
    assert.equal(await readConfigText(dir), config);
    const after = await Deno.stat(`${dir}/config`);
    assert.equal(after.mtime?.getTime(), before.mtime?.getTime());
    assert.equal(after.ino, before.ino);
    // Not even a lock file or a temp file.
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names, ["config"]);
  } finally {
    await server.close();
  }
});

Deno.test("list: a malformed config -> exit 1, `not valid TOML`, file untouched", async () => {
  const broken = '[accounts.a]\naccountId = "x\n';
  const dir = await tempConfigDir(broken);
  const human = await runCli(["accounts", "list"], { configDir: dir });
  assert.equal(human.code, 1);
  assert.match(unwrapped(human.stderr), /is not valid TOML at line 2/);
  const json = await runCli(["accounts", "list", "--json"], { configDir: dir });
  assert.equal(json.code, 1);
  assert.match(resultOf(json.records()).error.message, /not valid TOML/);
  assert.equal(await readConfigText(dir), broken);
});

Deno.test({
  name: "list: a legacy `[current] app` is the current account's current app",
  async fn() {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    const { code, stdout } = await runCli(["accounts", "list"], { configDir: dir });
    assert.equal(code, 0);
    assert.match(stdout, /^ {2}Current app: My App \(aBcDeF\)$/m);
    const json = await runCli(["accounts", "list", "--json"], { configDir: dir });
    assert.deepEqual(resultOf(json.records()).accounts[0].currentApp, {
      id: "aBcDeF",
      name: "My App",
    });
    assert.equal(await readConfigText(dir), SAMPLE_LEGACY);
  },
});

Deno.test("list: an empty email is kept, as the official CLI shows it", async () => {
  const config = buildConfig([{ alias: "acme", email: "" }], "acme");
  assert.match(config, /userEmail = ""/);
  const dir = await tempConfigDir(config);
  const json = await runCli(["accounts", "list", "--json"], { configDir: dir });
  assert.equal(resultOf(json.records()).accounts[0].user, "");
  const human = await runCli(["accounts", "list"], { configDir: dir });
  assert.match(human.stdout, /^ {2}User: $/m);
});

Deno.test("list -v on a broken config: the error once", async () => {
  const dir = await tempConfigDir("not = [toml");
  const run = await runCli(["accounts", "list", "-v"], { configDir: dir });
  assert.equal(run.code, 1);
  assert.equal(unwrapped(run.stderr).match(/not valid TOML/g)?.length, 1, run.stderr);
});
