/** End to end: `ably accounts login` / `ably login` against a local OAuth server + Control API. */
import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/toml.ts";
import {
  type AblyServerScript,
  actingAt,
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
  baseEnv,
  MAIN,
  PERMISSIONS,
  readConfigText,
  runCli,
  runCliOnTerminal,
  spawnCli,
  tempConfigDir,
  tempDir,
  tempFile,
  unwrapped,
} from "../../helpers/cli.ts";
import {
  type AccountSpec,
  ALL_SECRETS,
  buildConfig,
  holdConfigLock,
} from "../../helpers/fixtures.ts";
import { CANCEL } from "../../helpers/in-process.ts";
import { until, withDeadline } from "../../helpers/deadline.ts";

const isWindows = Deno.build.os === "windows";

function records(stdout: string) {
  return stdout.trim().split("\n").map((line) => JSON.parse(line));
}

/** A fetch that does `act` (another process's change, say) as the login asks for API keys. */
function whilePickingKey(act: () => Promise<void>): typeof fetch {
  return actingAt("/keys", "before", act);
}

// --- the table: one row per situation, in-process --------------------------------------

interface Row {
  name: string;
  /** The accounts in the file before the login (`issuer: "server"`: the test's server). */
  accounts?: AccountSpec[];
  current?: string;
  /** After `accounts login` and the flags pointing at the test's server. */
  args: string[];
  env?: Record<string, string>;
  /** Answers on a terminal; without them stdin is a pipe holding `stdin`. */
  replies?: Reply[];
  stdin?: string | Uint8Array;
  /** Tokens that must never appear in output, beyond the fixtures'. */
  secrets?: string[];
  /** How the fake Ably server answers (default: one account, one app, one key). */
  script?: AblyServerScript;
  code: number;
  /** What the file holds after; without it, the file is as before (or still absent). */
  stored?: {
    alias: string;
    /** Every alias in the file, in order (default: not checked). */
    aliases?: string[];
    /** The account ID stored under `alias` (default: the server's account). */
    id?: string;
    /** A --token login: this token, and no OAuth session; otherwise the issued tokens. */
    token?: string;
    /** The app chosen (`null`: none). */
    app?: string | null;
    key?: string;
  };
  /** Tokens sent to /oauth/revoke: the ones the login issued, or these. */
  revoked?: "issued" | string[];
  stdout?: RegExp[];
  stderr?: RegExp[];
  /** Questions that must be among those asked. */
  asks?: string[];
  /** How many requests went to these paths. */
  requests?: Record<string, number>;
  /** The Authorization header of the last /api/v1/me request. */
  meAuthorization?: string;
  /** A word of argv that must never be echoed (it may be a token). */
  neverEchoed?: string;
}

const CLASH: AccountSpec = { alias: "test-account", id: "SomeoneElse" };
const TWO_ACCOUNTS: AblyServerScript = {
  accounts: { status: 200, body: [ME.account, { id: "X2", name: "Other" }] },
};
const PENDING = { status: 400, body: { error: "authorization_pending" } };
const TOKENS = { status: 200, body: tokenBody(ISSUED.access, ISSUED.refresh) };

const ROWS: Row[] = [
  {
    name: "human output: the code and URL; no display, so no browser; alias from --alias",
    args: ["--alias", "mycompany"],
    script: { polls: [PENDING, TOKENS] },
    code: 0,
    // What the person acts on is on stderr, with the questions; stdout has the result.
    stdout: [
      /Using account Test Account \(VgQpOZ\)\./,
      /Account stored with alias: mycompany\nAccount mycompany is now the current account\.\n/,
    ],
    stderr: [
      /\n {2}Your authorization code: TEST-CODE\n\n {2}Visit: https:\/\/ably\.example\/device\?code=TEST-CODE\n/,
      /Open the URL above in your browser to authorize\./,
      /✓ Successfully logged in to Test Account \(account ID: VgQpOZ\)\./,
      /✓ Automatically selected app: My App \(aBcDeF\)\./,
    ],
    requests: { "/oauth/token": 2 },
    stored: { alias: "mycompany", aliases: ["mycompany"], app: "aBcDeF", key: "kEy123" },
  },
  {
    name: "a display but no browser: said, with the URL to open by hand",
    args: [],
    env: { DISPLAY: ":0" },
    code: 0,
    stderr: [
      /Visit: https:\/\/ably\.example\/device\?code=TEST-CODE/,
      /Opening https:\/\/ably\.example\/device\?code=TEST-CODE in your browser/,
      /Could not open a browser: open the URL above by hand to authorize\./,
    ],
    stored: { alias: "test-account" },
  },
  {
    name: "logging in again: the replaced session's tokens are revoked at their issuer",
    accounts: [{ ...CLASH, id: "VgQpOZ", issuer: "server", email: "jane@acme.example" }],
    current: "test-account",
    args: ["--json"],
    code: 0,
    stored: { alias: "test-account", aliases: ["test-account"] },
    revoked: ["at_jane@acme.example_SeCrEt", "rt_jane@acme.example_SeCrEt"],
  },
  {
    name: "same account under its alias again, on a terminal: no question",
    accounts: [{ ...CLASH, id: ME.account.id }],
    args: [],
    replies: [],
    code: 0,
    stored: { alias: "test-account", aliases: ["test-account"] },
  },
  {
    name: "--json, alias taken, several accounts and apps: suffixed, first account, no app, warned",
    accounts: [CLASH],
    current: "test-account",
    args: ["--json"],
    script: {
      ...TWO_ACCOUNTS,
      apps: { status: 200, body: [{ id: "a1", name: "One" }, { id: "a2", name: "Two" }] },
    },
    code: 0,
    stdout: [
      /"message":"Multiple accounts found \(2\); auto-selected Test Account \(VgQpOZ\)\./,
      /storing this login as \\"test-account-2\\"/,
      /"message":"Multiple apps found/,
      /"alias":"test-account-2"/,
    ],
    stored: { alias: "test-account-2", aliases: ["test-account", "test-account-2"], app: null },
  },
  {
    name: "--alias naming another account's alias, no terminal: refused, issued tokens revoked",
    accounts: [{ alias: "taken", id: "SomeoneElse" }],
    current: "taken",
    args: ["--alias", "taken"],
    code: 1,
    stderr: [
      /Alias "taken" is already used by a different account \(Account taken, SomeoneElse\)\. Use another --alias, or add --force to replace that account\./,
    ],
    revoked: "issued",
  },
  {
    name: "--alias naming another account's alias with --force: replaced",
    accounts: [{ alias: "taken", id: "SomeoneElse" }],
    current: "taken",
    args: ["--alias", "taken", "--force", "--json"],
    code: 0,
    stored: { alias: "taken", aliases: ["taken"] },
  },
  {
    name: "terminal, derived alias taken: Enter takes the free one offered",
    accounts: [CLASH],
    current: "test-account",
    args: [],
    replies: [{ type: "" }],
    code: 0,
    asks: ["Enter an alias for this account:"],
    stored: { alias: "test-account-2", aliases: ["test-account", "test-account-2"] },
  },
  {
    name: "terminal, the taken alias typed, replacing declined: asked again",
    accounts: [CLASH],
    current: "test-account",
    args: [],
    replies: [{ type: "test-account" }, "no", { type: "mine" }],
    code: 0,
    asks: ['Replace the account Account test-account, SomeoneElse stored as "test-account"?'],
    stored: { alias: "mine", aliases: ["test-account", "mine"] },
  },
  {
    name: "terminal, the taken alias typed, replacing confirmed: replaced",
    accounts: [CLASH],
    current: "test-account",
    args: [],
    replies: [{ type: "test-account" }, "yes"],
    code: 0,
    stored: { alias: "test-account", aliases: ["test-account"] },
  },
  {
    name: "an invalid --alias: usage error before any request, never echoed",
    args: ["--alias", "9lives"],
    code: 2,
    stderr: [/An alias must start with an ASCII letter/],
    neverEchoed: "9lives",
    requests: {},
  },
  {
    name: "authorization denied: exit 1, nothing stored",
    args: ["--json"],
    script: { polls: [{ status: 400, body: { error: "access_denied" } }] },
    code: 1,
    stdout: [/"type":"error".*"message":"Authorization denied"/],
  },
  {
    name: "device code expired: exit 1, nothing stored",
    args: ["--json"],
    script: { polls: [{ status: 400, body: { error: "expired_token" } }] },
    code: 1,
    stdout: [/"type":"error".*"message":"Device code expired"/],
  },
  {
    name: "device-code request refused: a clear error",
    args: ["--json"],
    script: { deviceCode: { status: 400, body: '{"error":"invalid_client"}' } },
    code: 1,
    stdout: [
      /"message":"Device code request failed \(400\): \{\\"error\\":\\"invalid_client\\"\}"/,
    ],
  },
  {
    name: "Control API 401 after the tokens were issued: revoked, nothing stored",
    args: ["--json"],
    script: { me: { status: 401, body: { message: "Unauthorized", code: 40101 } } },
    code: 1,
    stdout: [/"message":"API request failed \(401/],
    revoked: "issued",
  },
  {
    name: "Control API 500 after the tokens were issued: revoked, nothing stored",
    args: ["--json"],
    script: { me: { status: 500, body: "boom" } },
    code: 1,
    stdout: [/"message":"API request failed \(500/],
    revoked: "issued",
  },
  {
    name: "a failure, and the revocation fails too: the tokens named as still valid",
    args: [],
    script: { me: { status: 500, body: "boom" }, revoke: { status: 500, body: "revocation down" } },
    code: 1,
    stderr: [
      /The tokens issued for this login could not be revoked \(the server answered 500: revocation down\); they stay valid until they expire\./,
    ],
    revoked: "issued",
  },
  {
    name: "Ctrl-C at the account question: issued tokens revoked, nothing stored",
    args: [],
    script: TWO_ACCOUNTS,
    replies: [CANCEL],
    code: 130,
    stderr: [/Login cancelled; the issued tokens were revoked and nothing was stored\./],
    revoked: "issued",
  },
  {
    name: "Ctrl-C at a question, and the revocation fails: the tokens named as still valid",
    args: [],
    script: { ...TWO_ACCOUNTS, revoke: { status: 500, body: "revocation down" } },
    replies: [CANCEL],
    code: 130,
    stderr: [
      /Login cancelled; nothing was stored, but the issued tokens could not be revoked \(the server answered 500: revocation down\) and stay valid until they expire\./,
    ],
    revoked: "issued",
  },
  {
    name: "an odd entry in the account list: skipped with a warning naming it, the login goes on",
    args: [],
    script: {
      accounts: { status: 200, body: [ME.account, { id: "acc-\u202ertl", name: "Odd" }] },
    },
    code: 0,
    stderr: [
      /Skipped an entry the Control API at 127\.0\.0\.1:\d+ listed \(GET \/me\/accounts\): \[1\]\.id must not contain control or invisible format characters\./,
    ],
    neverEchoed: "\u202e",
    stored: { alias: "test-account" },
  },
  {
    name: "--token from ABLY_ACCESS_TOKEN: verified and stored as a token account",
    args: ["--token", "--json"],
    env: { ABLY_ACCESS_TOKEN: "ci_token_SeCrEt" },
    code: 0,
    stdout: [/"authMethod":"token"/],
    meAuthorization: "Bearer ci_token_SeCrEt",
    requests: { "/oauth/authorize_device": 0 },
    stored: { alias: "test-account", token: "ci_token_SeCrEt" },
  },
  {
    name: "--token with no token anywhere: usage error",
    args: ["--token"],
    code: 2,
    stderr: [/--token needs a token/],
    requests: {},
  },
  {
    name: "--token -: the first line of stdin; the output starts with what happened, no blank line",
    args: ["--token", "-"],
    stdin: "piped_tok_SeCrEt\nrest\n",
    secrets: ["piped_tok_SeCrEt"],
    code: 0,
    stdout: [/^Using account Test Account \(VgQpOZ\)\.\n/],
    meAuthorization: "Bearer piped_tok_SeCrEt",
    stored: { alias: "test-account", token: "piped_tok_SeCrEt" },
  },
  {
    name: "--token - with empty stdin: usage error",
    args: ["--token", "-"],
    stdin: "",
    code: 2,
    stderr: [/--token - reads the token from standard input, which was empty/],
    requests: {},
  },
  // A token is printable ASCII: anything else is refused where it enters, shown by kind and
  // position only, and nothing is sent.
  {
    name: "--token - with a NUL in the pasted line: usage error, no part of it echoed",
    args: ["--token", "-"],
    stdin: "AAAA.BBBB:SECRETPART1\0SECRETPART2\n",
    code: 2,
    stderr: [
      /The token read from standard input has a control character at position 22, which no token has; it was not used\./,
    ],
    neverEchoed: "SECRETPART",
    requests: {},
  },
  {
    name: "--token - with bytes that are not UTF-8: usage error",
    args: ["--token", "-"],
    stdin: new Uint8Array([0x61, 0x62, 0xff, 0xfe, 0x63, 0x0a]),
    code: 2,
    stderr: [/has a byte that is not UTF-8 at position 3/],
    requests: {},
  },
  {
    name: "--token - with a line over 16 KiB: refused without reading on",
    args: ["--token", "-"],
    stdin: "t".repeat(20_000) + "\n",
    code: 2,
    stderr: [/A line on standard input is longer than 16 KiB; it was not read any further\./],
    requests: {},
  },
  {
    name: "--token - with a token longer than any token: usage error",
    args: ["--token", "-"],
    stdin: "t".repeat(9_000) + "\n",
    code: 2,
    stderr: [/is 9000 characters long; a token is at most 8192/],
    requests: {},
  },
  {
    name: "--token VALUE with an escape sequence: usage error",
    args: ["--token", "tok_ESCAPED\x1b[2Jabc"],
    code: 2,
    stderr: [/The token given to --token has a control character at position 12/],
    neverEchoed: "ESCAPED",
    requests: {},
  },
  {
    name: "--token pasted with a right-to-left mark: usage error",
    args: ["--token"],
    replies: [{ type: "typed_\u200fSeCrEt" }],
    code: 2,
    stderr: [/The token pasted has a character outside printable ASCII at position 7/],
    neverEchoed: "SeCrEt",
    requests: {},
  },
  {
    name: "ABLY_ACCESS_TOKEN with a control character: usage error naming the variable",
    args: ["--token"],
    env: { ABLY_ACCESS_TOKEN: "ci_\u0001SeCrEt" },
    code: 2,
    stderr: [/ABLY_ACCESS_TOKEN has a control character at position 4, which no token has/],
    neverEchoed: "SeCrEt",
    requests: {},
  },
  {
    name: "--token on a terminal: asked with hidden input",
    args: ["--token"],
    replies: [{ type: "typed_tok_SeCrEt" }],
    secrets: ["typed_tok_SeCrEt"],
    code: 0,
    asks: ["Paste your access token:"],
    meAuthorization: "Bearer typed_tok_SeCrEt",
    stored: { alias: "test-account", token: "typed_tok_SeCrEt" },
  },
  {
    name: "--token, Ctrl-C at a question: nothing stored, and the user's token not revoked",
    args: ["--token", "ci_token_SeCrEt"],
    script: TWO_ACCOUNTS,
    replies: [CANCEL],
    code: 130,
    stderr: [/Login cancelled; nothing was stored\./],
    revoked: [],
  },
];

/** `re` found in `text` as written, with wrapped lines joined, or with all spacing collapsed. */
function assertSays(text: string, re: RegExp) {
  if (re.test(text) || re.test(unwrapped(text))) return;
  assert.match(text.replace(/\s+/g, " "), re);
}

for (const row of ROWS) {
  Deno.test(`login table: ${row.name}`, async () => {
    await withAblyServer(row.script ?? {}, async (server) => {
      const specs = (row.accounts ?? []).map((a) => a.issuer ? { ...a, issuer: server.host } : a);
      const before = specs.length ? buildConfig(specs, row.current) : undefined;
      const dir = await tempConfigDir(before);
      const run = await runCli(["accounts", "login", ...row.args, ...hostFlags(server)], {
        configDir: dir,
        env: row.env,
        replies: row.replies && [...row.replies], // the prompter consumes its copy
        stdin: row.stdin,
        secrets: [...ALL_SECRETS, ...row.secrets ?? []],
      });
      assert.equal(run.code, row.code, run.stdout + run.stderr);
      for (const re of row.stdout ?? []) assertSays(run.stdout, re);
      for (const re of row.stderr ?? []) assertSays(run.stderr, re);
      for (const question of row.asks ?? []) {
        assert.ok(run.questions.includes(question), run.questions.join("\n"));
      }
      if (row.replies?.length === 0) assert.deepEqual(run.questions, []);
      if (row.neverEchoed) assert.ok(!(run.stdout + run.stderr).includes(row.neverEchoed));
      if (row.requests) {
        if (Object.keys(row.requests).length === 0) assert.deepEqual(server.requests, []);
        for (const [path, n] of Object.entries(row.requests)) {
          assert.equal(server.to(path).length, n, path);
        }
      }
      if (row.meAuthorization) {
        assert.equal(server.to("/api/v1/me").at(-1)?.authorization, row.meAuthorization);
      }
      const issued = [ISSUED.access, ISSUED.refresh].sort();
      const revoked = row.revoked === "issued" ? issued : [...row.revoked ?? []].sort();
      assert.deepEqual(server.revoked(), revoked);

      if (!row.stored) {
        if (before === undefined) {
          await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
        } else assert.equal(await readConfigText(dir), before);
        return;
      }
      const { alias, aliases, id, token, app, key } = row.stored;
      const config = parseConfig(await readConfigText(dir), "config");
      if (aliases) assert.deepEqual(Object.keys(config.accounts!), aliases);
      assert.equal(config.current?.account, alias);
      const account = config.accounts![alias];
      assert.equal(account.accountId, id ?? ME.account.id);
      // The accounts the login did not replace are as they were.
      for (const spec of specs) {
        if (spec.alias !== alias && config.accounts![spec.alias]) {
          assert.equal(config.accounts![spec.alias].accountId, spec.id);
        }
      }
      if (token) {
        assert.equal(account.accessToken, token);
        assert.equal(account.authMethod, undefined);
        assert.equal(account.oauthSessionKey, undefined);
      } else {
        assert.equal(account.authMethod, "oauth");
        const session = config.oauthSessions![account.oauthSessionKey!];
        assert.equal(session.accessToken, ISSUED.access);
        assert.equal(session.refreshToken, ISSUED.refresh);
      }
      if (app === null) assert.equal(account.currentAppId, undefined);
      else if (app) assert.equal(account.currentAppId, app);
      if (key) assert.equal(account.apps![app!].keyId, key);
    });
  });
}

// --- what a row cannot say: processes, races, signals, terminals -----------------------

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
    assert.ok(!run.stderr.includes("\x1b") && !run.stderr.includes("\x07"), run.stderr);
    assert.match(run.stderr, /Your authorization code: AB \]0;pwned CD/);
    // Not a web address: never handed to the desktop opener, even with a display.
    assert.doesNotMatch(run.stderr, /Opening /);
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
  "login > file on a terminal: the code, the URL and what introduces a question stay on screen",
  onTerminal,
  async () => {
    await withAblyServer({
      keys: {
        status: 200,
        body: [
          { id: "k1", name: "Root", key: "aBcDeF.k1:s3cr3tS3cr3t" },
          { id: "k2", name: "Other", key: "aBcDeF.k2:s3cr3tS3cr3t" },
        ],
      },
    }, async (server) => {
      const dir = await tempConfigDir();
      const file = await tempFile(".txt");
      const { code, output } = await runCliOnTerminal(["accounts", "login", ...hostFlags(server)], {
        configDir: dir,
        steps: [["Select a key", "\r"]],
        stdoutFile: file,
      });
      assert.equal(code, 0, output);
      const saved = await Deno.readTextFile(file);
      for (
        const shown of [
          "Your authorization code: TEST-CODE",
          "Visit: https://ably.example/device?code=TEST-CODE",
          "Open the URL above in your browser",
          "Select an API key to use:",
        ]
      ) {
        assert.ok(output.includes(shown), `not on screen: ${shown}\n${output}`);
        assert.ok(!saved.includes(shown), `in the file: ${shown}\n${saved}`);
      }
      // The file gets the result.
      assert.match(saved, /Account test-account is now the current account\.\n/);
    });
  },
);

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
        // Wrapped between words to the terminal's 80 columns.
        /Alias "test-account" is already used by a different account\s+\(Account\s+test-account, SomeoneElse\)/,
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

Deno.test("login --token on a terminal: a Control API that never answers shows a spinner, then the time-out", async () => {
  await withAblyServer({ me: { hang: true }, accounts: { hang: true } }, async (server) => {
    const dir = await tempConfigDir();
    const run = await runCli([
      "accounts",
      "login",
      "--token",
      "tok_hanging_0001",
      ...hostFlags(server),
    ], {
      configDir: dir,
      replies: [],
      env: { ABLY_CONTROL_TIMEOUT_MS: "600" },
      secrets: [],
    });
    assert.equal(run.code, 1);
    // A frame of the spinner while it waited, cleared before the error.
    assert.match(run.stderr, /^\r⠋ Fetching your account details\r⠙ Fetching/);
    // deno-lint-ignore no-control-regex
    assert.match(run.stderr, /Fetching your account details\r\x1b\[K › {3}Error: /);
    assert.match(unwrapped(run.stderr), /did not answer within 600 ms/);
    await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
  });
});

Deno.test("login: an account name from the Control API that echoes the login's tokens is shown redacted (device flow and --token)", async () => {
  const pasted = "pasted_token_SeCrEt";
  for (
    const [way, args, echoed] of [
      ["device flow", [], `${ISSUED.access} ${ISSUED.refresh}`],
      ["--token", ["--token", pasted], pasted],
    ] as const
  ) {
    await withAblyServer({
      me: {
        status: 200,
        body: { account: { id: "VgQpOZ", name: echoed }, user: { email: "j@x.example" } },
      },
      accounts: { status: 200, body: [{ id: "VgQpOZ", name: echoed }] },
      apps: { status: 200, body: [] },
    }, async (server) => {
      const run = await runCli(["accounts", "login", ...args, ...hostFlags(server)], {
        configDir: await tempConfigDir(),
        secrets: [],
      });
      assert.equal(run.code, 0, `${way}: ${run.stderr}`);
      const shown = run.stdout + run.stderr;
      for (const token of [ISSUED.access, ISSUED.refresh, pasted]) {
        assert.ok(!shown.includes(token), `${way}: ${token} shown:\n${shown}`);
      }
      assert.match(run.stdout, /Using account \[redacted\]/, way);
    });
  }
});

Deno.test("login: stdout breaking after the login was stored (EPIPE) fails the command, but the stored tokens stay stored and are never revoked", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir();
    const run = await runCli(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      stdoutBreaksAt: "is now the current account",
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /Broken pipe/);
    const config = parseConfig(await readConfigText(dir), "config");
    assert.equal(config.current?.account, "test-account");
    assert.equal(
      config.oauthSessions?.[`jane@acme.example::${server.host}`]?.accessToken,
      ISSUED.access,
    );
    assert.deepEqual(server.to("/oauth/revoke"), []);
  });
});

Deno.test("login --token - with 100 MB on standard input: the real CLI reads 16 KiB of it and stops, exit 2", async () => {
  const dir = await tempConfigDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, MAIN, "accounts", "login", "--token", "-"],
    env: await baseEnv(dir),
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Fed as fast as it is read, until the CLI stops reading (the pipe then breaks).
  const writer = child.stdin.getWriter();
  const block = new Uint8Array(1024 * 1024).fill(0x74);
  let fed = 0;
  const feeding = (async () => {
    try {
      for (; fed < 100; fed++) await writer.write(block);
      await writer.close();
    } catch { /* the CLI is gone */ }
  })();
  const output = await withDeadline(30_000, "the CLI to refuse the line", child.output());
  await feeding;
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 2, stderr);
  assert.match(unwrapped(stderr), /longer than 16 KiB; it was not read any further/);
  assert.ok(fed < 100, `the whole input was read (${fed} MiB)`);
  assert.ok(!stderr.includes("tttttttt"), "no part of the line is echoed");
});
