/**
 * End to end: `ably accounts switch`, the real CLI against a temp config dir and
 * a real HTTP server on 127.0.0.1 playing the Control API, piped and on a
 * pseudo-terminal.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/toml.ts";
import {
  actingAt,
  hostFlags,
  ME,
  startAblyServer,
  withAblyServer,
} from "../../helpers/ably-server.ts";
import {
  readConfigText,
  resultOf,
  runCli,
  runCliOnTerminal,
  tempConfigDir,
  unwrapped,
} from "../../helpers/cli.ts";
import { until } from "../../helpers/deadline.ts";
import { FakeKeychain } from "../../helpers/fake-keychain.ts";
import { aliasesIn, buildConfig, holdConfigLock, withControlHost } from "../../helpers/fixtures.ts";

const isWindows = Deno.build.os === "windows";
const FUTURE = "accessTokenExpiresAt = 4102444800000";

/** Two legacy accounts, `first` current. */
const TWO = buildConfig([
  { alias: "first", id: "Fr1st0", name: "First Co" },
  { alias: "second", id: "VgQpOZ", name: "Second Co" },
], "first");

/** The config with `alias` current instead, byte for byte. */
function switchedTo(config: string, alias: string): string {
  const switched = config.replace(
    /\[current\]\naccount = "[^"]*"\n/,
    `[current]\naccount = "${alias}"\n`,
  );
  assert.notEqual(switched, config);
  return switched;
}

// --- switching by name ---------------------------------------------------------------

/** What the errors list for the TWO config. */
const AVAILABLE_IN_TWO = [
  { alias: "first", id: "Fr1st0", name: "First Co" },
  { alias: "second", id: "VgQpOZ", name: "Second Co" },
];

Deno.test("switch --json: by alias and by account ID -> current changed, result from /me", async () => {
  await withAblyServer({}, async (server) => {
    for (const arg of ["second", "VgQpOZ"]) {
      const dir = await tempConfigDir(TWO);
      const { code, records, stderr } = await runCli(
        ["accounts", "switch", arg, "--json", "--control-host", server.host],
        { configDir: dir },
      );
      assert.equal(code, 0, arg);
      assert.equal(stderr, "");
      assert.deepEqual(records(), [
        {
          type: "result",
          command: "accounts:switch",
          success: true,
          account: {
            alias: "second",
            id: ME.account.id,
            name: ME.account.name,
            user: { email: ME.user.email },
          },
        },
        { type: "status", command: "accounts:switch", status: "completed", exitCode: 0 },
      ]);
      assert.equal(await readConfigText(dir), switchedTo(TWO, "second"));
    }
    // Verified with the token of the account switched to.
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.authorization]),
      [
        ["GET", "/api/v1/me", "Bearer legacy_second_SeCrEt"],
        ["GET", "/api/v1/me", "Bearer legacy_second_SeCrEt"],
      ],
    );
  });
});

Deno.test("switch: human -> success on stderr, the user on stdout", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir(TWO);
    const { code, stdout, stderr } = await runCli(
      ["accounts", "switch", "second", "--control-host", server.host],
      { configDir: dir },
    );
    assert.equal(code, 0);
    assert.equal(stderr, "✓ Switched to account Test Account (VgQpOZ).\n");
    assert.equal(stdout, "User: jane@acme.example\n");
    assert.equal(await readConfigText(dir), switchedTo(TWO, "second"));
  });
});

Deno.test("switch: an alias shadows an equal account ID; switching to the current one is fine", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([
      { alias: "a", id: "b" },
      { alias: "b", id: "Bb0000" },
    ], "a");
    const dir = await tempConfigDir(config);
    const args = ["--json", "--control-host", server.host];
    const run = await runCli(["accounts", "switch", "b", ...args], { configDir: dir });
    assert.equal(run.code, 0);
    assert.equal(resultOf(run.records()).account.alias, "b");
    assert.equal(await readConfigText(dir), switchedTo(config, "b"));
    const same = await runCli(["accounts", "switch", "b", ...args], { configDir: dir });
    assert.equal(same.code, 0);
    assert.equal(await readConfigText(dir), switchedTo(config, "b"));
  });
});

Deno.test("switch: an OAuth account stays OAuth; a valid token is not refreshed", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([
      { alias: "legacy", id: "Lg0000" },
      { alias: "acme", id: "VgQpOZ", issuer: server.host, email: "jane@acme.example" },
    ], "legacy").replace("accessTokenExpiresAt = 1767225600000", FUTURE);
    const dir = await tempConfigDir(config);
    const { code, stderr } = await runCli(
      ["accounts", "switch", "acme", "--control-host", server.host],
      { configDir: dir },
    );
    assert.equal(code, 0);
    assert.match(stderr, /^✓ Switched to account Test Account \(VgQpOZ\)\.$/m);
    assert.doesNotMatch(stderr, /expired|verification failed/);
    assert.deepEqual(
      server.requests.map((r) => [r.path, r.authorization]),
      [["/api/v1/me", "Bearer at_jane@acme.example_SeCrEt"]],
    );
    const after = await readConfigText(dir);
    assert.equal(after, switchedTo(config, "acme"));
    assert.equal(parseConfig(after, "config").accounts!.acme.authMethod, "oauth");
  });
});

Deno.test("switch: an expired OAuth session is refreshed before verifying, at its issuer", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([
      { alias: "legacy", id: "Lg0000" },
      { alias: "acme", id: "VgQpOZ", issuer: server.host, email: "jane@acme.example" },
    ], "legacy");
    const dir = await tempConfigDir(config);
    const { code, records } = await runCli(
      ["accounts", "switch", "acme", "--json", "--control-host", server.host],
      { configDir: dir },
    );
    assert.equal(code, 0);
    assert.equal(resultOf(records()).account.name, "Test Account");
    assert.deepEqual(server.requests.map((r) => [r.path, r.authorization]), [
      ["/oauth/token", null],
      ["/api/v1/me", "Bearer refreshed_at_1_SeCrEt"],
    ]);
    const after = parseConfig(await readConfigText(dir), "config");
    assert.equal(after.current?.account, "acme");
    assert.equal(
      after.oauthSessions![`jane@acme.example::${server.host}`].refreshToken,
      "refreshed_rt_1_SeCrEt",
    );
  });
});

Deno.test("switch: the account's stored controlHost is used when no flag is given; the flag wins", async () => {
  const stored = startAblyServer();
  const flagged = startAblyServer();
  try {
    const config = withControlHost(TWO, "second", stored.host);
    const dir = await tempConfigDir(config);
    const plain = await runCli(["accounts", "switch", "second"], { configDir: dir });
    assert.equal(plain.code, 0);
    assert.match(plain.stderr, /^✓ Switched to account Test Account \(VgQpOZ\)\.\n$/);
    assert.equal(stored.to("/api/v1/me").length, 1);

    const flag = await runCli(
      ["accounts", "switch", "second", "--control-host", flagged.host],
      { configDir: dir },
    );
    assert.equal(flag.code, 0);
    assert.equal(stored.requests.length, 1);
    assert.equal(flagged.to("/api/v1/me").length, 1);

    const env = await runCli(["accounts", "switch", "second"], {
      configDir: dir,
      env: { ABLY_CONTROL_HOST: flagged.host },
    });
    assert.equal(env.code, 0);
    assert.equal(stored.requests.length, 1);
    assert.equal(flagged.to("/api/v1/me").length, 2);
    assert.equal(await readConfigText(dir), switchedTo(config, "second"));
  } finally {
    await stored.close();
    await flagged.close();
  }
});

Deno.test("switch --endpoint: stored on the account switched to", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir(TWO);
    const { code } = await runCli(
      [
        "accounts",
        "switch",
        "second",
        "--endpoint",
        "custom.ably.example",
        "--control-host",
        server.host,
      ],
      { configDir: dir },
    );
    assert.equal(code, 0);
    const after = parseConfig(await readConfigText(dir), "config");
    assert.equal(after.current?.account, "second");
    assert.equal(after.accounts!.second.endpoint, "custom.ably.example");
    assert.equal(after.accounts!.first.endpoint, undefined);
  });
});

// --- verification fails: still switched ------------------------------------------------

Deno.test("switch: /me answers 401 -> still switched, exit 0, a warning, `verified: false`", async () => {
  await withAblyServer(
    { me: { status: 401, body: { message: "Unauthorized", code: 40101 } } },
    async (server) => {
      const dir = await tempConfigDir(TWO);
      const json = await runCli(
        ["accounts", "switch", "second", "--json", "--control-host", server.host],
        { configDir: dir },
      );
      assert.equal(json.code, 0);
      const all = json.records();
      assert.equal(all.filter((r) => r.type === "error").length, 0);
      assert.deepEqual(all, [
        {
          type: "status",
          command: "accounts:switch",
          status: "warning",
          message: "Switched to account second, but its token was not accepted (API request " +
            "failed (401 Unauthorized): Unauthorized). Log in again with " +
            '"ably accounts login --alias second".',
        },
        {
          type: "result",
          command: "accounts:switch",
          success: true,
          account: { alias: "second", id: "VgQpOZ", name: "Second Co", verified: false },
        },
        { type: "status", command: "accounts:switch", status: "completed", exitCode: 0 },
      ]);
      assert.equal(await readConfigText(dir), switchedTo(TWO, "second"));

      const human = await runCli(["accounts", "switch", "first", "--control-host", server.host], {
        configDir: dir,
      });
      assert.equal(human.code, 0);
      assert.equal(human.stdout, "");
      assert.match(
        human.stderr,
        /^⚠ Switched to account first, but its token was not accepted \(API request failed \(401 Unauthorized\)/,
      );
      assert.doesNotMatch(human.stderr, /✓|Error/);
      assert.equal(await readConfigText(dir), TWO);
    },
  );
});

Deno.test("switch: a keychain account whose keychain is locked -> still switched, exit 0, 'could not be verified' with the keychain's problem; no new login advised", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain({
      "account:second": JSON.stringify({ accessToken: "legacy_second_SeCrEt" }),
    });
    keychain.state = "locked";
    const config = TWO.replace(
      'accessToken = "legacy_second_SeCrEt"\n',
      'credentialStore = "keychain"\n',
    );
    assert.notEqual(config, TWO);
    const dir = await tempConfigDir(config);
    const run = await runCli(["accounts", "switch", "second", "--control-host", server.host], {
      configDir: dir,
      keychain,
    });
    assert.equal(run.code, 0, run.stderr);
    const said = unwrapped(run.stderr);
    assert.match(said, /^⚠ Switched to account second, but it could not be verified \(.*locked/);
    assert.doesNotMatch(said, /not accepted|Log in again/);
    assert.equal(server.to("/api/v1/me").length, 0);
    assert.match(await readConfigText(dir), /\[current\]\naccount = "second"\n/);
  });
});

Deno.test("switch: a hanging Control API -> switched after the timeout, unverified", async () => {
  await withAblyServer({ me: { hang: true } }, async (server) => {
    const dir = await tempConfigDir(TWO);
    const { code, records, elapsedMs } = await runCli(
      ["accounts", "switch", "second", "--json", "--control-host", server.host],
      { configDir: dir, env: { ABLY_CONTROL_TIMEOUT_MS: "500" } },
    );
    assert.equal(code, 0);
    assert.ok(elapsedMs < 2500, `took ${Math.round(elapsedMs)}ms`);
    const all = records();
    // A time-out is not the token's fault: no advice to log in again.
    assert.match(all[0].message as string, /could not be verified \(.*timed out\)\.$/);
    assert.equal(resultOf(all).account.verified, false);
    assert.equal(await readConfigText(dir), switchedTo(TWO, "second"));
  });
});

// --- nothing to switch to --------------------------------------------------------------

Deno.test("switch: unknown alias or ID -> exit 1, `not found`, availableAccounts; file unchanged", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir(TWO);
    const json = await runCli(
      ["accounts", "switch", "nonexistent-alias", "--json", "--control-host", server.host],
      { configDir: dir },
    );
    assert.equal(json.code, 1);
    assert.deepEqual(json.records(), [
      {
        type: "error",
        command: "accounts:switch",
        success: false,
        availableAccounts: AVAILABLE_IN_TWO,
        error: {
          message:
            'Account "nonexistent-alias" not found. Run "ably accounts list" to see available accounts.',
        },
      },
      { type: "status", command: "accounts:switch", status: "completed", exitCode: 1 },
    ]);
    // Case-sensitive, no prefixes.
    for (const arg of ["Second", "sec", "vgqpoz"]) {
      const human = await runCli(["accounts", "switch", arg, "--control-host", server.host], {
        configDir: dir,
      });
      assert.equal(human.code, 1, arg);
      assert.equal(human.stdout, "");
      assert.match(unwrapped(human.stderr), /not found\. Run "ably accounts list"/);
    }
    assert.equal(server.requests.length, 0);
    assert.equal(await readConfigText(dir), TWO);
  });
});

Deno.test("switch on a terminal: an unknown ID with no OAuth login configured is 'not found' at once, with no look-up among reachable accounts (not even its spinner)", async () => {
  const dir = await tempConfigDir(TWO);
  const run = await runCli(["accounts", "switch", "acc-zz", "--control-host", "127.0.0.1:9"], {
    configDir: dir,
    replies: [],
  });
  assert.equal(run.code, 1);
  assert.match(unwrapped(run.stderr), /Account "acc-zz" not found/);
  assert.doesNotMatch(run.stderr, /Looking for the account/);
  assert.deepEqual(run.hosts, []);
  assert.equal(await readConfigText(dir), TWO);
});

Deno.test("switch: no accounts -> exit 1, `No accounts configured`, with or without an argument", async () => {
  const message = 'No accounts configured. Run "ably accounts login" to add an account.';
  for (const config of [undefined, "[accounts]\n"]) {
    for (const args of [["any-alias", "--json"], ["--json"]]) {
      const dir = await tempConfigDir(config);
      const { code, records } = await runCli(["accounts", "switch", ...args], { configDir: dir });
      assert.equal(code, 1);
      assert.deepEqual(records()[0], {
        type: "error",
        command: "accounts:switch",
        success: false,
        error: { message },
      });
      if (config === undefined) {
        await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
      } else assert.equal(await readConfigText(dir), config);
    }
    const human = await runCli(["accounts", "switch"], { configDir: await tempConfigDir(config) });
    assert.equal(human.code, 1);
    assert.match(unwrapped(human.stderr), /No accounts configured\. Run "ably accounts login"/);
  }
});

Deno.test("switch --json without an argument -> the same usage error, listing availableAccounts", async () => {
  const dir = await tempConfigDir(TWO);
  const { code, records } = await runCli(["accounts", "switch", "--json"], { configDir: dir });
  assert.equal(code, 2);
  assert.deepEqual(records()[0], {
    type: "error",
    command: "accounts:switch",
    success: false,
    availableAccounts: AVAILABLE_IN_TWO,
    error: {
      message:
        "No account alias or ID provided, and no terminal to choose one on. Name the account to switch to.",
      hint: "See more help with --help",
    },
  });
  assert.equal(await readConfigText(dir), TWO);
});

Deno.test("switch without an argument, stdin not a terminal -> usage error (exit 2), unchanged", async () => {
  const dir = await tempConfigDir(TWO);
  for (const stdin of [undefined, "second\n"]) {
    // Piped text is never taken as the alias.
    const { code, stdout, stderr } = await runCli(["accounts", "switch"], {
      configDir: dir,
      stdin,
    });
    assert.equal(code, 2, String(stdin));
    assert.equal(stdout, "");
    assert.match(unwrapped(stderr), /Error: No account alias or ID provided/);
    assert.match(stderr, /See more help with --help/);
  }
  assert.equal(await readConfigText(dir), TWO);
});

Deno.test("switch: an extra argument is a usage error; nothing switched", async () => {
  const dir = await tempConfigDir(TWO);
  const { code, stderr } = await runCli(["accounts", "switch", "second", "extra"], {
    configDir: dir,
  });
  assert.equal(code, 2);
  assert.match(stderr, /Unexpected argument: extra/);
  assert.equal(await readConfigText(dir), TWO);
});

// --- on a real terminal ------------------------------------------------------------------

const onTerminal = { ignore: isWindows, sanitizeResources: false, sanitizeOps: false };

Deno.test(
  "switch on a terminal: no argument -> a picker; down-arrow + Enter picks the second",
  onTerminal,
  async () => {
    await withAblyServer({}, async (server) => {
      const dir = await tempConfigDir(TWO);
      const { code, output } = await runCliOnTerminal(
        ["accounts", "switch", "--control-host", server.host],
        { configDir: dir, steps: [["Select an account", "\x1b[B\r"]] },
      );
      assert.equal(code, 0, output);
      assert.match(output, /Select an account:/);
      // One picker layout (aligned columns, as logout's), starting on the current account.
      assert.match(output, /❯ first \(current\) {2}First Co {3}<first@example\.com>/);
      assert.match(output, / {2}second {11}Second Co {2}<second@example\.com>/);
      // A legacy current account reaches no other accounts, and the picker says why.
      assert.match(output, /Other accounts are listed for an OAuth login only \(first uses/);
      assert.match(output, /Switched to account Test Account \(VgQpOZ\)\./);
      assert.match(output, /User: jane@acme\.example/);
      assert.equal(await readConfigText(dir), switchedTo(TWO, "second"));
      assert.equal(server.to("/api/v1/me")[0].authorization, "Bearer legacy_second_SeCrEt");
    });
  },
);

Deno.test(
  "switch on a terminal: Ctrl-C or Esc at the picker cancels, exit 130, unchanged",
  onTerminal,
  async () => {
    const dir = await tempConfigDir(TWO);
    for (const key of ["\x03", "\x1b"]) {
      const { code, output } = await runCliOnTerminal(["accounts", "switch"], {
        configDir: dir,
        steps: [["Select an account", key]],
      });
      assert.equal(code, 130, output);
      assert.match(output, /Account switch cancelled\./);
      assert.equal(await readConfigText(dir), TWO);
    }
  },
);

Deno.test("switch on a terminal: the account picked is removed by another run meanwhile -> exit 1, its change kept", async () => {
  const dir = await tempConfigDir(TWO);
  const withoutSecond = buildConfig([{ alias: "first", id: "Fr1st0", name: "First Co" }], "first");
  const run = await runCli(["accounts", "switch", "--control-host", "127.0.0.1:9"], {
    configDir: dir,
    replies: [async () => {
      await Deno.writeTextFile(`${dir}/config`, withoutSecond); // logged out elsewhere
      return 1; // second
    }],
  });
  assert.equal(run.code, 1, run.stderr);
  assert.match(unwrapped(run.stderr), /Account "second" is no longer configured\./);
  assert.equal(await readConfigText(dir), withoutSecond);
  assert.deepEqual(run.hosts, []);
});

Deno.test("switch: Ctrl-C while the account is verified -> exit 130, still switched, and said so", async () => {
  const asked = Promise.withResolvers<void>();
  await withAblyServer({
    me: () => {
      asked.resolve();
      return { hang: true };
    },
  }, async (server) => {
    const dir = await tempConfigDir(TWO);
    const interrupt = new AbortController();
    asked.promise.then(() => interrupt.abort());
    const run = await runCli(["accounts", "switch", "second", "--control-host", server.host], {
      configDir: dir,
      interrupt,
    });
    assert.equal(run.code, 130, run.stderr);
    assert.match(
      unwrapped(run.stderr),
      /Switched to account second; its verification was cancelled\./,
    );
    assert.equal(await readConfigText(dir), switchedTo(TWO, "second"));
  });
});

Deno.test("switch: Ctrl-C while waiting for another process's lock exits 130, unchanged", async () => {
  const dir = await tempConfigDir(TWO);
  const lock = await holdConfigLock(dir);
  const interrupt = new AbortController();
  setTimeout(() => interrupt.abort(), 100);
  const run = await runCli(["accounts", "switch", "second"], { configDir: dir, interrupt })
    .finally(() => lock.release());
  assert.equal(run.code, 130);
  assert.match(unwrapped(run.stderr), /Stopped waiting for the lock/);
  assert.equal(await readConfigText(dir), TWO);
});

// --- accounts the current login reaches -------------------------------------------------

/** One OAuth account, `multi`, whose login reaches two accounts (its own and Multi Two). */
function multiConfig(server: { host: string }, extra: string = ""): string {
  return buildConfig([
    { alias: "multi", id: "acc-m1", name: "Multi One", issuer: server.host, email: "jo@m.example" },
  ], "multi").replace("accessTokenExpiresAt = 1767225600000", FUTURE) + extra;
}
const REACHES = {
  accounts: {
    status: 200,
    body: [{ id: "acc-m1", name: "Multi One" }, { id: "acc-m2", name: "Multi Two" }],
  },
};

Deno.test("switch ACCOUNT_ID --json: an account the login reaches is stored under a new alias sharing the session, made current, verified", async () => {
  await withAblyServer(REACHES, async (server) => {
    const dir = await tempConfigDir(multiConfig(server));
    const before = parseConfig(await readConfigText(dir), "c");
    const run = await runCli(
      ["accounts", "switch", "acc-m2", "--json", "--control-host", server.host],
      { configDir: dir },
    );
    assert.equal(run.code, 0, run.stderr);
    const { account } = resultOf(run.records());
    assert.deepEqual(
      { ...account, user: undefined },
      {
        alias: "multi-two",
        id: "acc-m2",
        name: "Multi Two",
        user: undefined,
        added: true,
        sharesSessionWith: "multi",
      },
    );
    const after = parseConfig(await readConfigText(dir), "c");
    const added = after.accounts!["multi-two"];
    assert.equal(added.accountId, "acc-m2");
    assert.equal(added.authMethod, "oauth");
    assert.equal(added.oauthSessionKey, before.accounts!.multi.oauthSessionKey);
    assert.equal(added.userEmail, "jo@m.example");
    assert.equal(after.current!.account, "multi-two");
    // The session (its scope included) is shared, untouched; nothing was revoked.
    assert.deepEqual(after.oauthSessions, before.oauthSessions);
    assert.equal(server.to("/oauth/revoke").length, 0);
    // Listed with the session's token, then verified with it.
    assert.equal(server.to("/api/v1/me/accounts").length, 1);
    assert.equal(server.to("/api/v1/me").length, 1);
  });
});

Deno.test("switch ACCOUNT_ID: a reachable account whose alias is taken by another account gets -2, said so; an ID nothing reaches is 'not found'", async () => {
  await withAblyServer(REACHES, async (server) => {
    const taken = '\n[accounts.multi-two]\naccountId = "other"\naccessToken = "legacy_x_SeCrEt"\n';
    const dir = await tempConfigDir(multiConfig(server, taken));
    const run = await runCli(["accounts", "switch", "acc-m2", "--control-host", server.host], {
      configDir: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      unwrapped(run.stderr),
      /Alias "multi-two" is already used by a different account \(other\); storing this account as "multi-two-2" instead\./,
    );
    assert.match(
      run.stderr,
      /Switched to account Multi Two \(acc-m2\)\. Saved as alias multi-two-2\./,
    );
    const after = parseConfig(await readConfigText(dir), "c");
    assert.equal(after.accounts!["multi-two"].accountId, "other");
    assert.equal(after.current!.account, "multi-two-2");

    const missing = await runCli(["accounts", "switch", "acc-zz", "--control-host", server.host], {
      configDir: dir,
    });
    assert.equal(missing.code, 1);
    assert.match(unwrapped(missing.stderr), /Account "acc-zz" not found/);
  });
});

Deno.test("switch ACCOUNT_ID: another run adopts the same account while this one lists the login's accounts -> that alias is made current, no second alias", async () => {
  await withAblyServer(REACHES, async (server) => {
    // The file as the other run leaves it: the account adopted under its alias.
    const other = await tempConfigDir(multiConfig(server));
    const first = await runCli(["accounts", "switch", "acc-m2", "--control-host", server.host], {
      configDir: other,
    });
    assert.equal(first.code, 0, first.stderr);
    const adopted = (await readConfigText(other)).replace(
      '[current]\naccount = "multi-two"',
      '[current]\naccount = "multi"',
    );
    assert.deepEqual(aliasesIn(adopted), ["multi", "multi-two"]);

    const dir = await tempConfigDir(multiConfig(server));
    const run = await runCli(["accounts", "switch", "acc-m2", "--control-host", server.host], {
      configDir: dir,
      fetch: actingAt("/me/accounts", "after", () => Deno.writeTextFile(`${dir}/config`, adopted)),
    });
    assert.equal(run.code, 0, run.stderr);
    const after = await readConfigText(dir);
    assert.deepEqual(aliasesIn(after), ["multi", "multi-two"]);
    assert.equal(parseConfig(after, "c").current!.account, "multi-two");
  });
});

Deno.test("switch picker: a current OAuth account whose session has ended lists no other accounts, asks nothing of the Control API, and says why", async () => {
  await withAblyServer(REACHES, async (server) => {
    const ended = multiConfig(server).replace(/oauthSessionKey = .*\n/, "");
    assert.notEqual(ended, multiConfig(server));
    const dir = await tempConfigDir(ended);
    const run = await runCli(["accounts", "switch", "--control-host", server.host], {
      configDir: dir,
      replies: [0],
    });
    assert.deepEqual(run.questions, [
      "Select an account:",
      "── Configured accounts ──",
      "  multi (current)  Multi One  <jo@m.example>",
    ]);
    assert.match(
      run.stderr.replace(/\s+/g, " "),
      /Other accounts your login reaches are listed once multi is logged in again \(its OAuth session has ended\)\./,
    );
    assert.equal(server.to("/api/v1/me/accounts").length, 0);
  });
});

Deno.test("switch picker: configured accounts, then the other accounts the login reaches; picking one adopts it", async () => {
  await withAblyServer(REACHES, async (server) => {
    const dir = await tempConfigDir(multiConfig(server));
    const run = await runCli(["accounts", "switch", "--control-host", server.host], {
      configDir: dir,
      replies: [1], // the second choice: Multi Two (headings are not choices)
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.questions, [
      "Select an account:",
      "── Configured accounts ──",
      "  multi (current)  Multi One  <jo@m.example>",
      "── Other accounts (no login required) ──",
      "  Multi Two (acc-m2)",
    ]);
    assert.match(run.stderr, /Saved as alias multi-two\./);
    assert.equal(parseConfig(await readConfigText(dir), "c").current!.account, "multi-two");
  });
});

Deno.test("switch picker: when the other accounts cannot be listed, one line says why and the configured ones are offered", async () => {
  await withAblyServer(
    { accounts: { status: 500, body: { message: "boom" } } },
    async (server) => {
      const dir = await tempConfigDir(multiConfig(server));
      const run = await runCli(["accounts", "switch", "--control-host", server.host], {
        configDir: dir,
        replies: [0],
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        unwrapped(run.stderr),
        /Other accounts your login reaches could not be listed: API request failed \(500/,
      );
      assert.deepEqual(run.questions, [
        "Select an account:",
        "── Configured accounts ──",
        "  multi (current)  Multi One  <jo@m.example>",
      ]);
    },
  );
});

Deno.test("switch with no accounts: a terminal is offered a login, yes by default (no: a pointer, exit 0); JSON keeps the error", async () => {
  const dir = await tempConfigDir();
  const declined = await runCli(["accounts", "switch"], { configDir: dir, replies: ["no"] });
  assert.equal(declined.code, 0, declined.stderr);
  assert.deepEqual(declined.questions, ["No accounts configured. Log in now? (Y/n)"]);
  assert.match(declined.stdout, /Run "ably accounts login" when you are ready\./);
  const json = await runCli(["accounts", "switch", "--json"], { configDir: dir });
  assert.equal(json.code, 1);
  assert.match(json.stdout, /No accounts configured\. Run \\"ably accounts login\\"/);
});

Deno.test("switch with no accounts: yes runs the login, which stores the account and makes it current", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir();
    const run = await runCli(["accounts", "switch", ...hostFlags(server)], {
      configDir: dir,
      replies: ["yes"],
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /is now the current account\./);
    assert.equal(parseConfig(await readConfigText(dir), "c").current!.account, "test-account");
  });
});

Deno.test(
  "switch on a terminal: the two-section picker end to end; down-arrow reaches the other account",
  onTerminal,
  async () => {
    await withAblyServer(REACHES, async (server) => {
      const dir = await tempConfigDir(multiConfig(server));
      const { code, output } = await runCliOnTerminal(
        ["accounts", "switch", "--control-host", server.host],
        { configDir: dir, steps: [["Multi Two (acc-m2)", "\x1b[B\r"]] },
      );
      assert.equal(code, 0, output);
      assert.match(output, /── Configured accounts ──/);
      assert.match(output, /── Other accounts \(no login required\) ──/);
      assert.match(output, /Switched to account Multi Two \(acc-m2\)\. Saved as alias multi-two\./);
      assert.equal(parseConfig(await readConfigText(dir), "c").current!.account, "multi-two");
    });
  },
);

// --- reachable accounts: several logins, changes made meanwhile, unverified adoptions ---------

Deno.test("switch ACCOUNT_ID: reachable through two logins -> the current one's is used (else the first), said so; --endpoint is stored on the new alias", async () => {
  await withAblyServer(REACHES, async (server) => {
    const other = { alias: "other", id: "acc-o", name: "Other", issuer: server.host };
    const cases = [
      { current: "multi", via: "multi", said: "using multi's (the current account)." },
      { current: "legacy", via: "multi", said: "using multi's." },
    ];
    for (const { current, via, said } of cases) {
      const config = buildConfig([
        { alias: "legacy", id: "acc-l", name: "Legacy" },
        { alias: "multi", id: "acc-m1", name: "Multi One", issuer: server.host, email: "jo@m.ex" },
        { ...other, email: "other@o.ex" },
      ], current).replaceAll("accessTokenExpiresAt = 1767225600000", FUTURE);
      const dir = await tempConfigDir(config);
      const run = await runCli(
        [
          "accounts",
          "switch",
          "acc-m2",
          "--endpoint",
          "edge.example",
          "--control-host",
          server.host,
        ],
        { configDir: dir, columns: 1000 },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.ok(
        run.stderr.includes(
          `Account acc-m2 is reachable through the logins of multi, other; ${said}`,
        ),
        run.stderr,
      );
      const after = parseConfig(await readConfigText(dir), "c");
      const added = after.accounts!["multi-two"];
      assert.equal(added.oauthSessionKey, after.accounts![via].oauthSessionKey);
      assert.equal(added.endpoint, "edge.example");
      assert.equal(after.current!.account, "multi-two");
    }
  });
});

Deno.test("switch picker with no current account: one line says other accounts are listed once one is current; only configured ones offered", async () => {
  const dir = await tempConfigDir(buildConfig([{ alias: "first", id: "Fr1st0" }]));
  const run = await runCli(["accounts", "switch", "--control-host", "127.0.0.1:9"], {
    configDir: dir,
    replies: [0],
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    unwrapped(run.stderr),
    /Other accounts your login reaches are listed once an account is current\./,
  );
  assert.deepEqual(run.questions.slice(0, 2), ["Select an account:", "── Configured accounts ──"]);
  assert.equal(run.questions.length, 3);
  assert.equal(parseConfig(await readConfigText(dir), "c").current!.account, "first");
});

Deno.test("switch picker: a reachable account picked after its login changed elsewhere -> exit 1, nothing changed", async () => {
  await withAblyServer(REACHES, async (server) => {
    const cases = [
      {
        what: "the login reaching it was replaced by an access-token account",
        meanwhile: buildConfig([{ alias: "multi", id: "acc-m1", name: "Multi One" }], "multi"),
        error:
          /Account "multi" no longer has the OAuth login that reaches Multi Two; nothing was changed\./,
      },
      {
        what: "the login reaching it was logged out",
        meanwhile: buildConfig([{ alias: "solo", id: "acc-s" }], "solo"),
        error:
          /Account "multi" no longer has the OAuth login that reaches Multi Two; nothing was changed\./,
      },
      {
        what: "its alias was taken by another login of the same account",
        meanwhile: multiConfig(server) +
          '\n[accounts.multi-two]\naccountId = "acc-m2"\naccessToken = "legacy_x_SeCrEt"\n',
        error: /Alias "multi-two" is already configured; nothing was changed\./,
      },
    ];
    for (const { what, meanwhile, error } of cases) {
      const dir = await tempConfigDir(multiConfig(server));
      const run = await runCli(["accounts", "switch", "--control-host", server.host], {
        configDir: dir,
        replies: [async () => {
          await Deno.writeTextFile(`${dir}/config`, meanwhile);
          return 1; // Multi Two
        }],
      });
      assert.equal(run.code, 1, what);
      assert.match(unwrapped(run.stderr), error, what);
      assert.equal(await readConfigText(dir), meanwhile, what);
    }
  });
});

Deno.test("switch ACCOUNT_ID: an adopted account whose token /me refuses is still saved and current, the warning says it was saved as a new alias", async () => {
  await withAblyServer(
    { ...REACHES, me: { status: 401, body: { message: "Unauthorized", code: 40100 } } },
    async (server) => {
      const dir = await tempConfigDir(multiConfig(server));
      const run = await runCli(["accounts", "switch", "acc-m2", "--control-host", server.host], {
        configDir: dir,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        unwrapped(run.stderr),
        /Switched to account multi-two \(saved as a new alias\), but its token was not accepted/,
      );
      const after = parseConfig(await readConfigText(dir), "c");
      assert.equal(after.current!.account, "multi-two");
      assert.equal(after.accounts!["multi-two"].accountId, "acc-m2");
    },
  );
});

Deno.test("switch ACCOUNT_ID: the adopted account carries over the login's stored hosts (controlHost, oauthHost), so it is verified where that login's tokens belong", async () => {
  await withAblyServer(REACHES, async (server) => {
    const config = withControlHost(
      buildConfig([{
        alias: "multi",
        id: "acc-m1",
        name: "Multi One",
        issuer: server.host,
        email: "jo@m.example",
        oauthHost: server.host,
      }], "multi").replace("accessTokenExpiresAt = 1767225600000", FUTURE),
      "multi",
      server.host,
    );
    const dir = await tempConfigDir(config);
    // No --control-host: the stored one is the only way to the test server.
    const run = await runCli(["accounts", "switch", "acc-m2", "--json"], { configDir: dir });
    assert.equal(run.code, 0, run.stderr);
    const { account } = resultOf(run.records());
    assert.equal(account.verified, undefined, "verified");
    assert.equal(account.alias, "multi-two");
    const added = parseConfig(await readConfigText(dir), "c").accounts!["multi-two"];
    assert.equal(added.controlHost, server.host);
    assert.equal(added.oauthHost, server.host);
    assert.deepEqual(run.hosts, [server.host, server.host]);
    assert.equal(server.to("/api/v1/me").length, 1);
  });
});

Deno.test("switch ACCOUNT_ID: an ID several aliases share is refused (exit 1, use the alias), never looked up among the accounts the logins reach", async () => {
  await withAblyServer(REACHES, async (server) => {
    const config = buildConfig([
      { alias: "one", id: "acc-m2", name: "Multi Two", issuer: server.host, email: "a@m.ex" },
      { alias: "two", id: "acc-m2", name: "Multi Two", issuer: server.host, email: "b@m.ex" },
    ], "one").replaceAll("accessTokenExpiresAt = 1767225600000", FUTURE);
    const dir = await tempConfigDir(config);
    const run = await runCli(["accounts", "switch", "acc-m2", "--control-host", server.host], {
      configDir: dir,
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      unwrapped(run.stderr),
      /Account ID "acc-m2" is shared by several aliases \(one, two\)\. Use the alias instead\./,
    );
    assert.deepEqual(run.hosts, []);
    assert.equal(server.requests.length, 0);
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test("switch: Ctrl-C while listing the accounts a login reaches cancels (exit 130), by ID and at the picker; nothing changed", async () => {
  await withAblyServer({ accounts: { hang: true } }, async (server) => {
    const config = multiConfig(server);
    const dir = await tempConfigDir(config);
    const cases: { what: string; args: string[]; replies?: number[] }[] = [
      { what: "an ID no configured account has", args: ["acc-m2"] },
      { what: "the picker", args: [], replies: [0] },
    ];
    for (const { what, args, replies } of cases) {
      server.requests.length = 0;
      const interrupt = new AbortController();
      const running = runCli(["accounts", "switch", ...args, "--control-host", server.host], {
        configDir: dir,
        interrupt,
        replies,
      });
      await until("GET /api/v1/me/accounts", () => server.to("/api/v1/me/accounts").length > 0);
      interrupt.abort();
      const run = await running;
      assert.equal(run.code, 130, `${what}: ${run.stderr}`);
      assert.match(run.stderr, /Account switch cancelled\./, what);
      assert.doesNotMatch(run.stderr, /not found|could not be listed/, what);
      assert.deepEqual(run.questions, [], what);
      assert.equal(await readConfigText(dir), config, what);
    }
  });
});

Deno.test("switch ACCOUNT_ID: reachable through several logins, the note lists the current account's login first; through one, there is no note", async () => {
  await withAblyServer(REACHES, async (server) => {
    // `other` is the current account but not the first login in the file.
    const config = buildConfig([
      { alias: "multi", id: "acc-m1", name: "Multi One", issuer: server.host, email: "jo@m.ex" },
      { alias: "other", id: "acc-o", name: "Other", issuer: server.host, email: "other@o.ex" },
    ], "other").replaceAll("accessTokenExpiresAt = 1767225600000", FUTURE);
    const dir = await tempConfigDir(config);
    const run = await runCli(["accounts", "switch", "acc-m2", "--control-host", server.host], {
      configDir: dir,
      columns: 1000,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(
      run.stderr.includes(
        "Account acc-m2 is reachable through the logins of other, multi; using other's (the current account).",
      ),
      run.stderr,
    );
    const after = parseConfig(await readConfigText(dir), "c");
    assert.equal(
      after.accounts!["multi-two"].oauthSessionKey,
      after.accounts!.other.oauthSessionKey,
    );

    const single = await tempConfigDir(multiConfig(server));
    const one = await runCli(["accounts", "switch", "acc-m2", "--control-host", server.host], {
      configDir: single,
      columns: 1000,
    });
    assert.equal(one.code, 0, one.stderr);
    assert.doesNotMatch(one.stderr, /reachable through/);
    assert.equal(
      one.stderr,
      "✓ Switched to account Multi Two (acc-m2). Saved as alias multi-two.\n",
    );
  });
});

Deno.test("switch ACCOUNT_ID: Ctrl-C while adopting a reachable account waits for another process's lock -> exit 130, nothing changed", async () => {
  await withAblyServer(REACHES, async (server) => {
    const config = multiConfig(server);
    const dir = await tempConfigDir(config);
    const lock = await holdConfigLock(dir);
    const interrupt = new AbortController();
    const running = runCli(["accounts", "switch", "acc-m2", "--control-host", server.host], {
      configDir: dir,
      interrupt,
      // Longer than the test waits: only Ctrl-C ends this wait.
      env: { ABLY_CONFIG_LOCK_TIMEOUT_MS: "5000" },
    }).finally(() => lock.release());
    await until("GET /api/v1/me/accounts", () => server.to("/api/v1/me/accounts").length > 0);
    // The listing is answered at once; well before this the adoption waits for the lock.
    await new Promise((resolve) => setTimeout(resolve, 500));
    interrupt.abort();
    const run = await running;
    assert.equal(run.code, 130, run.stderr);
    assert.match(unwrapped(run.stderr), /Stopped waiting for the lock/);
    assert.equal(await readConfigText(dir), config);
    assert.equal(server.to("/api/v1/me").length, 0);
  });
});
