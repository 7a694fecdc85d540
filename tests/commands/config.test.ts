/**
 * End to end: `ably config path` and `ably config show`, the real CLI against a
 * temp config dir.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/toml.ts";
import {
  configFileIn,
  namesIn,
  readConfigText,
  resultOf,
  runCli,
  tempConfigDir,
  unwrapped,
} from "../helpers/cli.ts";
import { SAMPLE_CUSTOM_HOSTS, SAMPLE_LEGACY, SAMPLE_OAUTH } from "../helpers/fixtures.ts";

/** SAMPLE_OAUTH as `config show` prints it: tokens and the key's secret masked, nothing else. */
const SAMPLE_OAUTH_MASKED = SAMPLE_OAUTH
  .replace('"ably_oat_3f9c0d2e7b1a4c58"', '"[masked]"')
  .replace('"ably_ort_91b2c7d4e5f60718"', '"[masked]"')
  .replace('"aBcDeF.kEy123:s3cr3tS3cr3t"', '"aBcDeF.kEy123:[masked]"');

// --- config path ------------------------------------------------------------------------

Deno.test("config path: prints <dir>/config and creates nothing", async () => {
  const dir = await tempConfigDir();
  const { code, stdout, stderr } = await runCli(["config", "path"], { configDir: dir });
  assert.equal(code, 0);
  assert.equal(stderr, "");
  assert.equal(stdout, `${dir}/config\n`);
  assert.deepEqual(await namesIn(dir), []);

  // Not even the directory.
  const missing = `${dir}/not/yet`;
  const nested = await runCli(["config", "path"], { configDir: missing });
  assert.equal(nested.code, 0);
  assert.equal(nested.stdout, `${missing}/config\n`);
  await assert.rejects(Deno.stat(`${dir}/not`), Deno.errors.NotFound);
});

Deno.test("config path --json: `config.path`, then completed", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const { code, records } = await runCli(["config", "path", "--json"], { configDir: dir });
  assert.equal(code, 0);
  assert.deepEqual(records(), [
    { type: "result", command: "config:path", success: true, config: { path: configFileIn(dir) } },
    { type: "status", command: "config:path", status: "completed", exitCode: 0 },
  ]);
  const pretty = await runCli(["config", "path", "--pretty-json"], { configDir: dir });
  assert.equal(pretty.code, 0);
  assert.match(pretty.stdout, /^\{\n {2}"type": "result",\n {2}"command": "config:path",/);
  assert.ok(pretty.stdout.includes(`"path": ${JSON.stringify(configFileIn(dir))}`));
  assert.equal(await readConfigText(dir), SAMPLE_OAUTH);
});

Deno.test("config path: a relative ABLY_CLI_CONFIG_DIR is made absolute", async () => {
  const dir = await tempConfigDir();
  const { code, stdout } = await runCli(["config", "path"], {
    configDir: dir,
    env: { ABLY_CLI_CONFIG_DIR: "relative/dir" },
  });
  assert.equal(code, 0);
  assert.equal(stdout, `${Deno.cwd()}/relative/dir/config\n`);
});

// --- config show -------------------------------------------------------------------------

Deno.test("config show: header, then the TOML with tokens and key secrets masked", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const { code, stdout, stderr } = await runCli(["config", "show"], { configDir: dir });
  assert.equal(code, 0);
  assert.equal(stderr, "");
  assert.equal(stdout, `# Config file: ${dir}/config\n\n${SAMPLE_OAUTH_MASKED}`);
  assert.match(stdout, /^accessToken = "\[masked\]"$/m);
  assert.match(stdout, /^refreshToken = "\[masked\]"$/m);
  assert.match(stdout, /^apiKey = "aBcDeF\.kEy123:\[masked\]"$/m);
  assert.equal(await readConfigText(dir), SAMPLE_OAUTH);
});

Deno.test("config show: legacy and custom-host configs -> every token masked, everything else kept", async () => {
  const cases = [
    [
      SAMPLE_LEGACY,
      SAMPLE_LEGACY
        .replace('"ably_legacy_token_5b7d2c9e"', '"[masked]"')
        .replace('"aBcDeF.kEy123:s3cr3tS3cr3t"', '"aBcDeF.kEy123:[masked]"'),
    ],
    [
      SAMPLE_CUSTOM_HOSTS,
      SAMPLE_CUSTOM_HOSTS.replace('"at_review"', '"[masked]"').replace('"rt_review"', '"[masked]"'),
    ],
    // A key without the `appId.keyId:` form is masked whole.
    [
      '[accounts.x.apps.y]\napiKey = "no-colon-SeCrEt"\n',
      '[accounts.x.apps.y]\napiKey = "[masked]"\n',
    ],
  ] as const;
  for (const [sample, expected] of cases) {
    const dir = await tempConfigDir(sample);
    const { code, stdout } = await runCli(["config", "show"], {
      configDir: dir,
      secrets: ["SeCrEt", "ably_legacy_token_5b7d2c9e", "s3cr3tS3cr3t", "at_review", "rt_review"],
    });
    assert.equal(code, 0);
    assert.equal(stdout, `# Config file: ${dir}/config\n\n${expected}`);
  }
});

Deno.test("config show --reveal: the file's bytes verbatim, comments and layout included", async () => {
  const raw =
    `# my hand-edited config\n${SAMPLE_LEGACY}\n[accounts.default.apps.x]  # trailing comment\nappName='single quoted'\n`;
  const dir = await tempConfigDir(raw);
  const { code, stdout } = await runCli(["config", "show", "--reveal"], {
    configDir: dir,
    secrets: [],
  });
  assert.equal(code, 0);
  assert.equal(stdout, `# Config file: ${dir}/config\n\n${raw}`);
  assert.ok(stdout.includes("ably_legacy_token_5b7d2c9e"));
  assert.equal(await readConfigText(dir), raw);

  // Without --reveal the same file is re-rendered, masked, without the comments.
  const masked = await runCli(["config", "show"], { configDir: dir });
  assert.equal(masked.code, 0);
  assert.doesNotMatch(masked.stdout, /hand-edited|trailing comment/);
  assert.match(masked.stdout, /^appName = "single quoted"$/m);
});

Deno.test("config show --json: `config.exists`, `path` and masked `contents`", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const { code, records } = await runCli(["config", "show", "--json"], { configDir: dir });
  assert.equal(code, 0);
  const all = records();
  assert.equal(all.length, 2);
  assert.deepEqual(all[1], {
    type: "status",
    command: "config:show",
    status: "completed",
    exitCode: 0,
  });
  const result = resultOf(all);
  assert.equal(result.type, "result");
  assert.equal(result.command, "config:show");
  assert.equal(result.success, true);
  assert.equal(result.config.exists, true);
  assert.equal(result.config.path, configFileIn(dir));
  assert.deepEqual(
    result.config.contents,
    JSON.parse(JSON.stringify(parseConfig(SAMPLE_OAUTH_MASKED, "masked"))),
  );
  assert.equal(result.config.contents.current.account, "acme-ltd");
  assert.equal(
    result.config.contents.accounts["acme-ltd"].apps.aBcDeF.apiKey,
    "aBcDeF.kEy123:[masked]",
  );

  // --reveal in JSON: the parsed values themselves.
  const revealed = await runCli(["config", "show", "--json", "--reveal"], {
    configDir: dir,
    secrets: [],
  });
  assert.equal(revealed.code, 0);
  assert.deepEqual(
    resultOf(revealed.records()).config.contents,
    JSON.parse(JSON.stringify(parseConfig(SAMPLE_OAUTH, "raw"))),
  );
});

Deno.test("config show: missing file -> exit 1, `Config file does not exist`; nothing created", async () => {
  const dir = await tempConfigDir();
  const path = configFileIn(dir);
  const human = await runCli(["config", "show"], { configDir: dir });
  assert.equal(human.code, 1);
  assert.equal(human.stdout, "");
  const text = unwrapped(human.stderr);
  assert.match(text, /Error: Config file does not exist at: /);
  assert.ok(human.stderr.includes(`${path}\n`), human.stderr); // the path ends its line
  assert.ok(text.includes(`at: ${path} Run`), text);
  assert.match(text, /Run "ably accounts login" to create one\./);

  const json = await runCli(["config", "show", "--json"], { configDir: dir });
  assert.equal(json.code, 1);
  assert.deepEqual(json.records(), [
    {
      type: "error",
      command: "config:show",
      success: false,
      path,
      error: {
        message: `Config file does not exist at: ${path}\nRun "ably accounts login" to create one.`,
      },
    },
    { type: "status", command: "config:show", status: "completed", exitCode: 1 },
  ]);
  assert.deepEqual(await namesIn(dir), []);
});

Deno.test("config show: malformed TOML -> exit 1, `not valid TOML`, in both modes, even with --reveal", async () => {
  const broken = '[accounts.a]\naccessToken = "x_SeCrEt\n';
  const dir = await tempConfigDir(broken);
  for (const extra of [[], ["--reveal"]]) {
    const human = await runCli(["config", "show", ...extra], { configDir: dir });
    assert.equal(human.code, 1);
    assert.equal(human.stdout, "");
    assert.match(unwrapped(human.stderr), /is not valid TOML at line 2/);
  }
  const json = await runCli(["config", "show", "--json"], { configDir: dir });
  assert.equal(json.code, 1);
  const error = resultOf(json.records());
  assert.equal(error.type, "error");
  assert.match(error.error.message, /not valid TOML/);
  assert.equal(error.path, configFileIn(dir));
  assert.equal(await readConfigText(dir), broken);

  // `config path` does not read the file, so it still works.
  const path = await runCli(["config", "path"], { configDir: dir });
  assert.equal(path.code, 0);
  assert.equal(path.stdout, `${dir}/config\n`);
});

Deno.test("config show: an arbitrary valid TOML file is shown, unknown keys kept", async () => {
  const raw = 'someTool = "kept"\n\n[helpContext]\nversion = 2\n';
  const dir = await tempConfigDir(raw);
  const { code, stdout } = await runCli(["config", "show"], { configDir: dir });
  assert.equal(code, 0);
  assert.equal(stdout, `# Config file: ${dir}/config\n\n${raw}`);
  const json = await runCli(["config", "show", "--json"], { configDir: dir });
  assert.deepEqual(resultOf(json.records()).config.contents, {
    someTool: "kept",
    helpContext: { version: 2 },
  });
});

Deno.test("config show: secrets of any shape are masked, or the file is refused", async () => {
  const odd =
    '[accounts.odd]\napiKey = 42\n\n[accounts.odd.apps.x]\napiKey = "x.y:KEYSECRET"\n\n[oauthSessions."a::b"]\nrefreshToken = "RTSECRET"\n\n[oauthSessions."a::b".nested]\nrefreshToken = { v = "INLINESECRET" }\naccessToken = ["ARRSECRET"]\n';
  const secrets = ["ARRSECRET", "KEYSECRET", "RTSECRET", "INLINESECRET"];
  const dir = await tempConfigDir(odd);
  for (const args of [["config", "show"], ["config", "show", "--json"]]) {
    const run = await runCli(args, { configDir: dir, secrets });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\[masked\]/);
  }
  const refused = await tempConfigDir('[accounts.bad]\naccessToken = ["ARRSECRET"]\n');
  const run = await runCli(["config", "show"], { configDir: refused, secrets });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /accounts\.bad\.accessToken must be a string/);
});

Deno.test("config show: secrets inside arrays of tables are masked too", async () => {
  const config = [
    "[accounts.acme]",
    'accountId = "VgQpOZ"',
    "",
    "[[accounts.acme.history]]",
    'accessToken = "HIST1SECRET"',
    'note = "kept"',
    "",
    "[[accounts.acme.history]]",
    'apiKey = "app.key:HIST2SECRET"',
    "",
  ].join("\n");
  const dir = await tempConfigDir(config);
  const secrets = ["HIST1SECRET", "HIST2SECRET"];
  const human = await runCli(["config", "show"], { configDir: dir, secrets });
  assert.equal(human.code, 0, human.stderr);
  assert.match(
    human.stdout,
    /\[\[accounts\.acme\.history\]\]\naccessToken = "\[masked\]"\nnote = "kept"/,
  );
  assert.match(human.stdout, /apiKey = "app\.key:\[masked\]"/);
  const json = await runCli(["config", "show", "--json"], { configDir: dir, secrets });
  assert.deepEqual(resultOf(json.records()).config.contents.accounts.acme.history, [
    { accessToken: "[masked]", note: "kept" },
    { apiKey: "app.key:[masked]" },
  ]);
});
