/**
 * `ably accounts env`, in process: ABLY_ACCESS_TOKEN and ABLY_API_KEY in every format,
 * from the file or the keychain, refreshed when about to expire, --app, no key, the
 * variable already set, --json; what fails does so before a refresh. Every value that a
 * shell could misread goes through real bash, dash, zsh and fish and comes back unchanged.
 */
import assert from "node:assert/strict";
import { withAblyServer } from "../../helpers/ably-server.ts";
import {
  readConfigText,
  resultOf,
  runCli,
  spawnCli,
  tempDir,
  tempFile,
  withConfigDir,
} from "../../helpers/cli.ts";
import { FakeKeychain } from "../../helpers/fake-keychain.ts";
import { buildConfig, refreshTokenOf, SAMPLE_OAUTH } from "../../helpers/fixtures.ts";
import { envLines, type EnvVariable } from "../../../src/output/env-lines.ts";

const EXPIRY = 1767225600000;
const HOUR_BEFORE = () => EXPIRY - 3_600_000;
const TOKEN = "ably_oat_3f9c0d2e7b1a4c58";
const KEY = "aBcDeF.kEy123:s3cr3tS3cr3t";

const FORMATS: { format: string; lines: string }[] = [
  { format: "sh", lines: `export ABLY_ACCESS_TOKEN='${TOKEN}'\nexport ABLY_API_KEY='${KEY}'\n` },
  { format: "zsh", lines: `export ABLY_ACCESS_TOKEN='${TOKEN}'\nexport ABLY_API_KEY='${KEY}'\n` },
  {
    format: "fish",
    lines: `set -gx ABLY_ACCESS_TOKEN '${TOKEN}'\nset -gx ABLY_API_KEY '${KEY}'\n`,
  },
  {
    format: "powershell",
    lines: `$env:ABLY_ACCESS_TOKEN = '${TOKEN}'\n$env:ABLY_API_KEY = '${KEY}'\n`,
  },
  { format: "dotenv", lines: `ABLY_ACCESS_TOKEN=${TOKEN}\nABLY_API_KEY=${KEY}\n` },
  {
    format: "json",
    lines: `{"ABLY_ACCESS_TOKEN":"${TOKEN}","ABLY_API_KEY":"${KEY}"}\n`,
  },
];

for (const { format, lines } of FORMATS) {
  Deno.test(`env --format ${format}: the token and the current app's key, nothing else on stdout; the file untouched`, async () => {
    await withConfigDir(SAMPLE_OAUTH, async (dir) => {
      const run = await runCli(["accounts", "env", "--format", format], {
        configDir: dir,
        now: HOUR_BEFORE,
        secrets: [],
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, lines);
      assert.equal(run.stderr, "");
      assert.deepEqual(run.hosts, []);
      assert.equal(await readConfigText(dir), SAMPLE_OAUTH);
    });
  });
}

/**
 * SAMPLE_OAUTH as a keychain login leaves it: tokens and (unless `keyInFile`: marked before
 * keys followed) the app's key in items; the key item holds `itemKey`.
 */
function inKeychain(keychain: FakeKeychain, itemKey: string, keyInFile = false): string {
  const ns = "0123456789ab";
  keychain.items.set(
    `cfg-${ns}:session:jane@acme.example::ably.com`,
    JSON.stringify({ accessToken: TOKEN, refreshToken: "ably_ort_91b2c7d4e5f60718" }),
  );
  keychain.items.set(`cfg-${ns}:key:acme-ltd:aBcDeF`, JSON.stringify({ apiKey: itemKey }));
  const config = `credentialNamespace = "${ns}"\n\n${SAMPLE_OAUTH}`
    .replace(
      'userEmail = "jane@acme.example"',
      'userEmail = "jane@acme.example"\ncredentialStore = "keychain"',
    )
    .replace(`accessToken = "${TOKEN}"\n`, "")
    .replace('refreshToken = "ably_ort_91b2c7d4e5f60718"\n', 'credentialStore = "keychain"\n');
  return keyInFile ? config : config.replace(`apiKey = "${KEY}"\n`, "");
}

Deno.test("env: a keychain account's token and key are read from the keychain, printed whole; a key still in the file (marked before keys followed) is the file's, no item read", async () => {
  for (const keyInFile of [false, true]) {
    const keychain = new FakeKeychain();
    // With the key in the file, the item holds something else (left by another tool, say).
    const config = inKeychain(keychain, keyInFile ? "aBcDeF.old:gone" : KEY, keyInFile);
    assert.ok(!config.includes(TOKEN) && config.includes("s3cr3t") === keyInFile);
    await withConfigDir(config, async (dir) => {
      const run = await runCli(["accounts", "env"], {
        configDir: dir,
        now: HOUR_BEFORE,
        keychain,
        secrets: [],
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, FORMATS[0].lines);
      assert.equal(await readConfigText(dir), config);
      const keyRead = keychain.calls.some((call) => call.includes(":key:"));
      assert.equal(keyRead, !keyInFile, `${keychain.calls}`);
    });
  }
});

Deno.test("env: a token expiring within 60 s is refreshed first, under the lock; one expiring later is not", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig(
      [{ alias: "acme", issuer: server.host, email: "j@x.example" }],
      "acme",
    );
    for (const [before, refreshed] of [[30_000, true], [120_000, false]] as const) {
      await withConfigDir(config, async (dir) => {
        const grants = server.to("/oauth/token").length;
        const run = await runCli(["accounts", "env", "--format", "json"], {
          configDir: dir,
          now: () => EXPIRY - before,
          // The refresh tokens stay secret; the access token is what is printed.
          secrets: [refreshTokenOf("j@x.example"), "refreshed_rt_1_SeCrEt"],
        });
        assert.equal(run.code, 0, run.stderr);
        const printed = JSON.parse(run.stdout);
        assert.equal(server.to("/oauth/token").length - grants, refreshed ? 1 : 0);
        if (refreshed) {
          assert.equal(printed.ABLY_ACCESS_TOKEN, "refreshed_at_1_SeCrEt");
          assert.ok((await readConfigText(dir)).includes('accessToken = "refreshed_at_1_SeCrEt"'));
        } else {
          assert.equal(printed.ABLY_ACCESS_TOKEN, "at_j@x.example_SeCrEt");
        }
      });
    }
  });
});

Deno.test("env: no key for the current app (or no current app) -> ABLY_API_KEY unset, said on stderr; dotenv leaves it out", async () => {
  const noKey = SAMPLE_OAUTH.replace(`apiKey = "${KEY}"\n`, "");
  const noApp = SAMPLE_OAUTH.replace('currentAppId = "aBcDeF"\n', "");
  const emptyKey = SAMPLE_OAUTH.replace(`apiKey = "${KEY}"`, 'apiKey = ""');
  const cases: [string, string, string, string][] = [
    [noKey, "sh", "unset ABLY_API_KEY", "no API key stored for app aBcDeF: ABLY_API_KEY is unset"],
    [
      emptyKey,
      "sh",
      "unset ABLY_API_KEY",
      "no API key stored for app aBcDeF: ABLY_API_KEY is unset",
    ],
    [
      noApp,
      "sh",
      "unset ABLY_API_KEY",
      "no API key stored (no current app): ABLY_API_KEY is unset",
    ],
    [noKey, "fish", "set -e ABLY_API_KEY", "ABLY_API_KEY is unset"],
    [noKey, "powershell", "Remove-Item Env:ABLY_API_KEY -ErrorAction SilentlyContinue", "unset"],
    [noKey, "dotenv", "", "ABLY_API_KEY is left out"],
    [noKey, "json", "", "ABLY_API_KEY is unset"],
  ];
  for (const [config, format, line, said] of cases) {
    await withConfigDir(config, async (dir) => {
      const run = await runCli(["accounts", "env", "--format", format], {
        configDir: dir,
        now: HOUR_BEFORE,
        secrets: [],
      });
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trimEnd().split("\n");
      if (format === "json") {
        assert.deepEqual(JSON.parse(run.stdout), { ABLY_ACCESS_TOKEN: TOKEN, ABLY_API_KEY: null });
      } else {
        assert.equal(lines.length, line ? 2 : 1, `${format}: ${run.stdout}`);
        assert.equal(lines[1] ?? "", line);
      }
      assert.ok(run.stderr.includes(said), `${format}: ${run.stderr}`);
    });
  }
});

Deno.test("env --app: another stored app's key; an app without one fails naming those that have one, before any refresh", async () => {
  const other = `${
    SAMPLE_OAUTH.replace(
      "\n[oauthSessions",
      `
[accounts.acme-ltd.apps.Zz9Yx8]
apiKey = "Zz9Yx8.kEy9:0th3rK3yS3cr3t"
keyId = "kEy9"

[accounts.acme-ltd.apps.NoKey1]
appName = "No key"

[oauthSessions`,
    )
  }`;
  await withAblyServer({}, async (server) => {
    await withConfigDir(other, async (dir) => {
      const run = await runCli(["accounts", "env", "--app", "Zz9Yx8"], {
        configDir: dir,
        now: HOUR_BEFORE,
        secrets: [],
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^export ABLY_API_KEY='Zz9Yx8\.kEy9:0th3rK3yS3cr3t'$/m);

      // Expired: a refresh would be needed, but the app is checked first.
      for (const app of ["NoKey1", "missing"]) {
        const failed = await runCli(
          ["accounts", "env", "--app", app, "--oauth-host", server.host],
          { configDir: dir, now: () => EXPIRY + 1 },
        );
        assert.equal(failed.code, 1);
        assert.match(
          failed.stderr.replace(/\s*›\s*/g, " "),
          new RegExp(
            `Account "acme-ltd" has no API key stored for app ${app}; it has one for aBcDeF, Zz9Yx8\\. A login stores the key of the app it selects\\.`,
          ),
        );
        assert.equal(failed.stdout, "");
      }
      assert.equal(server.to("/oauth/token").length, 0);
    });
  });
});

Deno.test("env: ABLY_ACCESS_TOKEN already set -> the stored account's token, and (for lines that set it in this shell) a note that they replace it", async () => {
  const note =
    `These lines replace the ABLY_ACCESS_TOKEN set now with account "acme-ltd"'s token.\n`;
  // A dotenv file or JSON replaces nothing in the shell: no note.
  const cases: [format: string, stderr: string][] = [
    ["sh", note],
    ["fish", note],
    ["powershell", note],
    ["dotenv", ""],
    ["json", ""],
  ];
  for (const [format, stderr] of cases) {
    await withConfigDir(SAMPLE_OAUTH, async (dir) => {
      const run = await runCli(["accounts", "env", "--format", format], {
        configDir: dir,
        now: HOUR_BEFORE,
        env: { ABLY_ACCESS_TOKEN: "env_token_1234567890" },
        secrets: [],
      });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(run.stdout.includes(TOKEN), `${format}: ${run.stdout}`);
      if (format === "sh") assert.equal(run.stdout, FORMATS[0].lines);
      assert.equal(run.stderr, stderr, format);
    });
  }
});

Deno.test("env --json: the result record carries the account, the app, the variables and the expiry; what is missing is null", async () => {
  const noApp = SAMPLE_OAUTH.replace('currentAppId = "aBcDeF"\n', "");
  const cases: [config: string, expected: Record<string, unknown>][] = [
    [SAMPLE_OAUTH, {
      account: { alias: "acme-ltd", app: "aBcDeF" },
      env: { ABLY_ACCESS_TOKEN: TOKEN, ABLY_API_KEY: KEY },
      expiresAt: new Date(EXPIRY).toISOString(),
    }],
    [noApp, {
      account: { alias: "acme-ltd", app: null },
      env: { ABLY_ACCESS_TOKEN: TOKEN, ABLY_API_KEY: null },
      expiresAt: new Date(EXPIRY).toISOString(),
    }],
  ];
  for (const [config, expected] of cases) {
    await withConfigDir(config, async (dir) => {
      const run = await runCli(["accounts", "env", "--json"], {
        configDir: dir,
        now: HOUR_BEFORE,
        secrets: [],
      });
      assert.equal(run.code, 0, run.stderr);
      const { account, env, expiresAt } = resultOf(run.records());
      assert.deepEqual({ account, env, expiresAt }, expected);
    });
  }
});

Deno.test("env: what cannot be printed fails with a clear error and prints nothing", async () => {
  const cases: { name: string; config: string; args: string[]; code: number; said: RegExp }[] = [
    { name: "no accounts", config: "", args: [], code: 1, said: /No accounts configured/ },
    {
      name: "unknown alias",
      config: SAMPLE_OAUTH,
      args: ["nobody"],
      code: 1,
      said: /nobody/,
    },
    {
      name: "--format with --json",
      config: SAMPLE_OAUTH,
      args: ["--format", "sh", "--json"],
      code: 2,
      said: /--format.*--json|--json.*--format/,
    },
    {
      name: "an unknown format",
      config: SAMPLE_OAUTH,
      args: ["--format", "cmd"],
      code: 2,
      said: /Expected --format=cmd to be one of: sh, bash, zsh, fish, powershell, dotenv, json/,
    },
    {
      name: "a stored token with a control character",
      config: SAMPLE_OAUTH.replace(TOKEN, `${TOKEN}\\u001b[2J`),
      args: [],
      code: 1,
      said:
        /Cannot print the access token of account "acme-ltd": the stored value has a control character at position 26[^]*Log in again\./,
    },
    {
      name: "a stored API key with a control character",
      config: SAMPLE_OAUTH.replace(KEY, `${KEY}\\u001b[2J`),
      args: [],
      code: 1,
      said: /Cannot print the API key of app aBcDeF: the stored value has a control character/,
    },
    {
      name: "dotenv and a value with a backslash (no quote)",
      config: SAMPLE_OAUTH.replace(`"${TOKEN}"`, JSON.stringify(`${TOKEN}\\n`)),
      args: ["--format", "dotenv"],
      code: 1,
      said: /has a quote or a backslash, which dotenv readers take differently/,
    },
    {
      name: "dotenv and a value its readers take differently",
      config: SAMPLE_OAUTH.replace(TOKEN, `${TOKEN}'x`),
      args: ["--format", "dotenv"],
      code: 1,
      said:
        /has a quote or a backslash, which dotenv readers take differently\. Use --format json, or a shell's format\./,
    },
  ];
  for (const c of cases) {
    await withConfigDir(c.config, async (dir) => {
      const run = await runCli(["accounts", "env", ...c.args], {
        configDir: dir,
        now: HOUR_BEFORE,
        columns: 1000,
      });
      assert.equal(run.code, c.code, `${c.name}: ${run.stderr}`);
      assert.match((run.stdout + run.stderr).replace(/\s*›\s*/g, " "), c.said, c.name);
      // Nothing printed but the error (a record on stdout with --json).
      assert.ok(!run.stdout.includes(TOKEN), c.name);
      assert.ok(run.stdout === "" || c.args.includes("--json"), c.name);
      assert.ok(!run.stderr.includes("\u001b[2J"), c.name);
    });
  }
});

Deno.test("env: a stored value with quotes and a backslash is printed in every format but dotenv (whose readers disagree on it)", async () => {
  const odd = `${TOKEN}'"\\x`;
  // A TOML basic string escapes `"` and a backslash as JSON does.
  const config = SAMPLE_OAUTH.replace(`"${TOKEN}"`, JSON.stringify(odd));
  for (const format of ["sh", "fish", "powershell", "json", "dotenv"]) {
    await withConfigDir(config, async (dir) => {
      const run = await runCli(["accounts", "env", "--format", format], {
        configDir: dir,
        now: HOUR_BEFORE,
        secrets: [],
      });
      if (format === "dotenv") {
        assert.equal(run.code, 1, run.stdout);
        assert.equal(run.stdout, "");
        return;
      }
      assert.equal(run.code, 0, `${format}: ${run.stderr}`);
      if (format === "json") assert.equal(JSON.parse(run.stdout).ABLY_ACCESS_TOKEN, odd);
      else assert.ok(run.stdout.includes(TOKEN), `${format}: ${run.stdout}`);
    });
  }
});

/** Every printable ASCII character but the space, as a stored token may hold them. */
const HOSTILE = Array.from({ length: 0x7e - 0x20 }, (_, i) => String.fromCharCode(0x21 + i)).join(
  "",
);

/** Runs `shell` on `script`, with nothing of this process's environment but PATH. */
async function inShell(shell: string, args: string[], script: string): Promise<string> {
  // A home of its own, removed at the end: fish writes its data under it.
  const home = await tempDir("ably-env-shell-");
  const output = await new Deno.Command(shell, {
    args: [...args, script],
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: home },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  assert.equal(output.code, 0, `${shell}: ${new TextDecoder().decode(output.stderr)}`);
  return new TextDecoder().decode(output.stdout);
}

async function installed(shell: string): Promise<boolean> {
  try {
    return (await new Deno.Command(shell, { args: ["-c", "exit 0"] }).output()).success;
  } catch {
    return false;
  }
}

Deno.test("env: hostile values (every printable character: quotes, $, backticks, backslashes, globs) come back unchanged through real bash, dash, zsh and fish, and a dotenv file sourced by sh", async () => {
  const values = [
    HOSTILE,
    `'`,
    `\\'`,
    "'\\''",
    "$(touch /tmp/ably-env-pwned)",
    "`id`",
    "a\\",
    "\\",
  ];
  const shells: [string, string[], string, string][] = [
    [
      "bash",
      ["--norc", "--noprofile", "-c"],
      "sh",
      `printf '%s\\n' "$ABLY_ACCESS_TOKEN" "\${ABLY_API_KEY-unset}"`,
    ],
    ["dash", ["-c"], "sh", `printf '%s\\n' "$ABLY_ACCESS_TOKEN" "\${ABLY_API_KEY-unset}"`],
    ["zsh", ["-f", "-c"], "sh", `printf '%s\\n' "$ABLY_ACCESS_TOKEN" "\${ABLY_API_KEY-unset}"`],
    [
      "fish",
      ["--no-config", "-c"],
      "fish",
      `printf '%s\\n' "$ABLY_ACCESS_TOKEN"; set -q ABLY_API_KEY; and printf '%s\\n' "$ABLY_API_KEY"; or echo unset`,
    ],
  ];
  let ran = 0;
  for (const [shell, args, format, print] of shells) {
    if (!(await installed(shell))) {
      if (Deno.env.get("CI") === "true") {
        assert.fail(`${shell} is not installed (.ci/run installs it)`);
      }
      continue;
    }
    ran++;
    for (const value of values) {
      for (const key of [value, undefined]) {
        const variables: EnvVariable[] = [["ABLY_ACCESS_TOKEN", value], ["ABLY_API_KEY", key]];
        const file = await tempFile(".env");
        await Deno.writeTextFile(
          file,
          envLines(format as "sh" | "fish", variables).join("\n") + "\n",
        );
        // An earlier key is set first: an unset line must remove it.
        const before = format === "fish"
          ? "set -gx ABLY_API_KEY stale;"
          : "export ABLY_API_KEY=stale;";
        const how = format === "fish" ? `source '${file}'` : `eval "$(cat '${file}')"`;
        const printed = await inShell(shell, args, `${before} ${how}; ${print}`);
        assert.equal(
          printed,
          `${value}\n${key ?? "unset"}\n`,
          `${shell}: ${JSON.stringify(value)}`,
        );
      }
    }
  }
  // A dotenv file is also valid sh for every value it takes: `set -a; . file` reads it back.
  for (const value of [HOSTILE.replace(/['\\]/g, ""), "plain.Value:9+/=", "a b"]) {
    const file = await tempFile(".env");
    await Deno.writeTextFile(
      file,
      envLines("dotenv", [["ABLY_ACCESS_TOKEN", value], ["ABLY_API_KEY", KEY]]).join("\n") + "\n",
    );
    const printed = await inShell(
      "sh",
      ["-c"],
      `set -a; . '${file}'; printf '%s\\n' "$ABLY_ACCESS_TOKEN" "$ABLY_API_KEY"`,
    );
    assert.equal(printed, `${value}\n${KEY}\n`, JSON.stringify(value));
  }
  assert.ok(ran > 0, "no shell to try");
  await assert.rejects(() => Deno.stat("/tmp/ably-env-pwned"), Deno.errors.NotFound);
});

Deno.test("env: PowerShell's verbatim strings double a quote and nothing else (no PowerShell here to run them)", () => {
  const cases: [string, string][] = [
    ["plain", "$env:ABLY_ACCESS_TOKEN = 'plain'"],
    ["it's", "$env:ABLY_ACCESS_TOKEN = 'it''s'"],
    ["''", "$env:ABLY_ACCESS_TOKEN = ''''''"],
    ['$(Remove-Item x)`n"', "$env:ABLY_ACCESS_TOKEN = '$(Remove-Item x)`n\"'"],
  ];
  for (const [value, line] of cases) {
    assert.deepEqual(envLines("powershell", [["ABLY_ACCESS_TOKEN", value]]), [line]);
  }
});

Deno.test('env, the real CLI with the ably task\'s permissions: eval "$(ably accounts env)" in bash sets both variables; the file is unchanged', async () => {
  await withConfigDir(SAMPLE_OAUTH.replace("1767225600000", "4102444800000"), async (dir) => {
    const before = await readConfigText(dir);
    const run = await spawnCli(["accounts", "env"], {
      configDir: dir,
      // bash runs the CLI's command line ("$@"), evaluates what it prints, then shows the result.
      prefix: [
        "bash",
        "--norc",
        "-c",
        'eval "$("$@")" && printf "%s\\n" "$ABLY_ACCESS_TOKEN" "$ABLY_API_KEY"',
        "bash",
      ],
      secrets: [],
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${TOKEN}\n${KEY}\n`);
    assert.equal(await readConfigText(dir), before);
  });
});
