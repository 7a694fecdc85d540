/**
 * Every command the CLI has, its arguments, flags, examples and cancel lines, in
 * one place. Each command's behaviour is a `run(ctx, options)` in
 * `src/commands/`, loaded only when it runs (`load.ts`), so `--help`,
 * `--version` and the parser never pay for it; its options type is
 * `OptionsOf<typeof ITS_ENTRY>`, so the two cannot drift apart.
 */
import type { CommandSpec, FlagSpec, GroupSpec, OptionsOf } from "./spec.ts";

const JSON_FLAGS = [
  { name: "verbose", long: "--verbose", short: "-v", description: "Output verbose logs" },
  {
    name: "json",
    long: "--json",
    description: "Output in JSON format",
    conflicts: ["prettyJson"],
  },
  {
    name: "prettyJson",
    long: "--pretty-json",
    description: "Output in colorized JSON format",
    conflicts: ["json"],
  },
] as const satisfies FlagSpec[];

/** What every accounts and config command takes, as the official CLI defines it. */
const GLOBAL_FLAGS = [
  ...JSON_FLAGS,
  {
    name: "oauthHost",
    long: "--oauth-host",
    value: "required",
    hidden: true,
    description: "Override the host for the OAuth authorization server, which defaults to ably.com",
  },
  {
    name: "controlHost",
    long: "--control-host",
    value: "required",
    hidden: true,
    description:
      "Override the host endpoint for the control API, which defaults to control.ably.net",
  },
  {
    name: "dashboardHost",
    long: "--dashboard-host",
    value: "required",
    hidden: true,
    description: "Override the host for the Ably dashboard",
  },
] as const satisfies FlagSpec[];

const ENDPOINT = {
  name: "endpoint",
  long: "--endpoint",
  value: "required",
  hidden: true,
  description: "Set a custom endpoint for all product API calls",
} as const satisfies FlagSpec;

export const LOGIN_SUMMARY = "Log in to your Ably account";

const LOGIN_FLAGS = [
  {
    name: "alias",
    long: "--alias",
    short: "-a",
    value: "required",
    description: "Alias for this account (default: derived from the account's name)",
  },
  {
    name: "browser",
    long: "--no-browser",
    negated: true,
    description: "Do not open a browser",
  },
  {
    name: "force",
    long: "--force",
    short: "-f",
    description: "With --alias: replace the different account stored under that alias",
  },
  {
    name: "keychain",
    long: "--keychain",
    description:
      "Keep this account's tokens in the OS keychain, not the config file (default: $ABLY_CLI_CREDENTIAL_STORE)",
  },
  {
    name: "token",
    long: "--token",
    value: "optional",
    description:
      "Log in with an existing access token instead of the browser (default: $ABLY_ACCESS_TOKEN)",
  },
  ENDPOINT,
  { name: "skipLogo", long: "--skip-logo", hidden: true, description: "Do not print the logo" },
  ...GLOBAL_FLAGS,
] as const satisfies FlagSpec[];

function login<const Id extends string>(id: Id, summary: string, examples: string[]) {
  return {
    kind: "command",
    id,
    name: "login",
    summary,
    args: [],
    secretArgs: true,
    flags: LOGIN_FLAGS,
    examples,
    cancelled: "Login cancelled; nothing was stored.",
  } as const satisfies CommandSpec;
}

export const CURRENT = {
  kind: "command",
  id: "accounts:current",
  name: "current",
  summary: "Show the current Ably account",
  args: [],
  flags: GLOBAL_FLAGS,
  examples: ["ably accounts current", "ably accounts current --json"],
  cancelled: "Verification cancelled.",
} as const satisfies CommandSpec;

export const LIST = {
  kind: "command",
  id: "accounts:list",
  name: "list",
  summary: "List locally configured Ably accounts",
  args: [],
  flags: GLOBAL_FLAGS,
  examples: ["ably accounts list", "ably accounts list --json"],
} as const satisfies CommandSpec;

export const KEYCHAIN = {
  kind: "command",
  id: "accounts:keychain",
  name: "keychain",
  summary: "Move an account's tokens into the OS keychain, or back to the config file",
  args: [{
    name: "accountAliasOrId",
    description: "Alias or ID of the account (defaults to current account)",
    account: true,
  }],
  flags: [
    { name: "all", long: "--all", description: "Every configured account" },
    {
      name: "toFile",
      long: "--to-file",
      description: "Move the tokens back to the config file (the official CLI can then use them)",
    },
    {
      name: "prune",
      long: "--prune",
      description:
        "Revoke the tokens of keychain items no configured account uses, then delete the items",
    },
    {
      name: "force",
      long: "--force",
      short: "-f",
      description: "With --prune: skip the confirmation prompt (required with --json)",
    },
    ...GLOBAL_FLAGS,
  ],
  examples: [
    "ably accounts keychain",
    "ably accounts keychain mycompany",
    "ably accounts keychain --all",
    "ably accounts keychain mycompany --to-file",
    "ably accounts keychain --all --to-file --json",
    "ably accounts keychain --prune",
  ],
  cancelled: "Move cancelled.",
  noAnswer: "Use --force to prune without confirmation.",
} as const satisfies CommandSpec;

export const ACCOUNTS_LOGIN = login("accounts:login", LOGIN_SUMMARY, [
  "ably accounts login",
  "ably accounts login --alias mycompany",
  "ably accounts login --no-browser",
  "ably accounts login --keychain",
  "ABLY_ACCESS_TOKEN=... ably accounts login --token --json",
  "ably accounts login --json",
]);

export const LOGOUT = {
  kind: "command",
  id: "accounts:logout",
  name: "logout",
  summary: "Log out from an Ably account",
  args: [{
    name: "accountAliasOrId",
    description: "Alias or ID of the account to log out from (defaults to current account)",
    account: true,
  }],
  flags: [
    {
      name: "force",
      long: "--force",
      short: "-f",
      description: "Skip confirmation prompt (required with --json)",
    },
    { name: "all", long: "--all", description: "Log out of every configured account" },
    {
      name: "skipRevoke",
      long: "--skip-revoke",
      description:
        "Remove the account even when its tokens cannot be read to revoke them (they then stay valid until they expire)",
    },
    ...GLOBAL_FLAGS,
  ],
  examples: [
    "ably accounts logout",
    "ably accounts logout mycompany",
    "ably accounts logout VgQpOZ",
    "ably accounts logout mycompany --force",
    "ably accounts logout --force --json",
    "ably accounts logout --force --pretty-json",
    "ably accounts logout --all",
  ],
  cancelled: "Logout cancelled.",
  noAnswer: "Use --force to log out without confirmation.",
  interrupted:
    "Interrupted while revoking: the logout was completed; tokens not reported revoked may remain valid until they expire.",
} as const satisfies CommandSpec;

export const SWITCH = {
  kind: "command",
  id: "accounts:switch",
  name: "switch",
  summary: "Switch to a different Ably account",
  args: [{
    name: "accountAliasOrId",
    description: "Alias or ID of the account to switch to",
    account: true,
  }],
  flags: [ENDPOINT, ...GLOBAL_FLAGS],
  examples: [
    "ably accounts switch",
    "ably accounts switch mycompany",
    "ably accounts switch VgQpOZ --json",
  ],
  cancelled: "Account switch cancelled.",
} as const satisfies CommandSpec;

export const LOGIN = login("login", `${LOGIN_SUMMARY} (alias for "ably accounts login")`, [
  "ably login",
  "ably login --alias mycompany",
  "ably login --json",
]);

export const STATUS = {
  kind: "command",
  id: "accounts:status",
  name: "status",
  // Exit status: 0 when every account shown is usable, 1 otherwise (after the report), so a
  // script can run it as a health check.
  summary: "Show each account's tokens and whether they work (exit 1 when one does not)",
  args: [{
    name: "accountAliasOrId",
    description: "Alias or ID of the account (defaults to every account)",
    account: true,
  }],
  flags: [
    {
      name: "offline",
      long: "--offline",
      description: "Do not check the tokens with the Control API (no network request)",
    },
    ...GLOBAL_FLAGS,
  ],
  examples: [
    "ably accounts status",
    "ably accounts status mycompany",
    "ably accounts status --offline",
    "ably accounts status --json",
  ],
  cancelled: "Status check cancelled.",
} as const satisfies CommandSpec;

export const TOKEN = {
  kind: "command",
  id: "accounts:token",
  name: "token",
  summary: "Print the access token of the current (or named) account, refreshed if needed",
  args: [{
    name: "accountAliasOrId",
    description: "Alias or ID of the account (defaults to current account)",
    account: true,
  }],
  flags: GLOBAL_FLAGS,
  examples: [
    'curl -H "Authorization: Bearer $(ably accounts token)" https://control.ably.net/v1/me',
    "ably accounts token mycompany",
    "ably accounts token --json",
  ],
  cancelled: "Token refresh cancelled.",
} as const satisfies CommandSpec;

export const CONFIG_PATH = {
  kind: "command",
  id: "config:path",
  name: "path",
  summary: "Print the path to the Ably CLI config file",
  args: [],
  flags: GLOBAL_FLAGS,
  examples: ["ably config path", "ably config path --json"],
} as const satisfies CommandSpec;

export const CONFIG_SHOW = {
  kind: "command",
  id: "config:show",
  name: "show",
  summary: "Display the contents of the Ably CLI config file",
  args: [],
  flags: [
    {
      name: "reveal",
      long: "--reveal",
      description: "Show access tokens and API key secrets instead of masking them",
    },
    ...GLOBAL_FLAGS,
  ],
  examples: ["ably config show", "ably config show --json", "ably config show --reveal"],
} as const satisfies CommandSpec;

function completionScript<const Id extends string, const Shell extends string>(
  id: Id,
  shell: Shell,
  example: string,
) {
  return {
    kind: "command",
    id,
    name: shell,
    summary:
      `Print the ${shell} completion script (to install it: ably completions install ${shell})`,
    args: [],
    flags: [],
    examples: [example],
  } as const satisfies CommandSpec;
}

export const COMPLETIONS_BASH = completionScript(
  "completions:bash",
  "bash",
  "source <(ably completions bash)",
);
export const COMPLETIONS_ZSH = completionScript(
  "completions:zsh",
  "zsh",
  "ably completions zsh > ~/.zsh/completions/_ably",
);
export const COMPLETIONS_FISH = completionScript(
  "completions:fish",
  "fish",
  "ably completions fish > ~/.config/fish/completions/ably.fish",
);

export const COMPLETIONS_INSTALL = {
  kind: "command",
  id: "completions:install",
  name: "install",
  summary: "Install completions for your shell where it loads them, and say what changed",
  args: [{
    name: "shell",
    description: "bash, zsh or fish (default: the one $SHELL names)",
    choices: ["bash", "zsh", "fish"],
  }],
  flags: [
    {
      name: "dryRun",
      long: "--dry-run",
      description: "Show what would be written and added, change nothing",
    },
    ...JSON_FLAGS,
  ],
  examples: [
    "ably completions install",
    "ably completions install zsh --dry-run",
    "ably completions install fish",
  ],
} as const satisfies CommandSpec;

/** `ably help accounts login`: the help of the command named (oclif's help command). */
const HELP = {
  kind: "command",
  id: "help",
  name: "help",
  summary: "Show help for a command",
  builtin: "help",
  args: [{ name: "command", description: "The command, e.g. accounts login" }],
  flags: [],
  examples: ["ably help accounts", "ably help accounts login"],
} as const satisfies CommandSpec;

/** `ably version`, as `ably --version` and `ably -v`. */
const VERSION = {
  kind: "command",
  id: "version",
  name: "version",
  summary: "Show the CLI version",
  builtin: "version",
  args: [],
  flags: [],
} as const satisfies CommandSpec;

export const COMPLETE = {
  // Called by the completion scripts on every Tab: fast, and silent on any problem.
  kind: "command",
  id: "__complete",
  name: "__complete",
  summary: "Complete account aliases",
  hidden: true,
  silent: true,
  args: [{ name: "what", description: "What to complete", required: true }],
  flags: [],
} as const satisfies CommandSpec;

export type CurrentOptions = OptionsOf<typeof CURRENT>;
export type ListOptions = OptionsOf<typeof LIST>;
export type KeychainOptions = OptionsOf<typeof KEYCHAIN>;
export type LoginOptions = OptionsOf<typeof ACCOUNTS_LOGIN>;
export type LogoutOptions = OptionsOf<typeof LOGOUT>;
export type SwitchOptions = OptionsOf<typeof SWITCH>;
export type StatusOptions = OptionsOf<typeof STATUS>;
export type TokenOptions = OptionsOf<typeof TOKEN>;
export type ConfigShowOptions = OptionsOf<typeof CONFIG_SHOW>;
export type CompletionsInstallOptions = OptionsOf<typeof COMPLETIONS_INSTALL>;
export type CompleteOptions = OptionsOf<typeof COMPLETE>;

export const tree: GroupSpec = {
  kind: "group",
  id: "ably",
  name: "ably",
  summary: "Ably command-line tool: account commands",
  // `-v` here is the version, as in the official CLI; after a command it is --verbose.
  flags: [{ name: "version", long: "--version", short: "-v", description: "Show the CLI version" }],
  commands: [
    {
      kind: "group",
      id: "accounts",
      name: "accounts",
      aliases: ["account"],
      summary: "Manage Ably accounts and your configured access tokens",
      listing: true,
      // Accepted for the listing's format, not advertised (as the official CLI).
      flags: JSON_FLAGS.map((flag) => ({ ...flag, hidden: true })),
      commands: [CURRENT, KEYCHAIN, LIST, ACCOUNTS_LOGIN, LOGOUT, STATUS, SWITCH, TOKEN],
    },
    LOGIN,
    {
      kind: "group",
      id: "config",
      name: "config",
      summary: "Manage the Ably CLI config file",
      flags: [],
      commands: [CONFIG_PATH, CONFIG_SHOW],
    },
    {
      kind: "group",
      id: "completions",
      name: "completions",
      summary: "Shell completions: print the script for bash, zsh or fish, or install it",
      flags: [],
      commands: [COMPLETIONS_BASH, COMPLETIONS_FISH, COMPLETIONS_INSTALL, COMPLETIONS_ZSH],
    },
    HELP,
    VERSION,
    COMPLETE,
  ],
};
