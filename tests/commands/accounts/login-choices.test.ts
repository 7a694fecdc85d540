/**
 * The choices a login makes after authorization (account, alias, app, key): taken with a
 * warning without a terminal, asked on one; Ctrl-C at any of them stores nothing.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/toml.ts";
import { CANCEL } from "../../helpers/in-process.ts";
import {
  type AblyServerScript,
  hostFlags,
  ISSUED,
  ME,
  withAblyServer,
} from "../../helpers/ably-server.ts";
import { readConfigText, resultOf, runCli, tempConfigDir, unwrapped } from "../../helpers/cli.ts";
import type { Reply } from "../../helpers/in-process.ts";
import { buildConfig } from "../../helpers/fixtures.ts";
import { until } from "../../helpers/deadline.ts";
import { aliasProblem } from "../../../src/config/alias.ts";

const TWO_KEYS = {
  status: 200,
  body: [
    { id: "k1", name: "Root", key: "aBcDeF.k1:s3cr3tS3cr3t" },
    { id: "k2", name: "Sub", key: "aBcDeF.k2:s3cr3tS3cr3t" },
  ],
};

Deno.test("login without a terminal: what it stores when apps or keys cannot be chosen", async () => {
  const cases: {
    name: string;
    script: AblyServerScript;
    warning?: RegExp;
    app?: string;
    key?: string;
  }[] = [
    {
      name: "apps cannot be fetched",
      script: { apps: { status: 500, body: { message: "apps down" } } },
      warning:
        /^Could not fetch apps: API request failed \(500 Internal Server Error\): apps down$/,
    },
    {
      name: "keys cannot be fetched",
      script: { keys: { status: 503, body: "busy" } },
      warning: /^Could not fetch API keys: API request failed \(503 Service Unavailable\): busy$/,
      app: "aBcDeF",
    },
    { name: "the app has no keys", script: { keys: { status: 200, body: [] } }, app: "aBcDeF" },
    {
      name: "the app has several keys",
      script: { keys: TWO_KEYS },
      warning: /^Multiple API keys found; none was selected\./,
      app: "aBcDeF",
    },
    {
      name: "an API without the account listing (404): the user's own",
      script: { accounts: { status: 404, body: { message: "Not found" } } },
      app: "aBcDeF",
      key: "kEy123",
    },
    {
      name: "the API lists no accounts: the user's own",
      script: { accounts: { status: 200, body: [] } },
      app: "aBcDeF",
      key: "kEy123",
    },
  ];
  for (const { name, script, warning, app, key } of cases) {
    await withAblyServer(script, async (server) => {
      const dir = await tempConfigDir();
      const run = await runCli(["accounts", "login", "--json", ...hostFlags(server)], {
        configDir: dir,
      });
      assert.equal(run.code, 0, `${name}: ${run.stdout}`);
      const warnings = run.records().filter((r) => r.status === "warning").map((r) => r.message);
      if (warning) {
        assert.equal(warnings.length, 1, `${name}: ${warnings}`);
        assert.match(String(warnings[0]), warning, name);
      } else {
        assert.deepEqual(warnings, [], name);
      }
      const { account } = resultOf(run.records());
      assert.equal(account.id, ME.account.id, name);
      assert.equal(account.app?.id, app, name);
      assert.equal(account.key?.id, key, name);
      const stored = parseConfig(await readConfigText(dir), "config").accounts!["test-account"];
      assert.equal(stored.currentAppId, app, name);
      assert.deepEqual(Object.keys(stored.apps ?? {}), app ? [app] : [], name);
      assert.equal(stored.apps?.[app ?? ""]?.keyId, key, name);
    });
  }
});

Deno.test("login on a terminal: creating the first app can fail; the login is stored without it", async () => {
  await withAblyServer({
    apps: { status: 200, body: [] },
    createApp: { status: 422, body: { message: "Name already taken" } },
  }, async (server) => {
    const dir = await tempConfigDir();
    const run = await runCli(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      replies: ["yes", { type: "Fresh" }],
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr.replace(/\s+/g, " "), // warnings wrap at the terminal's width
      /Failed to create app: API request failed \(422 Unprocessable Entity\): Name already taken/,
    );
    assert.deepEqual(server.to("/api/v1/accounts/VgQpOZ/apps").at(-1)?.json, {
      name: "Fresh",
      tlsOnly: true,
    });
    const stored = parseConfig(await readConfigText(dir), "config").accounts!["test-account"];
    assert.equal(stored.currentAppId, undefined);
    assert.equal(server.to("/oauth/revoke").length, 0);
  });
});

Deno.test("login on a terminal: Ctrl-C at any question stores nothing and revokes the issued tokens", async () => {
  const clash = buildConfig([{ alias: "test-account", id: "SomeoneElse" }], "test-account");
  const cases: { question: string; script: AblyServerScript; config?: string; replies: Reply[] }[] =
    [
      {
        question: "Select an account:",
        script: { accounts: { status: 200, body: [ME.account, { id: "X2", name: "Other" }] } },
        replies: [CANCEL],
      },
      {
        question: "Enter an alias for this account:",
        config: clash,
        script: {},
        replies: [CANCEL],
      },
      {
        question: 'Replace the account Account test-account, SomeoneElse stored as "test-account"?',
        config: clash,
        script: {},
        replies: [{ type: "test-account" }, CANCEL],
      },
      {
        question: "Select an app:",
        script: { apps: { status: 200, body: [{ id: "a1", name: "A" }, { id: "a2", name: "B" }] } },
        replies: [CANCEL],
      },
      {
        question: "Would you like to create your first app now?",
        script: { apps: { status: 200, body: [] } },
        replies: [CANCEL],
      },
      {
        question: "Enter a name for your app:",
        script: { apps: { status: 200, body: [] } },
        replies: ["yes", CANCEL],
      },
      { question: "Select a key:", script: { keys: TWO_KEYS }, replies: [CANCEL] },
    ];
  for (const { question, script, config, replies } of cases) {
    await withAblyServer(script, async (server) => {
      const dir = await tempConfigDir(config);
      const run = await runCli(["accounts", "login", ...hostFlags(server)], {
        configDir: dir,
        replies,
      });
      assert.equal(run.code, 130, `${question}: ${run.stderr}`);
      assert.equal(run.questions.filter((q) => !q.startsWith("  ")).at(-1), question);
      assert.match(
        run.stderr,
        /Login cancelled; the issued tokens were revoked and nothing was stored\./,
        question,
      );
      assert.deepEqual(
        server.to("/oauth/revoke").map((r) => r.form.token).sort(),
        [ISSUED.access, ISSUED.refresh].sort(),
        question,
      );
      if (config) assert.equal(await readConfigText(dir), config, question);
      else await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound, question);
    });
  }
});

Deno.test("login: Ctrl-C while apps are fetched or an app is created stores nothing", async () => {
  const cases: { waitFor: string; script: AblyServerScript; replies?: Reply[] }[] = [
    { waitFor: "GET /api/v1/accounts/VgQpOZ/apps", script: { apps: { hang: true } } },
    {
      waitFor: "POST /api/v1/accounts/VgQpOZ/apps",
      script: { apps: { status: 200, body: [] }, createApp: { hang: true } },
      replies: ["yes", { type: "Fresh" }],
    },
  ];
  for (const { waitFor, script, replies } of cases) {
    await withAblyServer(script, async (server) => {
      const dir = await tempConfigDir();
      const interrupt = new AbortController();
      const login = runCli(["accounts", "login", ...hostFlags(server)], {
        configDir: dir,
        interrupt,
        replies,
      });
      await until(waitFor, () => server.requests.some((r) => `${r.method} ${r.path}` === waitFor));
      interrupt.abort();
      const run = await login;
      assert.equal(run.code, 130, `${waitFor}: ${run.stderr}`);
      assert.match(run.stderr, /Login cancelled; the issued tokens were revoked/, waitFor);
      assert.doesNotMatch(run.stderr, /Could not fetch apps|Failed to create app/, waitFor);
      assert.equal(server.to("/oauth/revoke").length, 2, waitFor);
      await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound, waitFor);
    });
  }
});

Deno.test("login on a terminal: an alias typed at the prompt is refused as --alias would refuse it", async () => {
  const clash = buildConfig([{ alias: "test-account", id: "SomeoneElse" }], "test-account");
  for (const typed of ["$(x)", "a b", "x;y"]) {
    await withAblyServer({}, async (server) => {
      const dir = await tempConfigDir(clash);
      const flag = await runCli(["accounts", "login", "--alias", typed, ...hostFlags(server)], {
        configDir: dir,
      });
      assert.notEqual(flag.code, 0, `--alias ${typed} is refused`);
      assert.ok(unwrapped(flag.stderr).includes(aliasProblem(typed)!), flag.stderr);
      const run = await runCli(["accounts", "login", ...hostFlags(server)], {
        configDir: dir,
        replies: [{ type: typed }, { type: "fresh" }],
      });
      assert.equal(run.code, 0, `${typed}: ${run.stderr}`);
      assert.deepEqual(run.questions, [
        "Enter an alias for this account:",
        `  refused "${typed}": ${aliasProblem(typed)}`,
      ]);
      const accounts = parseConfig(await readConfigText(dir), "config").accounts!;
      assert.deepEqual(Object.keys(accounts).sort(), ["fresh", "test-account"]);
    });
  }
});

Deno.test("login --force without --alias: an alias derived from the name and held by another account is not replaced", async () => {
  await withAblyServer({ apps: { status: 200, body: [] } }, async (server) => {
    // ME's account is "Test Account": the derived alias is test-account.
    const config = buildConfig([{ alias: "test-account", id: "Other1" }], "test-account");
    const dir = await tempConfigDir(config);
    const run = await runCli(["accounts", "login", "--force", ...hostFlags(server)], {
      configDir: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(unwrapped(run.stderr), /storing this login as "test-account-2" instead/);
    const after = parseConfig(await readConfigText(dir), "config");
    assert.equal(after.accounts?.["test-account"].accountId, "Other1");
    assert.equal(after.accounts?.["test-account-2"].accountId, ME.account.id);
  });
});
