/** argv → command and options, checked against the real command tree in the official wording. */
import assert from "node:assert/strict";
import { parse } from "../../src/cli/parse.ts";
import { tree } from "../../src/cli/tree.ts";

/** What a parse came to, in a comparable form. */
function outcome(argv: string[], showDevFlags = false) {
  const parsed = parse(tree, argv, showDevFlags);
  switch (parsed.kind) {
    case "version":
      return { version: true };
    case "help":
      return { help: parsed.node.id };
    case "listing":
      return { listing: parsed.node.id, options: parsed.options };
    case "run":
      return { run: parsed.node.id, options: parsed.options };
    case "error":
      return { error: parsed.message, node: parsed.node.id };
  }
}

Deno.test("parse: flags, values and arguments", () => {
  const cases: [string[], ReturnType<typeof outcome>][] = [
    [["accounts", "env", "--format", "fish", "acme"], {
      run: "accounts:env",
      options: { format: "fish", accountAliasOrId: "acme" },
    }],
    [["accounts", "env", "--format=dotenv", "--app", "aBc"], {
      run: "accounts:env",
      options: { format: "dotenv", app: "aBc" },
    }],
    [["--version"], { version: true }],
    [["--help"], { help: "ably" }],
    [["accounts", "--help"], { help: "accounts" }],
    [["account", "list", "-h"], { help: "accounts:list" }],
    [["accounts", "--json"], { listing: "accounts", options: { json: true } }],
    // --version belongs to the root only.
    [["config", "path", "--version"], {
      error: "Nonexistent flag: --version",
      node: "config:path",
    }],
    // `--` ends the flags: what follows is an argument even when it looks like one.
    [["accounts", "switch", "--", "--all"], {
      run: "accounts:switch",
      options: { accountAliasOrId: "--all" },
    }],
    // Values: separate, inline (even empty), a value that looks like a flag's short group.
    [["login", "--alias", "work"], { run: "login", options: { alias: "work" } }],
    [["login", "--alias=work"], { run: "login", options: { alias: "work" } }],
    [["login", "-a", "work"], { run: "login", options: { alias: "work" } }],
    [["login", "--alias="], { run: "login", options: { alias: "" } }],
    [["login", "--alias"], { error: "Flag --alias expects a value", node: "login" }],
    [["login", "--alias", "--force"], { error: "Flag --alias expects a value", node: "login" }],
    // An optional value: given or not.
    [["login", "--token"], { run: "login", options: { token: true } }],
    [["login", "--token", "t0k"], { run: "login", options: { token: "t0k" } }],
    // Negated and boolean flags; a boolean flag never takes a value.
    [["login", "--no-browser"], { run: "login", options: { browser: false } }],
    [["accounts", "logout", "--force=yes"], {
      error: "Flag --force does not take a value",
      node: "accounts:logout",
    }],
    // A short group: each letter is a flag, a word after it an argument.
    [["accounts", "logout", "-fv", "work"], {
      run: "accounts:logout",
      options: { force: true, verbose: true, accountAliasOrId: "work" },
    }],
    [["accounts", "logout", "-vf"], {
      run: "accounts:logout",
      options: { verbose: true, force: true },
    }],
  ];
  for (const [argv, expected] of cases) assert.deepEqual(outcome(argv), expected, argv.join(" "));
});

Deno.test("parse: what is refused, and how it is named", () => {
  const cases: [string[], string][] = [
    [["completions", "install", "tcsh"], 'Unknown shell "tcsh": use one of bash, zsh, fish.'],
    // A flag with a fixed set of values, given another (in oclif's words).
    [
      ["accounts", "env", "--format", "cmd"],
      "Expected --format=cmd to be one of: sh, bash, zsh, fish, powershell, dotenv, json",
    ],
    [
      ["accounts", "env", "--format=Sh"],
      "Expected --format=Sh to be one of: sh, bash, zsh, fish, powershell, dotenv, json",
    ],
    [["accounts", "env", "--format"], "Flag --format expects a value"],
    [
      ["accounts", "env", "--format", "json", "--pretty-json"],
      "The following errors occurred:\n  --format=json cannot also be provided when using --pretty-json\n  --pretty-json=true cannot also be provided when using --format",
    ],
    [
      ["completions", "tcsh"],
      'Command "completions tcsh" not found. Did you mean "completions bash"?',
    ],
    [["completions", "bash", "zsh"], "Unexpected argument: zsh"],
    [["accounts", "switch", "a", "b", "c"], "Unexpected arguments: b, c"],
    // Login never echoes what it did not expect: it may be a pasted token.
    // ... and says how a token is given instead.
    [
      ["login", "ably_token_value"],
      `Unexpected argument (not shown, in case it is a token). To log in with a token, pipe it to --token - (printf '%s' "$TOKEN" | ably login --token -) or set ABLY_ACCESS_TOKEN.`,
    ],
    [["login", "--ably_token_value"], "Nonexistent flag (not shown, in case it is a token)"],
    [["login", "-x", "--y"], "Nonexistent flags (not shown, in case it is a token)"],
    // ... but it does suggest the flag that was meant, naming only its own flag.
    [
      ["login", "--alais", "foo"],
      "Nonexistent flag (not shown, in case it is a token)\nDid you mean --alias?",
    ],
    [
      ["accounts", "login", "--no-browsr"],
      "Nonexistent flag (not shown, in case it is a token)\nDid you mean --no-browser?",
    ],
    [
      ["login", "--alais=foo"],
      "Nonexistent flag (not shown, in case it is a token)\nDid you mean --alias?",
    ],
    // Several unknown flags get no suggestion; one with a value is compared by its name.
    [["accounts", "list", "--jsn", "--fore"], "Nonexistent flags: --jsn, --fore"],
    // The name only: a value after `=` on the wrong command may be a token.
    [["accounts", "list", "--jsn=1"], "Nonexistent flag: --jsn\nDid you mean --json?"],
    [["accounts", "token", "--token=sk_live_SECRET123456"], "Nonexistent flag: --token"],
    [["accounts", "list", "--jsn"], "Nonexistent flag: --jsn\nDid you mean --json?"],
    // A word after a group's flags is still a command name.
    [
      ["accounts", "--json", "lst"],
      'Command "accounts lst" not found. Did you mean "accounts list"?',
    ],
    [
      ["accounts", "zzzzzz"],
      'Command "accounts zzzzzz" not found. Run "ably accounts" to list them.',
    ],
    [["config", "zzzzzz"], 'Command "config zzzzzz" not found.'],
    [["zzzzzz"], 'Command "zzzzzz" not found.'],
    // A command named without its topic: the command it means, not a look-alike at the top.
    [["logout"], 'Command "logout" not found. Did you mean "accounts logout"?'],
    [["switch", "alpha-corp"], 'Command "switch" not found. Did you mean "accounts switch"?'],
    [["list", "accounts"], 'Command "list" not found. Did you mean "accounts list"?'],
    [["show"], 'Command "show" not found. Did you mean "config show"?'],
    [["help", "logout"], 'Command "logout" not found. Did you mean "accounts logout"?'],
    [
      ["accounts", "list", "--pretty-json", "--json"],
      "The following errors occurred:\n  --pretty-json=true cannot also be provided when using --json\n  --json=true cannot also be provided when using --pretty-json",
    ],
  ];
  for (const [argv, message] of cases) {
    const parsed = outcome(argv);
    assert.equal(
      "error" in parsed ? parsed.error : JSON.stringify(parsed),
      message,
      argv.join(" "),
    );
  }
});

Deno.test("parse: hidden flags are accepted, but suggested only when dev flags are shown", () => {
  assert.deepEqual(outcome(["login", "--oauth-host", "127.0.0.1:1"]), {
    run: "login",
    options: { oauthHost: "127.0.0.1:1" },
  });
  assert.deepEqual(outcome(["accounts", "list", "--control-hos"]), {
    error: "Nonexistent flag: --control-hos",
    node: "accounts:list",
  });
  assert.deepEqual(outcome(["accounts", "list", "--control-hos"], true), {
    error: "Nonexistent flag: --control-hos\nDid you mean --control-host?",
    node: "accounts:list",
  });
});

Deno.test("parse: help and version as the official CLI answers them", () => {
  const cases: [string[], unknown][] = [
    [["help"], { help: "ably" }],
    [["help", "accounts"], { help: "accounts" }],
    [["help", "accounts", "login"], { help: "accounts:login" }],
    [["help", "account", "logout"], { help: "accounts:logout" }],
    [["--help", "accounts"], { help: "accounts" }],
    [["--help", "accounts", "switch"], { help: "accounts:switch" }],
    [["-h", "config", "show"], { help: "config:show" }],
    [["accounts", "--help", "list"], { help: "accounts:list" }],
    [["help", "nope"], { error: 'Command "nope" not found.', node: "ably" }],
    [["version"], { version: true }],
    [["--version"], { version: true }],
    // -v alone is the version, as in the official CLI...
    [["-v"], { version: true }],
    // ... but after a command it is --verbose (the official CLI would skip the command).
    [["accounts", "logout", "-v"], {
      run: "accounts:logout",
      options: { verbose: true },
    }],
  ];
  for (const [argv, expected] of cases) assert.deepEqual(outcome(argv), expected, argv.join(" "));
});
