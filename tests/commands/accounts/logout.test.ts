/**
 * `ably accounts logout`, mostly in-process (tests/helpers/in-process.ts), against a temp
 * config dir and a real HTTP server on 127.0.0.1 as the authorization server; `spawnCli`
 * where the process itself is the point. Terminal tests: logout_terminal.test.ts.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/toml.ts";
import { OAUTH_CLIENT_ID } from "../../../src/oauth/endpoint.ts";
import { CANCEL } from "../../helpers/in-process.ts";
import {
  type AblyServer,
  actingAt,
  closedHost,
  type Scripted,
  startAblyServer,
  withAblyServer,
} from "../../helpers/ably-server.ts";
import type { Reply } from "../../helpers/in-process.ts";
import {
  configFileIn,
  readConfigText,
  resultOf,
  runCli,
  spawnCli,
  tempConfigDir,
  unwrapped,
} from "../../helpers/cli.ts";
import {
  accessTokenOf,
  type AccountSpec,
  acmeOAuthWithLegacy,
  aliasesIn,
  buildConfig,
  holdConfigLock,
  refreshTokenOf,
  SAMPLE_LEGACY,
  SAMPLE_SHARED,
} from "../../helpers/fixtures.ts";
import { FakeKeychain } from "../../helpers/fake-keychain.ts";

const isWindows = Deno.build.os === "windows";

// --- help and usage -------------------------------------------------------

Deno.test("logout --help: usage, argument, flags and examples; no config needed", async () => {
  const dir = await tempConfigDir("this is not TOML");
  const { code, stdout } = await runCli(["accounts", "logout", "--help"], { configDir: dir });
  assert.equal(code, 0);
  assert.match(stdout, /^Log out from an Ably account\n\nUSAGE\n {2}\$ ably accounts logout /);
  assert.match(stdout, /\[ACCOUNT_ALIAS_OR_ID\] {2}Alias or ID of the account to log out from/);
  assert.match(stdout, /-f, --force {8}Skip confirmation prompt \(required with --json\)/);
  assert.match(stdout, /-v, --verbose/);
  assert.match(stdout, /--json {9}Output in JSON format/);
  assert.match(stdout, /--pretty-json {2}Output in colorized JSON format/);
  assert.equal(stdout.match(/^ {2}\$ ably accounts logout.*$/gm)?.length, 8); // usage + 7 examples
});

Deno.test("logout: usage errors exit 2, as text or as JSON records", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const cases: [string[], RegExp][] = [
    [["--unknown-flag-xyz"], /Nonexistent flag: --unknown-flag-xyz/],
    [["default", "extra"], /Unexpected argument: extra/],
    [[""], /must not be empty/],
  ];
  for (const [args, message] of cases) {
    const human = await runCli(["accounts", "logout", ...args], { configDir: dir });
    assert.equal(human.code, 2, args.join(" "));
    assert.match(human.stderr, message);
    assert.match(human.stderr, /See more help with --help/);
    assert.equal(human.stdout, "");

    const json = await runCli(["accounts", "logout", "--json", ...args], { configDir: dir });
    assert.equal(json.code, 2);
    const records = json.records();
    assert.equal(records[0].type, "error");
    assert.equal(records[0].command, "accounts:logout");
    assert.match((records[0].error as { message: string }).message, message);
    assert.deepEqual(records.at(-1), {
      type: "status",
      command: "accounts:logout",
      status: "completed",
      exitCode: 2,
    });
  }
  // The flag given first is named first, as the official CLI does.
  for (const [first, second] of [["--json", "--pretty-json"], ["--pretty-json", "--json"]]) {
    const both = await runCli(["accounts", "logout", first, second, "--force"], {
      configDir: dir,
    });
    assert.equal(both.code, 2);
    assert.equal(
      resultOf(both.records()).error.message,
      `The following errors occurred:\n  ${first}=true cannot also be provided when using ${second}\n  ${second}=true cannot also be provided when using ${first}`,
    );
  }
  assert.equal(await readConfigText(dir), SAMPLE_LEGACY);
});

Deno.test("logout -v is --verbose, not --version", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const { code, stderr } = await runCli(["accounts", "logout", "--force", "-v"], {
    configDir: dir,
  });
  assert.equal(code, 0);
  assert.match(stderr, /\[config\] Using config file /);
  assert.match(stderr, /Successfully logged out from account default\./);
  assert.deepEqual(aliasesIn(await readConfigText(dir)), []);
});

// --- choosing the account --------------------------------------------------

Deno.test("logout: no accounts -> says so and how to add one (not to list them), nothing created", async () => {
  const dir = await tempConfigDir();
  const { code, records } = await runCli(["accounts", "logout", "--force", "--json"], {
    configDir: dir,
  });
  assert.equal(code, 1);
  const error = resultOf(records());
  assert.equal(error.success, false);
  assert.equal(
    error.error.message,
    'No accounts configured. Run "ably accounts login" to add an account.',
  );
  await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
});

Deno.test("logout: current account, by alias and by account ID", async () => {
  const config = buildConfig([
    { alias: "primary", id: "acc-primary" },
    { alias: "secondary", id: "acc-secondary" },
  ], "primary");
  for (
    const [arg, alias] of [[undefined, "primary"], ["secondary", "secondary"], [
      "acc-secondary",
      "secondary",
    ]] as const
  ) {
    const dir = await tempConfigDir(config);
    const args = ["accounts", "logout", ...(arg ? [arg] : []), "--force", "--json"];
    const { code, records } = await runCli(args, { configDir: dir });
    assert.equal(code, 0, args.join(" "));
    const result = resultOf(records());
    assert.equal(result.success, true);
    assert.equal(result.account.alias, alias);
    const left = alias === "primary" ? "secondary" : "primary";
    assert.deepEqual(result.account.remainingAccounts, [left]);
    const after = parseConfig(await readConfigText(dir), "config");
    assert.deepEqual(Object.keys(after.accounts!), [left]);
    assert.equal(after.current?.account, alias === "primary" ? undefined : "primary");
    // The other account is untouched, token included.
    assert.deepEqual(after.accounts![left], parseConfig(config, "c").accounts![left]);
  }
});

Deno.test("logout: unknown alias -> not found with the available accounts; file unchanged", async () => {
  const config = buildConfig([{ alias: "acme", id: "VgQpOZ", name: "Acme Ltd" }], "acme");
  const dir = await tempConfigDir(config);
  // Resolution errors win over the missing --force.
  const json = await runCli(["accounts", "logout", "zzz", "--json"], { configDir: dir });
  assert.equal(json.code, 1);
  assert.deepEqual(json.records()[0], {
    type: "error",
    command: "accounts:logout",
    success: false,
    availableAccounts: [{ alias: "acme", id: "VgQpOZ", name: "Acme Ltd" }],
    error: {
      message: 'Account "zzz" not found. Run "ably accounts list" to see available accounts.',
    },
  });
  const human = await runCli(["accounts", "logout", "zzz", "--force"], { configDir: dir });
  assert.equal(human.code, 1);
  assert.equal(
    human.stderr,
    ' ›   Error: Account "zzz" not found. Run "ably accounts list" to see available \n' +
      " ›   accounts.\n",
  );
  assert.equal(await readConfigText(dir), config);
});

Deno.test("logout: an account ID shared by two aliases is refused, naming both", async () => {
  const config = buildConfig([{ alias: "a", id: "DUP" }, { alias: "b", id: "DUP" }], "a");
  const dir = await tempConfigDir(config);
  const { code, records } = await runCli(["accounts", "logout", "DUP", "--force", "--json"], {
    configDir: dir,
  });
  assert.equal(code, 1);
  const error = resultOf(records());
  assert.deepEqual(error.matchingAliases, ["a", "b"]);
  assert.equal(await readConfigText(dir), config);
});

Deno.test("logout --json without --force is refused and changes nothing", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  for (const flag of ["--json", "--pretty-json"]) {
    const { code, stdout } = await runCli(["accounts", "logout", flag], { configDir: dir });
    assert.equal(code, 1);
    assert.match(stdout, /The --force flag is required when using --json to confirm logout/);
  }
  assert.equal(await readConfigText(dir), SAMPLE_LEGACY);
});

// --- malformed and unreadable config ---------------------------------------

Deno.test("logout: malformed config -> error naming file, line and column; file byte-identical", async () => {
  const broken = '[accounts.a]\naccountId = "x"\n[current\naccount = "a"\n';
  const dir = await tempConfigDir(broken);
  const human = await runCli(["accounts", "logout", "--force"], { configDir: dir });
  assert.equal(human.code, 1);
  assert.match(unwrapped(human.stderr), /is not valid TOML at line 3, column \d+/);
  assert.ok(unwrapped(human.stderr).includes(configFileIn(dir)), human.stderr);
  const json = await runCli(["accounts", "logout", "--force", "--json"], { configDir: dir });
  assert.equal(json.code, 1);
  assert.match(resultOf(json.records()).error.message, /not valid TOML at line 3/);
  assert.equal(await readConfigText(dir), broken);
});

Deno.test({
  name: "logout: unreadable config -> clear error, exit 1",
  ignore: isWindows || Deno.uid?.() === 0,
  async fn() {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    await Deno.chmod(`${dir}/config`, 0o000);
    const { code, stderr } = await runCli(["accounts", "logout", "--force"], { configDir: dir });
    await Deno.chmod(`${dir}/config`, 0o600);
    assert.equal(code, 1);
    assert.match(stderr, /Cannot read Ably config/);
  },
});

// --- revocation --------------------------------------------------------------

Deno.test("logout on a terminal: the revocation's spinner turns while the issuer answers and is cleared before the result", async () => {
  await withAblyServer({ revoke: { status: 200, delayMs: 200 } }, async (server) => {
    const dir = await tempConfigDir(acmeOAuthWithLegacy(server.host));
    const run = await runCli(["accounts", "logout", "acme", "--force"], {
      configDir: dir,
      replies: [],
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^\r⠋ Revoking OAuth tokens\r⠙ Revoking OAuth tokens/);
    // Cleared once, and nothing drawn after it: the spinner is stopped, not just hidden.
    const cleared = run.stderr.indexOf("\r\x1b[K");
    assert.ok(cleared > 0, JSON.stringify(run.stderr));
    assert.doesNotMatch(run.stderr.slice(cleared), /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    assert.match(run.stderr, /Successfully logged out from account acme\./);
  });
});

Deno.test("logout: OAuth account -> both tokens revoked at the issuing server", async () => {
  const server = startAblyServer();
  const decoy = startAblyServer();
  try {
    const dir = await tempConfigDir(acmeOAuthWithLegacy(server.host));
    // --oauth-host points elsewhere: tokens still go only to the host that minted them.
    const { code, records } = await spawnCli(
      ["accounts", "logout", "--force", "--json", "--oauth-host", decoy.host],
      { configDir: dir },
    );
    assert.equal(code, 0);
    assert.deepEqual(resultOf(records()).account, {
      alias: "acme",
      remainingAccounts: ["legacy"],
      revocation: { access: { status: "revoked" }, refresh: { status: "revoked" } },
    });
    assert.equal(decoy.requests.length, 0);
    assert.deepEqual(
      server.requests.map((r) => [r.path, r.form]).sort(),
      [
        ["/oauth/revoke", {
          client_id: OAUTH_CLIENT_ID,
          token: accessTokenOf("jane@acme.example"),
        }],
        ["/oauth/revoke", {
          client_id: OAUTH_CLIENT_ID,
          token: refreshTokenOf("jane@acme.example"),
        }],
      ].sort(),
    );
    const after = parseConfig(await readConfigText(dir), "config");
    assert.deepEqual(Object.keys(after.accounts!), ["legacy"]);
    assert.equal(after.oauthSessions, undefined);
  } finally {
    await server.close();
    await decoy.close();
  }
});

Deno.test("logout: a session holding only a refresh token (no access token) -> the refresh token is revoked; the access token reported skipped (no session)", async () => {
  await withAblyServer({}, async (server) => {
    const config = acmeOAuthWithLegacy(server.host).replace(
      `accessToken = "${accessTokenOf("jane@acme.example")}"\n`,
      "",
    );
    assert.ok(!config.includes(accessTokenOf("jane@acme.example")));
    const dir = await tempConfigDir(config);
    const { code, records } = await runCli(["accounts", "logout", "--force", "--json"], {
      configDir: dir,
    });
    assert.equal(code, 0);
    assert.deepEqual(resultOf(records()).account.revocation, {
      access: { status: "skipped", reason: "no-session" },
      refresh: { status: "revoked" },
    });
    assert.deepEqual(server.revoked(), [refreshTokenOf("jane@acme.example")]);
    assert.deepEqual(aliasesIn(await readConfigText(dir)), ["legacy"]);
  });
});

Deno.test("logout: a stored oauthHost wins over the session key's issuer", async () => {
  const server = startAblyServer();
  try {
    const dir = await tempConfigDir(acmeOAuthWithLegacy("ably.com", { oauthHost: server.host }));
    const { code } = await runCli(["accounts", "logout", "--force"], { configDir: dir });
    assert.equal(code, 0);
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

Deno.test("logout: revocation failures warn, one line per session in words with the next step (JSON keeps the server's answer), and never block the local logout", async () => {
  const refused = await closedHost();
  const server500 = startAblyServer({ revoke: { status: 500, body: '{"error":"server_error"}' } });
  const server400 = startAblyServer({ revoke: { status: 400, body: "bad\u0007 request" } });
  try {
    for (
      const [host, reason, response] of [
        [refused, /^.+$/, undefined],
        [server500.host, /^the server answered 500: server error$/, '{"error":"server_error"}'],
        [server400.host, /^the server answered 400: bad request$/, "bad request"],
      ] as const
    ) {
      const dir = await tempConfigDir(acmeOAuthWithLegacy(host));
      const { code, records } = await runCli(["accounts", "logout", "--force", "--json"], {
        configDir: dir,
      });
      assert.equal(code, 0);
      const all = records();
      const warnings = all.filter((r) => r.status === "warning").map((r) => r.message as string);
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.ok(
        warnings[0].startsWith(`Could not revoke the access and refresh tokens at ${host} (`) &&
          warnings[0].endsWith(
            "): they stay valid until they expire; end them sooner by revoking the Ably CLI's access in the Ably dashboard.",
          ),
        warnings[0],
      );
      const { revocation } = resultOf(all).account;
      assert.equal(revocation.access.status, "failed");
      assert.match(revocation.refresh.reason, reason);
      assert.equal(revocation.refresh.response, response);
      assert.deepEqual(aliasesIn(await readConfigText(dir)), ["legacy"]);
    }
  } finally {
    await server500.close();
    await server400.close();
  }
});

Deno.test("logout: a hanging server costs at most the timeout + 0.5 s", async () => {
  const server = startAblyServer({ revoke: { hang: true } });
  try {
    const dir = await tempConfigDir(acmeOAuthWithLegacy(server.host));
    const { code, elapsedMs, stderr } = await runCli(["accounts", "logout", "--force"], {
      configDir: dir,
      env: { ABLY_OAUTH_TIMEOUT_MS: "500" },
    });
    assert.equal(code, 0);
    assert.ok(elapsedMs < 1000, `took ${Math.round(elapsedMs)}ms`);
    assert.match(
      stderr.replace(/\s+/g, " "),
      /Could not revoke the access and refresh tokens at \S+ \(timed out after 500 ms\)/,
    );
    assert.deepEqual(aliasesIn(await readConfigText(dir)), ["legacy"]);
  } finally {
    await server.close();
  }
});

Deno.test("logout: legacy and shared-session accounts are not revoked, and say so", async () => {
  const server = startAblyServer();
  try {
    const shared = SAMPLE_SHARED.replaceAll("::ably.com", `::${server.host}`);
    const dir = await tempConfigDir(shared);
    const json = await runCli(["accounts", "logout", "--force", "--json"], { configDir: dir });
    assert.equal(json.code, 0);
    const skipped = { status: "skipped", reason: "shared-session", sharedWith: ["acme-ltd"] };
    assert.deepEqual(resultOf(json.records()).account.revocation, {
      access: skipped,
      refresh: skipped,
    });
    const after = parseConfig(await readConfigText(dir), "config");
    assert.equal(
      after.oauthSessions?.[`jane@acme.example::${server.host}`]?.refreshToken,
      "ably_ort_91b2c7d4e5f60718",
    );
    const human = await runCli(["accounts", "logout", "acme-ltd", "--force"], { configDir: dir });
    assert.equal(human.code, 0); // acme-ltd now owns the session alone: revoked
    assert.equal(server.requests.length, 2);

    const legacyDir = await tempConfigDir(SAMPLE_LEGACY);
    const legacy = await runCli(["accounts", "logout", "--force"], { configDir: legacyDir });
    assert.match(
      legacy.stderr.replace(/\s+/g, " "),
      /⚠ Access token not revoked: an access token given at login cannot be revoked by the CLI; revoke it in the Ably dashboard \(Access Tokens\) if it is no longer needed\./,
    );
    assert.equal(server.requests.length, 2);

    const sharedDir = await tempConfigDir(shared);
    const sharedHuman = await runCli(["accounts", "logout", "acme-ltd", "--force"], {
      configDir: sharedDir,
    });
    assert.match(sharedHuman.stderr, /⚠ Tokens not revoked: .*still used by "acme-staging"/);
  } finally {
    await server.close();
  }
});

// --- the file afterwards -----------------------------------------------------

Deno.test("logout: the file keeps the official CLI's bytes and ends up [accounts] [current]", async () => {
  const server = startAblyServer();
  try {
    const shared = SAMPLE_SHARED.replaceAll("::ably.com", `::${server.host}`);
    const dir = await tempConfigDir(shared);
    await runCli(["accounts", "logout", "--force"], { configDir: dir });
    assert.equal(
      await readConfigText(dir),
      shared.replace(/\[accounts\.acme-staging\][^]*?\[accounts\.acme-staging\.apps\]\n/, "")
        .replace('[current]\naccount = "acme-staging"\n', "[current]\n"),
    );
    await runCli(["accounts", "logout", "acme-ltd", "--force"], { configDir: dir });
    assert.equal(await readConfigText(dir), "[accounts]\n[current]\n");
    if (!isWindows) assert.equal((await Deno.stat(`${dir}/config`)).mode! & 0o777, 0o600);
  } finally {
    await server.close();
  }
});

Deno.test("logout: 20 concurrent logouts of 20 aliases all take effect, nothing else changes", async () => {
  const targets = Array.from({ length: 20 }, (_, i) => ({ alias: `t${i}` }));
  const keep = [{ alias: "keep1" }, { alias: "keep2" }];
  const config = buildConfig([keep[0], ...targets, keep[1]], "keep1");
  const dir = await tempConfigDir(config);
  // In one process, each run still takes the OS lock through its own open of config.lock
  // (flock is per open file); processes racing are tested in tests/config/hardening.test.ts.
  const runs = await Promise.all(
    targets.map(({ alias }) =>
      runCli(["accounts", "logout", alias, "--force", "--json"], { configDir: dir })
    ),
  );
  for (const run of runs) assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(await readConfigText(dir), buildConfig(keep, "keep1"));
});

// --- human output and confirmation -------------------------------------------

Deno.test("logout: human output says what happened on stdout and stderr", async () => {
  const dir = await tempConfigDir(buildConfig([{ alias: "a" }, { alias: "b" }], "a"));
  const first = await runCli(["accounts", "logout", "--force"], { configDir: dir });
  assert.equal(first.stdout, 'Run "ably accounts switch b" to select another account.\n');
  assert.match(first.stderr, /✓ Successfully logged out from account a\.\n$/);
  const last = await runCli(["accounts", "logout", "b", "--force"], { configDir: dir });
  assert.equal(
    last.stdout,
    'No remaining accounts. Run "ably accounts login" to log in to an account.\n',
  );
});

Deno.test("logout: a piped y/yes confirms, anything else declines (exit 0, unchanged)", async () => {
  for (
    const [answer, loggedOut] of [["y\n", true], ["YES\n", true], ["n\n", false], [
      "\n",
      false,
    ], ["nope", false]] as const
  ) {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    const run = await runCli(["accounts", "logout"], { configDir: dir, stdin: answer });
    assert.equal(run.code, 0, JSON.stringify(answer));
    // The question is for the person at the terminal: stderr, so stdout keeps only results.
    assert.match(
      run.stderr,
      /^⚠ Logging out will remove all configuration for account "default"\.\nThis includes access tokens and any app configurations associated with this account\.\nAre you sure you want to proceed\? \[y\/N\] /,
    );
    assert.doesNotMatch(run.stdout, /Are you sure/);
    if (loggedOut) assert.deepEqual(aliasesIn(await readConfigText(dir)), []);
    else {
      assert.match(run.stderr, /⚠ Logout cancelled\./);
      assert.equal(await readConfigText(dir), SAMPLE_LEGACY);
    }
  }
});

Deno.test("logout: no answer on stdin (EOF) cancels with a hint to use --force, exit 1", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const run = await runCli(["accounts", "logout"], { configDir: dir, stdin: "" });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Error: Logout cancelled\./);
  assert.match(unwrapped(run.stderr), /Use --force to log out without/);
  assert.equal(await readConfigText(dir), SAMPLE_LEGACY);
});

Deno.test("logout --pretty-json: indented, and uncoloured when piped", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const { code, stdout } = await runCli(["accounts", "logout", "--force", "--pretty-json"], {
    configDir: dir,
    env: { NO_COLOR: "" },
  });
  assert.equal(code, 0);
  assert.ok(!stdout.includes("\x1b["));
  assert.match(stdout, /^\{\n {2}"type": "result",\n {2}"command": "accounts:logout",/);
  assert.match(stdout, /"status": "completed",\n {2}"exitCode": 0\n\}\n$/);
});

Deno.test("logout --verbose --json: log records, never a token", async () => {
  const server = startAblyServer();
  try {
    const dir = await tempConfigDir(acmeOAuthWithLegacy(server.host));
    const { code, records } = await runCli(["accounts", "logout", "--force", "--json", "-v"], {
      configDir: dir,
    });
    assert.equal(code, 0);
    const logs = records().filter((r) => r.type === "log");
    assert.ok(logs.length >= 4);
    for (const log of logs) {
      assert.equal(log.command, "accounts:logout");
      assert.equal(typeof log.timestamp, "string");
    }
    assert.ok(logs.some((l) => l.event === "revokeResult" && l.status === "revoked"));
  } finally {
    await server.close();
  }
});

Deno.test("logout: another run holding the config lock -> bounded wait, clear error", {
  ignore: isWindows,
}, async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const holder = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      new URL("../../helpers/hold_lock.ts", import.meta.url).pathname,
      `${dir}/config.lock`,
    ],
    stdout: "piped",
  }).spawn();
  const reader = holder.stdout.getReader();
  await reader.read();
  try {
    const run = await spawnCli(["accounts", "logout", "--force"], {
      configDir: dir,
      env: { ABLY_CONFIG_LOCK_TIMEOUT_MS: "300" },
    });
    assert.equal(run.code, 1);
    assert.match(
      unwrapped(run.stderr),
      /Timed out after 300 ms waiting for the lock/,
    );
    assert.equal(await readConfigText(dir), SAMPLE_LEGACY);
  } finally {
    holder.kill("SIGKILL");
    await holder.status;
    reader.releaseLock();
    await holder.stdout.cancel();
  }
});

// --- on a real terminal ---------------------------------------------------------

// --- --all and the picker -----------------------------------------------------------

Deno.test("logout --all: every account in one write, each session revoked once, in parallel", async () => {
  let inFlight = 0;
  let peak = 0;
  const tokensSeen: string[] = [];
  const slow = startAblyServer({
    revoke: async (request) => {
      tokensSeen.push(request.form.token);
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 300));
      inFlight--;
      return { status: 200 };
    },
  });
  try {
    const issuer = slow.host;
    const sessions = ["a", "b", "c", "d", "e"];
    const config = buildConfig([
      ...sessions.map((s) => ({ alias: s, issuer, email: `${s}@example.com` })),
      { alias: "a-twin", issuer, email: "a@example.com" }, // shares a's session
      { alias: "legacy" },
    ], "a");
    const dir = await tempConfigDir(
      `${config}\n[[helpContext.conversation.messages]]\ncontent = "hi"\nrole = "user"\n`,
    );
    const run = await runCli(["accounts", "logout", "--all", "--force", "--json"], {
      configDir: dir,
      env: { ABLY_OAUTH_TIMEOUT_MS: "3000" },
    });
    assert.equal(run.code, 0, run.stdout);
    // 5 sessions x 2 tokens, each 300 ms: together about one round trip, not ten.
    assert.equal(tokensSeen.length, 10);
    assert.equal(new Set(tokensSeen).size, 10);
    assert.equal(peak, 10);
    assert.ok(run.elapsedMs < 1500, `took ${Math.round(run.elapsedMs)}ms`);
    const result = resultOf(run.records());
    assert.deepEqual(result.remainingAccounts, []);
    assert.deepEqual(result.accounts.map((a: { alias: string }) => a.alias), [
      "a",
      "b",
      "c",
      "d",
      "e",
      "a-twin",
      "legacy",
    ]);
    const revoked = { status: "revoked" };
    assert.deepEqual(result.accounts[0].revocation, { access: revoked, refresh: revoked });
    assert.deepEqual(result.accounts[5].revocation, { access: revoked, refresh: revoked });
    assert.equal(result.accounts[6].revocation.access.reason, "access-token");
    // What the official CLI reads as "no accounts"; other tables survive.
    assert.equal(
      await readConfigText(dir),
      '[accounts]\n[current]\n[[helpContext.conversation.messages]]\ncontent = "hi"\nrole = "user"\n',
    );
  } finally {
    await slow.close();
  }
});

Deno.test("logout --all: confirmation lists the aliases; usage and JSON rules as for one account", async () => {
  const config = buildConfig([{ alias: "one" }, { alias: "two" }], "one");
  const dir = await tempConfigDir(config);
  const declined = await runCli(["accounts", "logout", "--all"], { configDir: dir, stdin: "n\n" });
  assert.equal(declined.code, 0);
  assert.match(
    declined.stderr,
    /^⚠ Logging out will remove all configuration for 2 accounts: "one", "two"\.\nThis includes access tokens and any app configurations associated with these accounts\./,
  );
  assert.equal(await readConfigText(dir), config);

  const withAlias = await runCli(["accounts", "logout", "one", "--all"], { configDir: dir });
  assert.equal(withAlias.code, 2);
  assert.match(withAlias.stderr, /--all logs out of every account/);
  const noForce = await runCli(["accounts", "logout", "--all", "--json"], { configDir: dir });
  assert.equal(noForce.code, 1);
  assert.match(noForce.stdout, /The --force flag is required/);
  assert.equal(await readConfigText(dir), config);

  const confirmed = await runCli(["accounts", "logout", "--all"], { configDir: dir, stdin: "y\n" });
  assert.equal(confirmed.code, 0);
  assert.match(confirmed.stderr, /✓ Successfully logged out from 2 accounts: one, two\./);
  assert.equal(await readConfigText(dir), "[accounts]\n[current]\n");

  const empty = await runCli(["accounts", "logout", "--all", "--force"], { configDir: dir });
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /No accounts configured/);
});

Deno.test("logout without a terminal and no current account keeps the reference error", async () => {
  const dir = await tempConfigDir(buildConfig([{ alias: "first" }]));
  const run = await runCli(["accounts", "logout"], { configDir: dir, stdin: "y\n" });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /No account is currently selected and no alias or ID provided/);
});

Deno.test("logout: aliases that are JavaScript property names are just aliases", async () => {
  const dir = await tempConfigDir(buildConfig([{ alias: "constructor" }, { alias: "b" }], "b"));
  const missing = await runCli(["accounts", "logout", "hasOwnProperty", "--force", "--json"], {
    configDir: dir,
  });
  assert.equal(missing.code, 1);
  assert.match(resultOf(missing.records()).error.message, /Account "hasOwnProperty" not found/);
  const run = await runCli(["accounts", "logout", "constructor", "--force", "--json"], {
    configDir: dir,
  });
  assert.equal(run.code, 0, run.stdout);
  assert.deepEqual(aliasesIn(await readConfigText(dir)), ["b"]);
});

// --- the table: one row per situation, in-process --------------------------------------

interface Row {
  name: string;
  /** The accounts in the file (`issuer: "server"` means the test's authorization server). */
  accounts: AccountSpec[];
  current?: string;
  args: string[];
  /** Answers on a terminal; without them stdin is a pipe holding `stdin`. */
  replies?: Reply[];
  stdin?: string;
  /** How the authorization server answers revocations. */
  revoke?: Scripted;
  code: number;
  stdout?: RegExp;
  stderr?: RegExp;
  /** Aliases left in the file; `undefined` when the file must be byte-identical. */
  left?: string[];
  /** Tokens the server was asked to revoke (by owner email, access and refresh). */
  revoked?: string[];
}

const ACME: AccountSpec = { alias: "acme", id: "VgQpOZ", issuer: "server", email: "jane@acme" };
const BETA: AccountSpec = { alias: "beta", id: "Bx9Yz1", issuer: "server", email: "bob@beta" };
const LEGACY: AccountSpec = { alias: "old", id: "0ld123" };
const SHARED: AccountSpec = { ...BETA, alias: "beta-2", id: "Bx9Yz2" };

const ROWS: Row[] = [
  {
    name: "forced, current OAuth account: both tokens revoked, account removed",
    accounts: [ACME, BETA],
    current: "acme",
    args: ["--force"],
    code: 0,
    stdout: /Run "ably accounts switch beta" to select another account\./,
    stderr: /Successfully logged out from account acme\./,
    left: ["beta"],
    revoked: ["jane@acme"],
  },
  {
    name: "by account ID, terminal, answered yes",
    accounts: [ACME, BETA],
    current: "beta",
    args: ["VgQpOZ"],
    replies: ["yes"],
    code: 0,
    stdout: /Account beta is still the current account\./,
    left: ["beta"],
    revoked: ["jane@acme"],
  },
  {
    name: "terminal, answered no: nothing changes, exit 0",
    accounts: [ACME],
    current: "acme",
    args: [],
    replies: ["no"],
    code: 0,
    stderr: /Logout cancelled\./,
  },
  {
    name: "terminal, Ctrl-C at the question: nothing changes, exit 130",
    accounts: [ACME],
    current: "acme",
    args: [],
    replies: [CANCEL],
    code: 130,
    stderr: /Logout cancelled\./,
  },
  {
    name: "piped yes confirms",
    accounts: [ACME],
    current: "acme",
    args: [],
    stdin: "yes\n",
    code: 0,
    left: [],
    revoked: ["jane@acme"],
  },
  {
    name: "piped nothing (EOF): cancelled with a --force hint, exit 1",
    accounts: [ACME],
    current: "acme",
    args: [],
    stdin: "",
    code: 1,
    stderr:
      /Logout cancelled\. No answer was read from standard input\. Use --force to log out without confirmation/,
  },
  {
    name: "no current account, terminal: pick from the list",
    accounts: [ACME, BETA],
    args: ["--force"],
    replies: [1],
    code: 0,
    left: ["acme"],
    revoked: ["bob@beta"],
  },
  {
    name: "no current account, no terminal: the reference error",
    accounts: [ACME],
    args: ["--force"],
    code: 1,
    stderr: /No account is currently selected and no alias or ID provided/,
  },
  {
    name: "--json without --force and nothing current: the --force rule first",
    accounts: [ACME],
    args: ["--json"],
    code: 1,
    stdout: /The --force flag is required when using --json/,
  },
  {
    name: "shared session: not revoked, and said so",
    accounts: [BETA, SHARED],
    current: "beta",
    args: ["--force"],
    code: 0,
    stderr: /Tokens not revoked: the OAuth session is still used by "beta-2"/,
    left: ["beta-2"],
    revoked: [],
  },
  {
    name: "a token login: cannot be revoked, and said so with where it can be",
    accounts: [LEGACY, ACME],
    current: "old",
    args: ["--force"],
    code: 0,
    stderr: /Access token not revoked: an access token given at login cannot be revoked by the CLI/,
    left: ["acme"],
    revoked: [],
  },
  {
    name: "revocation refused (500): warned, logout still done",
    accounts: [ACME],
    current: "acme",
    args: ["--force"],
    revoke: { status: 500, body: "boom" },
    code: 0,
    stderr:
      /Could not revoke the access and refresh tokens at \S+ \(the server answered 500: boom\)/,
    left: [],
    revoked: ["jane@acme"],
  },
  {
    name: "--all on a terminal: every account, each session once",
    accounts: [ACME, BETA, SHARED, LEGACY],
    current: "acme",
    args: ["--all"],
    replies: ["yes"],
    code: 0,
    stderr:
      /4 accounts: "acme", "beta", "beta-2", "old"[^]*Successfully logged out from 4 accounts/,
    left: [],
    revoked: ["jane@acme", "bob@beta"],
  },
  {
    name: "--all with an alias: usage error",
    accounts: [ACME],
    args: ["--all", "acme"],
    code: 2,
    stderr: /--all logs out of every account; do not name one as well\./,
  },
];

for (const row of ROWS) {
  Deno.test(`logout table: ${row.name}`, async () => {
    const server = startAblyServer({ revoke: row.revoke });
    try {
      const specs = row.accounts.map((a) => (a.issuer ? { ...a, issuer: server.host } : a));
      const config = buildConfig(specs, row.current);
      const dir = await tempConfigDir(config);
      const run = await runCli(["accounts", "logout", ...row.args], {
        configDir: dir,
        replies: row.replies,
        stdin: row.stdin,
        // Wide enough that no line wraps: what is said is asserted here, wrapping elsewhere.
        columns: 400,
      });
      assert.equal(run.code, row.code, run.stdout + run.stderr);
      if (row.stdout) assert.match(run.stdout, row.stdout);
      if (row.stderr) assert.match(unwrapped(run.stderr), row.stderr);
      const text = await readConfigText(dir);
      if (row.left === undefined) assert.equal(text, config);
      else assert.deepEqual(aliasesIn(text), row.left);
      const expected = (row.revoked ?? []).flatMap((email) => [
        accessTokenOf(email),
        refreshTokenOf(email),
      ]);
      assert.deepEqual(server.requests.map((r) => r.form.token).sort(), expected.sort());
    } finally {
      await server.close();
    }
  });
}

/** A file holding `acme` (current), its session minted by a fresh authorization server. */
async function withAcme(
  fn: (server: AblyServer, dir: string, config: string) => Promise<void>,
): Promise<void> {
  const server = startAblyServer();
  try {
    const config = buildConfig([{ ...ACME, issuer: server.host }], "acme");
    await fn(server, await tempConfigDir(config), config);
  } finally {
    await server.close();
  }
}

// --- what must hold when another process changes the file meanwhile --------------------

Deno.test("logout: tokens another process rotated while we asked are the ones revoked", async () => {
  const server = startAblyServer();
  try {
    const spec = { ...ACME, issuer: server.host };
    const config = buildConfig([spec], "acme");
    const dir = await tempConfigDir(config);
    const rotated = config
      .replace(accessTokenOf("jane@acme"), "rotated_at_SeCrEt")
      .replace(refreshTokenOf("jane@acme"), "rotated_rt_SeCrEt");
    const run = await runCli(["accounts", "logout"], {
      configDir: dir,
      replies: [async () => {
        // Another ably run refreshes the session while the question is open.
        await Deno.writeTextFile(configFileIn(dir), rotated);
        return "yes";
      }],
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      server.requests.map((r) => r.form.token).sort(),
      ["rotated_at_SeCrEt", "rotated_rt_SeCrEt"],
    );
    assert.deepEqual(aliasesIn(await readConfigText(dir)), []);
  } finally {
    await server.close();
  }
});

Deno.test("logout: an alias logged out meanwhile -> `no longer configured`, exit 1, nothing revoked", async () => {
  const server = startAblyServer();
  try {
    const config = buildConfig([{ ...ACME, issuer: server.host }, BETA], "acme");
    const dir = await tempConfigDir(config);
    const without = buildConfig([BETA], "beta");
    const run = await runCli(["accounts", "logout", "acme"], {
      configDir: dir,
      replies: [async () => {
        // Another ably run logs acme out while the question is open.
        await Deno.writeTextFile(configFileIn(dir), without);
        return "yes";
      }],
    });
    assert.equal(run.code, 1);
    assert.match(
      unwrapped(run.stderr),
      /Account "acme" is no longer configured; another ably process may have logged it out\./,
    );
    assert.equal(await readConfigText(dir), without);
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

// --- nothing revoked unless the logout is saved ----------------------------------------

Deno.test("logout: another process holding the lock -> error, and nothing revoked", async () => {
  await withAcme(async (server, dir, config) => {
    const lock = await holdConfigLock(dir);
    const run = await runCli(["accounts", "logout", "--force", "--json"], {
      configDir: dir,
      env: { ABLY_CONFIG_LOCK_TIMEOUT_MS: "300" },
    }).finally(() => lock.release());
    assert.equal(run.code, 1);
    assert.match(
      resultOf(run.records()).error.message,
      /Timed out after 300 ms waiting for the lock/,
    );
    assert.equal(server.requests.length, 0);
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test("logout: a write that fails after revoking says exactly which tokens are dead", async () => {
  await withAcme(async (server, dir) => {
    const run = await runCli(["accounts", "logout", "--force"], {
      configDir: dir,
      fetch: async (input, init) => {
        // While the tokens are being revoked, the config path turns into a directory that
        // cannot be renamed over: the one failure left after revoking.
        await Deno.remove(configFileIn(dir)).catch(() => {});
        await Deno.mkdir(configFileIn(dir), { recursive: true });
        await Deno.writeTextFile(`${configFileIn(dir)}/keep`, "x");
        return fetch(input, init);
      },
    });
    assert.equal(run.code, 1);
    assert.match(
      unwrapped(run.stderr),
      /these tokens were already revoked: access token, refresh token\. The accounts that used them are still configured with them/,
    );
    assert.equal(server.requests.length, 2);
  });
});

Deno.test("logout: a second's wait for the lock is said, with the holder's pid when it is an ably process (its heartbeat seen), never a stale one", async () => {
  const cases: { name: string; holder?: number; stale?: string; said: RegExp }[] = [
    {
      name: "an ably process",
      holder: 4242,
      said: /Waiting for another ably process \(pid 4242\) to finish updating/,
    },
    {
      // A killed ably run left its pid; now a script's flock holds the file.
      name: "something else, a dead run's pid in the file",
      stale: "31337\n",
      said: /Waiting for another process to finish updating [^\n]*config\.\.\.\n/,
    },
  ];
  for (const c of cases) {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    if (c.stale) await Deno.writeTextFile(`${dir}/config.lock`, c.stale);
    const lock = await holdConfigLock(dir, c.holder);
    const release = setTimeout(() => lock.release(), 1300);
    const run = await runCli(["accounts", "logout", "--force"], { configDir: dir });
    clearTimeout(release);
    await lock.release().catch(() => {});
    assert.equal(run.code, 0, `${c.name}: ${run.stderr}`);
    assert.match(unwrapped(run.stderr), c.said, c.name);
    assert.ok(!run.stderr.includes("31337"), c.name);
  }
});

Deno.test("logout: Ctrl-C while waiting for the lock cancels, nothing revoked or changed", async () => {
  await withAcme(async (server, dir, config) => {
    const lock = await holdConfigLock(dir);
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 200);
    const run = await runCli(["accounts", "logout", "--force"], { configDir: dir, interrupt })
      .finally(() => lock.release());
    assert.equal(run.code, 130);
    assert.match(run.stderr, /Logout cancelled\./);
    assert.equal(server.requests.length, 0);
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test("logout: every malformed setting is a usage error naming it, before any request or write", async () => {
  await withAcme(async (server, dir, config) => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ ABLY_CONFIG_LOCK_TIMEOUT_MS: "abc" }, [], /ABLY_CONFIG_LOCK_TIMEOUT_MS must be a whole/],
      [{ ABLY_OAUTH_TIMEOUT_MS: "-5" }, [], /ABLY_OAUTH_TIMEOUT_MS must be a whole number/],
      [{ ABLY_CONTROL_TIMEOUT_MS: "1.5" }, [], /ABLY_CONTROL_TIMEOUT_MS must be a whole number/],
      [{ ABLY_OAUTH_HOST: "https://x/y" }, [], /ABLY_OAUTH_HOST must be a host name/],
      [{ ABLY_CONTROL_HOST: "a b" }, [], /ABLY_CONTROL_HOST must be a host name/],
      [{}, ["--oauth-host", "evil.example/path"], /--oauth-host must be a host name/],
    ];
    for (const [env, args, message] of cases) {
      const run = await runCli(["accounts", "logout", "--force", ...args], { configDir: dir, env });
      assert.equal(run.code, 2, JSON.stringify(env));
      assert.match(unwrapped(run.stderr), message);
    }
    assert.equal(server.requests.length, 0);
    assert.equal(await readConfigText(dir), config);
  });
});

Deno.test("logout: an OAuth account whose session is gone is removed; nothing to revoke", async () => {
  const config = '[accounts.x]\naccountId = "a1"\nauthMethod = "oauth"\n' +
    'oauthSessionKey = "j::h.example"\n[accounts.y]\naccountId = "a2"\n[current]\naccount = "x"\n';
  const dir = await tempConfigDir(config);
  const run = await runCli(["accounts", "logout", "x", "--force", "--json"], { configDir: dir });
  assert.equal(run.code, 0, run.stdout);
  assert.deepEqual(resultOf(run.records()).account.revocation, {
    access: { status: "skipped", reason: "no-session" },
    refresh: { status: "skipped", reason: "no-session" },
  });
  assert.deepEqual(run.hosts, []);
  assert.deepEqual(aliasesIn(await readConfigText(dir)), ["y"]);
});

Deno.test("logout: a legacy account without a token is removed; its revocation says no-session (one with a token says access-token)", async () => {
  const config = buildConfig([{ alias: "bare" }, { alias: "old" }], "bare")
    .replace('accessToken = "legacy_bare_SeCrEt"\n', "");
  const dir = await tempConfigDir(config);
  const bare = await runCli(["accounts", "logout", "bare", "--force", "--json"], {
    configDir: dir,
  });
  assert.equal(bare.code, 0, bare.stdout);
  assert.deepEqual(resultOf(bare.records()).account.revocation, {
    access: { status: "skipped", reason: "no-session" },
    refresh: { status: "skipped", reason: "no-session" },
  });
  const old = await runCli(["accounts", "logout", "old", "--force", "--json"], { configDir: dir });
  assert.equal(old.code, 0, old.stdout);
  assert.deepEqual(resultOf(old.records()).account.revocation, {
    access: { status: "skipped", reason: "access-token" },
    refresh: { status: "skipped", reason: "access-token" },
  });
  assert.deepEqual(bare.hosts.concat(old.hosts), []);
  assert.deepEqual(aliasesIn(await readConfigText(dir)), []);
});

Deno.test("logout on a terminal: Ctrl-C at the account picker cancels, exit 130, unchanged", async () => {
  const dir = await tempConfigDir(SAMPLE_SHARED);
  const run = await runCli(["accounts", "logout"], { configDir: dir, replies: [CANCEL] });
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /Logout cancelled\./);
  assert.equal(await readConfigText(dir), SAMPLE_SHARED);
  assert.deepEqual(run.hosts, []);
});

Deno.test("logout --all: an account another process adds while we wait for the lock is logged out too", async () => {
  const server = startAblyServer();
  try {
    const config = buildConfig(
      [{ ...ACME, issuer: server.host }, { ...BETA, issuer: server.host }],
      "acme",
    );
    const dir = await tempConfigDir(config);
    const LATE: AccountSpec = { alias: "late", id: "L4te00", issuer: server.host, email: "l@te" };
    const withLate = buildConfig([{ ...ACME, issuer: server.host }, {
      ...BETA,
      issuer: server.host,
    }, LATE], "acme");
    let released: Promise<void> | undefined;
    const run = await runCli(["accounts", "logout", "--all"], {
      configDir: dir,
      env: { ABLY_CONFIG_LOCK_TIMEOUT_MS: "10000" },
      replies: [async () => {
        // Another ably run holds the lock and adds an account; it lets go 300 ms later.
        const lock = await holdConfigLock(dir);
        await Deno.writeTextFile(configFileIn(dir), withLate);
        released = new Promise((r) => setTimeout(r, 300)).then(() => lock.release());
        return "yes";
      }],
    });
    await released;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Successfully logged out from 3 accounts: acme, beta, late\./);
    assert.match(run.stdout, /No remaining accounts\./);
    assert.deepEqual(aliasesIn(await readConfigText(dir)), []);
    assert.deepEqual(
      server.requests.map((r) => r.form.token).sort(),
      [
        accessTokenOf("jane@acme"),
        refreshTokenOf("jane@acme"),
        accessTokenOf("bob@beta"),
        refreshTokenOf("bob@beta"),
        accessTokenOf("l@te"),
        refreshTokenOf("l@te"),
      ]
        .sort(),
    );
  } finally {
    await server.close();
  }
});

Deno.test("logout --all (human): a session no account uses is ended too, its tokens revoked at its issuer, said in one line; one account is asked about in the singular", async () => {
  const server = startAblyServer();
  try {
    const orphanKey = `orphan@example.com::${server.host}`;
    const config = buildConfig(
      [{ alias: "acme", issuer: server.host, email: "j@acme.example" }],
      "acme",
    )
      .replace(
        "[current]",
        `[oauthSessions."${orphanKey}"]\naccessToken = "${accessTokenOf("orphan@example.com")}"\n` +
          `refreshToken = "${refreshTokenOf("orphan@example.com")}"\n\n[current]`,
      );
    const dir = await tempConfigDir(config);
    const run = await runCli(["accounts", "logout", "--all"], {
      configDir: dir,
      replies: ["yes"],
      columns: 1000,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /⚠ Logging out will remove all configuration for 1 account: "acme"\.\nThis includes access tokens and any app configurations associated with this account\./,
    );
    assert.match(
      run.stderr,
      /Also ended 1 OAuth session no account used \(left by a hand edit or an older tool\); their tokens were revoked\./,
    );
    assert.match(run.stderr, /Successfully logged out from 1 account: acme\./);
    assert.deepEqual(
      server.revoked(),
      [
        accessTokenOf("j@acme.example"),
        refreshTokenOf("j@acme.example"),
        accessTokenOf("orphan@example.com"),
        refreshTokenOf("orphan@example.com"),
      ].sort(),
    );
    const after = parseConfig(await readConfigText(dir), "c");
    assert.deepEqual(aliasesIn(await readConfigText(dir)), []);
    assert.equal(after.oauthSessions, undefined);
  } finally {
    await server.close();
  }
});

Deno.test("logout --all: the only account kept (its keychain tokens unreadable) -> exit 1 in the singular, no success line, nothing revoked or changed", async () => {
  const server = startAblyServer();
  try {
    const email = "solo@example.com";
    const config = buildConfig([{ alias: "solo", issuer: server.host, email }], "solo")
      .replace(`accessToken = "${accessTokenOf(email)}"\n`, "")
      .replace(`refreshToken = "${refreshTokenOf(email)}"\n`, 'credentialStore = "keychain"\n');
    const keychain = new FakeKeychain({
      [`${email}::${server.host}`]: JSON.stringify({ accessToken: accessTokenOf(email) }),
    });
    keychain.state = "locked";
    const dir = await tempConfigDir(config);
    const run = await runCli(["accounts", "logout", "--all", "--force"], {
      configDir: dir,
      keychain,
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      unwrapped(run.stderr),
      /1 account was not logged out because its tokens could not be read from the OS keychain: solo\. Fix that as said above and run the logout again, or add --skip-revoke to remove it without revoking its tokens\./,
    );
    assert.doesNotMatch(run.stdout + run.stderr, /Successfully logged out/);
    assert.deepEqual(server.revoked(), []);
    assert.equal(await readConfigText(dir), config);
  } finally {
    await server.close();
  }
});

Deno.test("logout: a session whose key records no issuer is revoked at --oauth-host", async () => {
  await withAblyServer({}, async (server) => {
    const email = "jane@acme";
    const dir = await tempConfigDir(
      `[accounts.acme]
accountId = "VgQpOZ"
authMethod = "oauth"
oauthSessionKey = "${email}"

[oauthSessions."${email}"]
accessToken = "${accessTokenOf(email)}"
refreshToken = "${refreshTokenOf(email)}"
`,
    );
    const run = await runCli(
      ["accounts", "logout", "acme", "--force", "--oauth-host", server.host],
      {
        configDir: dir,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      server.to("/oauth/revoke").map((request) => request.form.token).sort(),
      [accessTokenOf(email), refreshTokenOf(email)].sort(),
    );
  });
});

Deno.test("logout: a write that fails after revoking does not offer to remove the account anyway or --skip-revoke", async () => {
  await withAcme(async (_server, dir) => {
    const run = await runCli(["accounts", "logout", "--force"], {
      configDir: dir,
      fetch: async (input, init) => {
        await Deno.remove(configFileIn(dir)).catch(() => {});
        await Deno.mkdir(configFileIn(dir), { recursive: true });
        await Deno.writeTextFile(`${configFileIn(dir)}/keep`, "x");
        return fetch(input, init);
      },
    });
    assert.equal(run.code, 1);
    assert.match(unwrapped(run.stderr), /these tokens were already revoked/);
    assert.doesNotMatch(unwrapped(run.stderr), /Removing it anyway|--skip-revoke/);
  });
});

Deno.test("logout: Ctrl-C while the issuer hangs cuts the revocation short (not the OAuth time-out), completes the logout and says so (exit 130)", async () => {
  const seen = Promise.withResolvers<void>();
  await withAblyServer({
    revoke: () => {
      seen.resolve();
      return { hang: true };
    },
  }, async (server) => {
    const dir = await tempConfigDir(acmeOAuthWithLegacy(server.host));
    const interrupt = new AbortController();
    seen.promise.then(() => setTimeout(() => interrupt.abort(), 50));
    const started = performance.now();
    const run = await runCli(["accounts", "logout", "acme", "--force"], {
      configDir: dir,
      interrupt,
      env: { ABLY_OAUTH_TIMEOUT_MS: "20000" },
    });
    const elapsed = performance.now() - started;
    assert.equal(run.code, 130, run.stderr);
    assert.ok(
      elapsed < 5_000,
      `took ${Math.round(elapsed)} ms: the revocation waited for its time-out`,
    );
    assert.match(unwrapped(run.stderr), /Interrupted while revoking: the logout was completed/);
    assert.doesNotMatch(await readConfigText(dir), /\[accounts\.acme\]/);
  });
});

Deno.test("logout: Ctrl-C while the issuer hangs, the file rewritten by another program meanwhile -> the logout is redone on the fresh file and completed all the same (exit 130), the other program's change kept", async () => {
  const seen = Promise.withResolvers<void>();
  await withAblyServer({
    revoke: () => {
      seen.resolve();
      return { hang: true };
    },
  }, async (server) => {
    const config = acmeOAuthWithLegacy(server.host);
    const dir = await tempConfigDir(config);
    const interrupt = new AbortController();
    seen.promise.then(async () => {
      // As the official CLI writes it, with no lock: the whole file, in place.
      await Deno.writeTextFile(configFileIn(dir), `${config}\n[accounts.added]\naccountId = "x"\n`);
      setTimeout(() => interrupt.abort(), 50);
    });
    const run = await runCli(["accounts", "logout", "acme", "--force"], {
      configDir: dir,
      interrupt,
      env: { ABLY_OAUTH_TIMEOUT_MS: "20000" },
    });
    assert.equal(run.code, 130, run.stderr);
    assert.match(unwrapped(run.stderr), /Interrupted while revoking: the logout was completed/);
    assert.doesNotMatch(unwrapped(run.stderr), /already revoked/);
    assert.deepEqual(aliasesIn(await readConfigText(dir)), ["legacy", "added"]);
  });
});

Deno.test("logout: another program replaces the session's access token while ours is revoked -> redone on the fresh file; the new token is revoked too, and the result still says both of ours were", async () => {
  await withAblyServer({}, async (server) => {
    const config = acmeOAuthWithLegacy(server.host);
    const dir = await tempConfigDir(config);
    const oldAccess = accessTokenOf("jane@acme.example");
    // As the official CLI refreshing only the access token: the whole file, in place, no lock.
    const rewritten = config.replace(oldAccess, "other_new_access_SeCrEt");
    assert.notEqual(rewritten, config);
    const run = await runCli(["accounts", "logout", "acme", "--force", "--json"], {
      configDir: dir,
      secrets: [oldAccess, refreshTokenOf("jane@acme.example"), "other_new_access_SeCrEt"],
      fetch: actingAt(
        "/oauth/revoke",
        "after",
        () => Deno.writeTextFile(configFileIn(dir), rewritten),
      ),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      server.revoked().sort(),
      [oldAccess, refreshTokenOf("jane@acme.example"), "other_new_access_SeCrEt"].sort(),
    );
    assert.deepEqual(resultOf(run.records()).account.revocation, {
      access: { status: "revoked" },
      refresh: { status: "revoked" },
    });
    assert.deepEqual(aliasesIn(await readConfigText(dir)), ["legacy"]);
  });
});

Deno.test("logout --all: a keychain session no account uses whose item cannot be read is kept and reported (exit 1), not a keychain error; the other accounts are logged out", async () => {
  await withAblyServer({}, async (server) => {
    const orphan = `orphan@example.com::${server.host}`;
    const config = buildConfig(
      [{ alias: "acme", issuer: server.host, email: "j@acme.example" }],
      "acme",
    ).replace(
      "[current]",
      `[oauthSessions."${orphan}"]\ncredentialStore = "keychain"\n\n[current]`,
    );
    for (const json of [true, false]) {
      const keychain = new FakeKeychain({
        [orphan]: JSON.stringify({ accessToken: accessTokenOf("orphan@example.com") }),
      });
      keychain.state = "locked";
      const dir = await tempConfigDir(config);
      const run = await runCli(
        ["accounts", "logout", "--all", "--force", ...(json ? ["--json"] : [])],
        { configDir: dir, keychain },
      );
      assert.equal(run.code, 1, run.stderr);
      if (json) {
        const result = resultOf(run.records());
        assert.deepEqual(result.accounts.map((a: { alias: string }) => a.alias), ["acme"]);
        assert.deepEqual(
          result.keptSessions.map((s: { sessionKey: string }) => s.sessionKey),
          [orphan],
        );
        assert.match(result.keptSessions[0].reason, /Cannot read the tokens of the OAuth session/);
      } else {
        assert.match(
          unwrapped(run.stderr),
          new RegExp(
            `OAuth session "${orphan}", which no account uses, was kept: Cannot read the tokens`,
          ),
        );
        assert.match(
          unwrapped(run.stderr),
          /1 OAuth session no account uses was not ended because its tokens could not be read from the OS keychain/,
        );
        assert.match(run.stderr, /Successfully logged out from 1 account: acme\./);
      }
      assert.doesNotMatch(unwrapped(run.stderr), /--skip-revoke|Removing it anyway/);
      const after = parseConfig(await readConfigText(dir), "c");
      assert.deepEqual(Object.keys(after.accounts ?? {}), []);
      assert.deepEqual(Object.keys(after.oauthSessions ?? {}), [orphan]);
      assert.ok(keychain.items.has(orphan));
    }
    assert.deepEqual(
      server.revoked(),
      [accessTokenOf("j@acme.example"), refreshTokenOf("j@acme.example")].flatMap((t) => [t, t])
        .sort(),
    );
  });
});
