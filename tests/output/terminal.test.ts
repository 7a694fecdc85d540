import assert from "node:assert/strict";
import { NoAnswer } from "../../src/errors.ts";
import { neutralise, terminalFilter } from "../../src/output/terminal.ts";
import { createStyle } from "../../src/output/style.ts";
import { renderJson } from "../../src/output/json.ts";
import { runCli, tempConfigDir } from "../helpers/cli.ts";
import { startAblyServer } from "../helpers/ably-server.ts";
import { createPrompter } from "../../src/prompt/prompter.ts";

/** The sequences a shared config or a server could carry to a terminal. */
const HOSTILE = {
  title: "\x1b]0;pwned\x07",
  clear: "\x1b[2J\x1b[H",
  osc8: "\x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\",
  c1: "\u009b2J\u009d0;t\u009c",
  cr: "safe\rEVIL",
  conceal: "\x1b[8mhidden\x1b[0m",
  bidi: "Admin\u202egnp.exe\u2066",
  smuggled: "\u{E0069}\u{E0067}\u{E006E}",
};

/** Colour codes (SGR), the only sequences our own styling emits. */
const OUR_SGR = new RegExp(String.raw`\x1b\[\d+m`, "g");

/** Any character a terminal would act on (line breaks and tabs apart), or that hides text. */
const RAW =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)|\udb40/;

/** Invisible format characters that reorder or hide text, each with its escape. */
const HIDDEN: [string, string][] = [
  ["\u202e", "\\u202e"], // right-to-left override: `Admin\u202egnp.exe` shows as `Adminexe.png`
  ["\u202a", "\\u202a"],
  ["\u2066", "\\u2066"], // isolates
  ["\u2069", "\\u2069"],
  ["\u200e", "\\u200e"], // marks
  ["\u061c", "\\u061c"],
  ["\u200b", "\\u200b"], // zero-width space
  ["\ufeff", "\\ufeff"], // byte-order mark
  ["\u2028", "\\u2028"], // line separator
  ["\u{E0041}", "\\udb40\\udc41"], // a Unicode tag: smuggled text
];

Deno.test("terminal: every C0 and C1 control character but line breaks and tabs, and every hidden format character, is shown, not obeyed", () => {
  for (let code = 0; code <= 0x9f; code++) {
    if (code >= 0x20 && code < 0x7f) continue;
    const char = String.fromCharCode(code);
    const kept = char === "\n" || char === "\t";
    const expected = kept ? `a${char}b` : `a\\u${code.toString(16).padStart(4, "0")}b`;
    assert.equal(neutralise(`a${char}b`), expected, `U+${code.toString(16)}`);
  }
  for (const [char, escaped] of HIDDEN) {
    assert.equal(neutralise(`Admin${char}gnp.exe`), `Admin${escaped}gnp.exe`, escaped);
    assert.equal(terminalFilter().clean(`x${char}`), `x${escaped}`, escaped);
  }
  // The zero-width joiner builds emoji; alone it reorders nothing.
  assert.equal(neutralise("\u{1F469}\u200d\u{1F4BB}"), "\u{1F469}\u200d\u{1F4BB}");
});

Deno.test("json: hidden format characters are escaped, the joiner kept; the value is unchanged", () => {
  for (const [char, escaped] of HIDDEN) {
    const text = renderJson({ name: `a${char}b` }, false, false);
    assert.equal(text, `{"name":"a${escaped}b"}`);
    assert.deepEqual(JSON.parse(text), { name: `a${char}b` });
  }
  assert.equal(renderJson({ e: "\u200d" }, false, false), '{"e":"\u200d"}');
});

Deno.test("terminal: only the styles this run painted keep their escape codes", () => {
  const filter = terminalFilter();
  const style = createStyle(true, filter.painted);
  const alias = `acme${HOSTILE.conceal}`;
  const line = `${
    style.green(style.bold(`Account: ${alias}`))
  } ${HOSTILE.clear} \x1b[32mfake\x1b[39m`;
  const shown = filter.clean(line);
  assert.equal(
    shown,
    "\x1b[32m\x1b[1mAccount: acme\\u001b[8mhidden\\u001b[0m\x1b[22m\x1b[39m " +
      "\\u001b[2J\\u001b[H \\u001b[32mfake\\u001b[39m",
  );
  // A value that contains a painted segment verbatim is still only that segment.
  assert.equal(filter.clean(style.cyan("x")), "\x1b[36mx\x1b[39m");
});

Deno.test("terminal: on a line with painted segments, the text before, between and after them is neutralised too (form feed and C1 included)", () => {
  const filter = terminalFilter();
  const style = createStyle(true, filter.painted);
  const ok = style.green("ok");
  const line = `${HOSTILE.title}\f${ok}${HOSTILE.c1}${style.bold("b")}\f${HOSTILE.clear}`;
  assert.equal(
    filter.clean(line),
    "\\u001b]0;pwned\\u0007\\u000c\x1b[32mok\x1b[39m\\u009b2J\\u009d0;t\\u009c" +
      "\x1b[1mb\x1b[22m\\u000c\\u001b[2J\\u001b[H",
  );
  // Every control character, on either side of a painted segment.
  for (let code = 0; code <= 0x9f; code++) {
    if ((code >= 0x20 && code < 0x7f) || code === 0x0a || code === 0x09) continue;
    const char = String.fromCharCode(code);
    const escaped = `\\u${code.toString(16).padStart(4, "0")}`;
    assert.equal(filter.clean(`a${char}${ok}${char}b`), `a${escaped}${ok}${escaped}b`, escaped);
  }
});

Deno.test("json: DEL and C1 characters are escaped like C0 ones", () => {
  const value = { name: `a\x1bb\u009bc\x7f` };
  for (const pretty of [false, true]) {
    const text = renderJson(value, pretty, false);
    assert.ok(!RAW.test(text), JSON.stringify(text));
    assert.deepEqual(JSON.parse(text), value);
  }
});

/** A config as the official CLI (or a hand edit) could leave it, escapes and all. */
function hostileConfig(): string {
  const s = (text: string) => JSON.stringify(text); // a TOML basic string
  return `[current]
account = "evil"

[accounts.evil]
accessToken = "legacy_token_abcdefgh"
accountId = ${s(`ID${HOSTILE.osc8}`)}
accountName = ${s(`Name${HOSTILE.title}${HOSTILE.c1}`)}
userEmail = ${s(`me@x${HOSTILE.clear}${HOSTILE.cr}`)}
currentAppId = "app1"

[accounts.evil.apps.app1]
appName = ${s(`App${HOSTILE.conceal}`)}

[accounts.${s(`other${HOSTILE.title}`)}]
accessToken = "legacy_token_ijklmnop"
accountId = "OTHER1"
accountName = ${s(`Other${HOSTILE.c1}${HOSTILE.bidi}${HOSTILE.smuggled}`)}
`;
}

Deno.test("terminal: escapes stored in the config never reach the terminal raw", async () => {
  const server = startAblyServer({
    me: {
      status: 200,
      body: {
        account: { id: "SRV1", name: `Server${HOSTILE.title}${HOSTILE.bidi}` },
        user: { email: `srv@x${HOSTILE.c1}` },
      },
    },
  });
  const env = { ABLY_CONTROL_HOST: server.host, FORCE_COLOR: "1" };
  try {
    const runs: [string, string[], Record<string, string>, string?][] = [
      ["list", ["accounts", "list"], env],
      ["current", ["accounts", "current"], env],
      ["current (unverified)", ["accounts", "current"], { ABLY_CONTROL_HOST: "127.0.0.1:9" }],
      ["switch", ["accounts", "switch", `other${HOSTILE.title}`], env],
      ["switch by bad name", ["accounts", "switch", `nope${HOSTILE.clear}`], env],
      ["logout", ["accounts", "logout", "--force"], env],
      ["logout asked on a pipe", ["accounts", "logout", `other${HOSTILE.title}`], env, "n\n"],
      ["config show", ["config", "show"], env],
      ["usage error", ["accounts", "list", `--x${HOSTILE.title}`], env],
    ];
    for (const [what, argv, runEnv, stdin] of runs) {
      const dir = await tempConfigDir(hostileConfig());
      try {
        const run = await runCli(argv, { configDir: dir, env: runEnv, stdin });
        for (const [stream, text] of [["stdout", run.stdout], ["stderr", run.stderr]]) {
          // Our own colours are the only escape sequences: SGR codes, nothing else.
          const withoutOurColours = text.replaceAll(OUR_SGR, "");
          assert.ok(
            !RAW.test(withoutOurColours),
            `${what}: raw control in ${stream}: ${JSON.stringify(text)}`,
          );
          assert.ok(
            !text.includes("\x1b[8m"),
            `${what}: conceal got through: ${JSON.stringify(text)}`,
          );
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  } finally {
    await server.close();
  }
});

Deno.test("json: escapes stored in the config are escaped in JSON output, C1 included", async () => {
  for (const argv of [["accounts", "list", "--json"], ["config", "show", "--json"]]) {
    const dir = await tempConfigDir(hostileConfig());
    try {
      const run = await runCli(argv, { configDir: dir });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!RAW.test(run.stdout), `${argv.join(" ")}: ${JSON.stringify(run.stdout)}`);
      assert.ok(run.stdout.includes("\\u009b"), run.stdout);
      assert.ok(JSON.stringify(run.records()).includes("\u009b"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("terminal: a question naming a configured account is neutralised too", async () => {
  const written: string[] = [];
  const prompter = createPrompter({
    terminal: false,
    stdin: { read: () => Promise.resolve(null) },
    write: (text) => written.push(text),
    signal: new AbortController().signal,
  });
  await assert.rejects(prompter.confirm(`Log out from ${HOSTILE.title}?`), NoAnswer);
  assert.equal(written.join(""), "Log out from \\u001b]0;pwned\\u0007? [y/N] \n");
});
