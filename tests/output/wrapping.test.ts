/**
 * One wrapping rule for every human line on a terminal: between words, never
 * inside one (a word longer than the width may overflow), continuation lines
 * under the text; nothing is wrapped when the stream is not a terminal.
 */
import assert from "node:assert/strict";
import { fitLine } from "../../src/output/reporter.ts";
import { withAblyServer } from "../helpers/ably-server.ts";
import { runCli, tempConfigDir } from "../helpers/cli.ts";
import { SAMPLE_LEGACY } from "../helpers/fixtures.ts";

/** Every line fits `columns`, unless it is one word alone (after its indentation). */
function assertFits(text: string, columns: number): void {
  // Spinner frames (`\r` + frame, cleared with `\r\x1b[K`) are not lines.
  // deno-lint-ignore no-control-regex
  const lines = text.replace(/\r[^\r\n\x1b]*/g, "").replaceAll("\x1b[K", "");
  for (const line of lines.split("\n")) {
    const words = line.trim().split(" ");
    assert.ok(line.length <= columns || words.length === 1, `wider than ${columns}: ${line}`);
  }
}

/** `text` with its line breaks and the indentation after them undone. */
const joined = (text: string) => text.replace(/ *\n */g, " ");

/** A legacy account whose token lives in the keychain: `list` notes it, never reading it. */
const KEYCHAIN_LEGACY = SAMPLE_LEGACY.replace(
  'tokenId = "unknown"\n',
  'tokenId = "unknown"\ncredentialStore = "keychain"\n',
).replace('accessToken = "ably_legacy_token_5b7d2c9e"\n', "");

Deno.test("wrap: fitLine breaks between words, continuation under the text", () => {
  assert.equal(fitLine("short", 50), "short");
  assert.equal(
    fitLine("✓ Successfully logged out from account acme-production-eu.", 29),
    "✓ Successfully logged out\n  from account\n  acme-production-eu.",
  );
  assert.equal(
    fitLine("  Name: Acme Ltd (VgQpOZ) with more", 20),
    "  Name: Acme Ltd\n  (VgQpOZ) with more",
  );
  // A word longer than the width overflows on a line of its own; it is never cut.
  const long = "x".repeat(40);
  assert.equal(fitLine(`see ${long} now`, 20), `see\n${long}\nnow`);
  // Colour codes take no room.
  assert.equal(fitLine("\x1b[36mab\x1b[39m cd", 5), "\x1b[36mab\x1b[39m cd");
  assert.equal(fitLine("  a - b c d e", 12, 6), "  a - b c d\n      e");
});

for (const columns of [50, 100]) {
  Deno.test(`wrap: the \`ably accounts\` listing at ${columns} columns`, async () => {
    const dir = await tempConfigDir();
    const { code, stdout } = await runCli(["accounts"], { configDir: dir, replies: [], columns });
    assert.equal(code, 0);
    assertFits(stdout, columns);
    const description =
      "Print the access token of the current (or named) account, refreshed if needed";
    assert.ok(joined(stdout).includes(description), stdout);
    // Continuation lines sit under the descriptions (at most half the width in).
    const under = Math.min(29, columns / 2);
    const continued = stdout.split("\n").filter((l) => /^ {10,}\S/.test(l));
    assert.ok(continued.length > 0);
    for (const line of continued) assert.equal(line.length - line.trimStart().length, under, line);
  });

  Deno.test(`wrap: list's keychain note at ${columns} columns`, async () => {
    const dir = await tempConfigDir(KEYCHAIN_LEGACY);
    const { code, stderr } = await runCli(["accounts", "list"], {
      configDir: dir,
      replies: [],
      columns,
    });
    assert.equal(code, 0);
    assertFits(stderr, columns);
    assert.match(
      joined(stderr),
      /The official Ably CLI cannot read the OS keychain: run eval "\$\(ably accounts env ALIAS\)" before it\./,
    );
  });

  Deno.test(`wrap: logout's warning at ${columns} columns`, async () => {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    const { code, stderr } = await runCli(["accounts", "logout"], {
      configDir: dir,
      replies: ["no"],
      columns,
    });
    assert.equal(code, 0);
    assertFits(stderr, columns);
    assert.match(
      joined(stderr),
      /⚠ Logging out will remove all configuration for account "default"\. This includes access tokens and any app configurations associated with this account\./,
    );
  });
}

Deno.test("wrap: current's advice at 50 columns keeps the command whole", async () => {
  await withAblyServer(
    { me: { status: 401, body: { message: "Unauthorized" } } },
    async (server) => {
      const config = SAMPLE_LEGACY.replaceAll("[accounts.default]", "[accounts.dave2]")
        .replace('account = "default"', 'account = "dave2"')
        .replace("[accounts.dave2]\n", `[accounts.dave2]\ncontrolHost = "${server.host}"\n`)
        .replace("[accounts.default.apps", "[accounts.dave2.apps");
      const dir = await tempConfigDir(config);
      const { code, stdout, stderr } = await runCli(["accounts", "current"], {
        configDir: dir,
        replies: [],
        columns: 50,
      });
      assert.equal(code, 0);
      assertFits(stdout + stderr, 50);
      assert.match(stdout, /"ably accounts login --alias dave2"\./);
      assert.match(
        joined(stdout),
        /Consider logging in again with "ably accounts login --alias dave2"\./,
      );
    },
  );
});

Deno.test("wrap: piped, nothing is wrapped", async () => {
  const dir = await tempConfigDir(KEYCHAIN_LEGACY);
  const { stdout, stderr } = await runCli(["accounts", "list"], { configDir: dir });
  assert.match(stderr, /^The official Ably CLI cannot read .* before it\.$/m);
  const listing = await runCli(["accounts"], { configDir: dir });
  assert.match(listing.stdout, /^ {2}ably accounts token {6}- Print .* if needed$/m);
  assert.ok(stdout.includes("Found 1 account:"));
});

Deno.test("wrap: at 60 columns on a terminal, every command a person is meant to copy stays whole on one line", async () => {
  await withAblyServer(
    { me: { status: 401, body: { message: "Unauthorized" } } },
    async (server) => {
      const scenarios: { args: string[]; config?: string; commands: number }[] = [
        // No accounts: how to add one.
        { args: ["accounts", "logout"], commands: 1 },
        // The keychain note: eval "$(ably accounts env ALIAS)".
        { args: ["accounts", "list"], config: KEYCHAIN_LEGACY, commands: 1 },
        // An unknown alias: how to see the others.
        { args: ["accounts", "switch", "nosuch"], config: SAMPLE_LEGACY, commands: 1 },
        // A rejected token: how to log in again.
        {
          args: ["accounts", "current", "--control-host", server.host],
          config: SAMPLE_LEGACY,
          commands: 1,
        },
      ];
      for (const { args, config, commands } of scenarios) {
        const dir = await tempConfigDir(config);
        const run = await runCli(args, { configDir: dir, replies: [], columns: 60 });
        const raw = run.stdout + run.stderr;
        // Error lines carry oclif's " ›   " gutter; a command must not continue past it.
        const lines = raw.split("\n").map((line) => line.replace(/^ › {3}/, ""));
        const quoted = [
          ...joined(raw.replace(/\n › {3}/g, "\n")).matchAll(
            /(?:eval )?"(?:\$\()?ably [^"]*"/g,
          ),
        ].map((m) => m[0]);
        assert.ok(quoted.length >= commands, `${args.join(" ")}: ${raw}`);
        for (const command of quoted) {
          assert.ok(
            lines.some((line) => line.includes(command)),
            `${args.join(" ")}: "${command}" is broken across lines:\n${raw}`,
          );
        }
      }
    },
  );
});
