/**
 * `ably accounts logout` on a pseudo-terminal (prompts, keys, Ctrl-C, redirects, colour): the
 * real CLI with the `ably` task's permissions. Split from logout.test.ts so the two files run
 * side by side.
 */
import assert from "node:assert/strict";
import { stripAnsi } from "../../../src/output/style.ts";
import { startAblyServer } from "../../helpers/ably-server.ts";
import { readConfigText, runCliOnTerminal, tempConfigDir } from "../../helpers/cli.ts";
import {
  acmeOAuthWithLegacy,
  aliasesIn,
  buildConfig,
  SAMPLE_LEGACY,
} from "../../helpers/fixtures.ts";

const isWindows = Deno.build.os === "windows";

const onTerminal = { ignore: isWindows, sanitizeResources: false, sanitizeOps: false };

Deno.test("logout on a terminal: Enter takes the default, no", onTerminal, async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const { code, output } = await runCliOnTerminal(["accounts", "logout"], {
    configDir: dir,
    steps: [["proceed?", "\r"]],
  });
  assert.equal(code, 0, output);
  assert.match(output, /Logout cancelled\./);
  assert.equal(await readConfigText(dir), SAMPLE_LEGACY);
});

Deno.test(
  "logout on a terminal: Ctrl-C at the prompt cancels with exit 130",
  onTerminal,
  async () => {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    const { code, output } = await runCliOnTerminal(["accounts", "logout"], {
      configDir: dir,
      steps: [["proceed?", "\x03"]],
    });
    assert.equal(code, 130, output);
    assert.match(output, /Logout cancelled\./);
    assert.equal(await readConfigText(dir), SAMPLE_LEGACY);
  },
);

Deno.test("logout on a terminal: a spinner shows while revoking", onTerminal, async () => {
  const server = startAblyServer();
  try {
    const dir = await tempConfigDir(acmeOAuthWithLegacy(server.host));
    const { code, output } = await runCliOnTerminal(["accounts", "logout", "--force"], {
      configDir: dir,
      steps: [["(no prompt expected)", ""]],
    });
    assert.equal(code, 0, output);
    assert.match(output, /Revoking OAuth tokens/);
    assert.match(output, /Successfully logged out from account acme\./);
  } finally {
    await server.close();
  }
});

Deno.test(
  "logout on a terminal: no current account -> pick one, then confirm",
  onTerminal,
  async () => {
    const config = buildConfig([
      { alias: "first", name: "First Co" },
      { alias: "second", name: "Second Co" },
    ]);
    const dir = await tempConfigDir(config);
    const { code, output } = await runCliOnTerminal(["accounts", "logout"], {
      configDir: dir,
      steps: [["Select an account to log out from", "\x1b[B\r"], ["proceed?", "y\r"]],
    });
    assert.equal(code, 0, output);
    assert.match(output, /second {2}Second Co {2}<second@example\.com>/);
    assert.match(output, /Successfully logged out from account second\./);
    assert.deepEqual(aliasesIn(await readConfigText(dir)), ["first"]);
  },
);

Deno.test("logout --pretty-json on a terminal: coloured, unless NO_COLOR", onTerminal, async () => {
  for (const [noColor, coloured] of [["", true], ["1", false]] as const) {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    const { code, output } = await runCliOnTerminal(
      ["accounts", "logout", "--force", "--pretty-json"],
      { configDir: dir, steps: [], env: { NO_COLOR: noColor } },
    );
    assert.equal(code, 0, output);
    assert.equal(output.includes('\x1b[37m"type"\x1b[0m'), coloured, output);
    assert.match(stripAnsi(output), /"status": "completed"/);
  }
});

Deno.test(
  "logout on a terminal with stdout redirected: the question stays on the terminal, the file gets the result",
  onTerminal,
  async () => {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    const file = `${dir}/out.txt`;
    const { code, output } = await runCliOnTerminal(["accounts", "logout"], {
      configDir: dir,
      steps: [["proceed?", "y\r"]],
      stdoutFile: file,
    });
    assert.equal(code, 0, output);
    assert.match(
      output,
      /⚠ Logging out will remove all configuration for account "default"/,
    );
    assert.match(output, /Are you sure you want to proceed\? \[y\/N\]/);
    // Typing y logged out; the confirmation and the success went to the terminal.
    assert.match(output, /Successfully logged out from account default\./);
    assert.deepEqual(aliasesIn(await readConfigText(dir)), []);
    const written = await Deno.readTextFile(file);
    assert.ok(!written.includes("proceed") && !written.includes("\x1b"), written);
    assert.match(written, /No remaining accounts\./);
  },
);

Deno.test(
  "logout on a terminal: Ctrl-C while revoking says what was done, exit 130",
  onTerminal,
  async () => {
    const server = startAblyServer({ revoke: { hang: true } });
    try {
      const config = buildConfig([{ alias: "acme", issuer: server.host, email: "j@acme" }], "acme");
      const dir = await tempConfigDir(config);
      const { code, output } = await runCliOnTerminal(["accounts", "logout", "--force"], {
        configDir: dir,
        steps: [["Revoking OAuth tokens", "\x03"]],
      });
      assert.equal(code, 130, output);
      const text = stripAnsi(output).replaceAll("\r\n", "\n");
      assert.match(
        text.replace(/\s+/g, " "),
        /Could not revoke the access and refresh tokens at \S+ \(cancelled\)/,
      );
      assert.match(text, /Interrupted while revoking: the logout was completed/);
      assert.deepEqual(aliasesIn(await readConfigText(dir)), []);
    } finally {
      await server.close();
    }
  },
);
