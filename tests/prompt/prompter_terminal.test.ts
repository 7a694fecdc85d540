/**
 * Stopping at a question on a real pseudo-terminal: Ctrl-D ends a yes/no question, a pick list
 * and a text input the same way Ctrl-C and Esc do (the one `Cancelled`, the command's own line,
 * exit 130, nothing changed); a login stopped that way still revokes what it was issued, and a
 * second Ctrl-C waits for that, saying so.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/toml.ts";
import { hostFlags, ISSUED, withAblyServer } from "../helpers/ably-server.ts";
import { readConfigText, runCliOnTerminal, tempConfigDir } from "../helpers/cli.ts";
import { buildConfig, SAMPLE_LEGACY } from "../helpers/fixtures.ts";

const onTerminal = {
  ignore: Deno.build.os === "windows",
  sanitizeResources: false,
  sanitizeOps: false,
};
const CTRL_D = "\x04";
const TWO = buildConfig([{ alias: "first", id: "F1" }, { alias: "second", id: "S2" }], "first");

Deno.test(
  "terminal: Ctrl-D at a yes/no question, a pick list or a text input cancels, exit 130, nothing changed",
  onTerminal,
  async () => {
    const cases = [
      {
        what: "yes/no (logout)",
        config: SAMPLE_LEGACY,
        argv: ["accounts", "logout"],
        marker: "Are you sure you want to proceed?",
        line: /Logout cancelled\./,
      },
      {
        what: "pick list (switch)",
        config: TWO,
        argv: ["accounts", "switch"],
        marker: "Select an account:",
        line: /Account switch cancelled\./,
      },
    ];
    for (const { what, config, argv, marker, line } of cases) {
      const dir = await tempConfigDir(config);
      const { code, output } = await runCliOnTerminal(argv, {
        configDir: dir,
        steps: [[marker, CTRL_D]],
      });
      assert.equal(code, 130, `${what}: ${output}`);
      assert.match(output, line, what);
      assert.equal(await readConfigText(dir), config, what);
    }
  },
);

Deno.test(
  "terminal: Ctrl-D at the login's alias question revokes the issued tokens and stores nothing",
  onTerminal,
  async () => {
    await withAblyServer({}, async (server) => {
      // The derived alias (test-account) belongs to another account: the login asks for one.
      const config = buildConfig([{ alias: "test-account", id: "Other1" }], "test-account");
      const dir = await tempConfigDir(config);
      const { code, output } = await runCliOnTerminal(["accounts", "login", ...hostFlags(server)], {
        configDir: dir,
        steps: [["Enter an alias for this account", CTRL_D]],
      });
      assert.equal(code, 130, output);
      assert.match(
        output,
        /Login cancelled; the issued tokens were revoked and nothing was stored\./,
      );
      assert.deepEqual(
        server.to("/oauth/revoke").map((r) => r.form.token).sort(),
        [ISSUED.access, ISSUED.refresh].sort(),
      );
      assert.equal(await readConfigText(dir), config);
    });
  },
);

Deno.test(
  "terminal: Ctrl-D then Ctrl-C twice at login: the revocation of the issued tokens finishes first, and the screen says so",
  onTerminal,
  async () => {
    await withAblyServer(
      { apps: { status: 200, body: [] }, revoke: { status: 200, delayMs: 1500 } },
      async (server) => {
        const dir = await tempConfigDir();
        const { code, output } = await runCliOnTerminal(
          ["accounts", "login", ...hostFlags(server)],
          {
            configDir: dir,
            steps: [
              ["create your first app now?", CTRL_D],
              ["Revoking the tokens issued for this login", "\x03"],
              ["^C", "\x03"],
            ],
          },
        );
        assert.equal(code, 130, output);
        assert.match(output, /Revoking the tokens issued for this login first…/);
        assert.match(
          output,
          /Login cancelled; the issued tokens were revoked and nothing was stored\./,
        );
        assert.equal(server.to("/oauth/revoke").length, 2);
        assert.equal(
          parseConfig(await readConfigText(dir).catch(() => ""), "c").accounts?.["test-account"],
          undefined,
        );
      },
    );
  },
);

Deno.test(
  "terminal: a pasted access token is not echoed (said once: input is hidden, no Ctrl-T to show it); an empty one is refused and asked again; the token typed is the one verified and stored",
  onTerminal,
  async () => {
    await withAblyServer({}, async (server) => {
      const token = "pasted_token_SeCrEt";
      const dir = await tempConfigDir();
      const { code, output } = await runCliOnTerminal(
        ["accounts", "login", "--token", "--control-host", server.host],
        {
          configDir: dir,
          steps: [
            ["Paste your access token: (input is hidden)", "   \r"],
            ["Nothing was entered", `${token}\r`],
          ],
        },
      );
      assert.equal(code, 0, output);
      assert.match(output, /Nothing was entered/);
      // Said once, in one voice; no way offered to show the token on screen.
      assert.doesNotMatch(output, /input is masked|ctrl\+t/i);
      // runCliOnTerminal fails the test if the token (or any fixture secret) reached the screen.
      assert.deepEqual(server.to("/api/v1/me").map((r) => r.authorization), [`Bearer ${token}`]);
      const stored = parseConfig(await readConfigText(dir), "c");
      assert.equal(stored.accounts?.["test-account"]?.accessToken, token);
    });
  },
);
