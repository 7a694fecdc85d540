/**
 * The accounts commands as the tree declares them: names, arguments, flags, examples
 * and cancel lines, beside the commands that read them. `OptionsOf<typeof ENTRY>` is each
 * command's options type, so a flag renamed here and not where it is read fails `deno check`.
 */
import type { CommandSpec, FlagSpec, OptionsOf } from "../spec.ts";
import { ENDPOINT, GLOBAL_FLAGS } from "../flags.ts";

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
      "Keep this account's tokens and API keys in the OS keychain, not the config file (default: $ABLY_CLI_CREDENTIAL_STORE)",
  },
  {
    name: "token",
    long: "--token",
    value: "optional",
    description:
      "Log in with an existing access token instead of the browser: --token - reads it from standard input (default: $ABLY_ACCESS_TOKEN)",
  },
  ENDPOINT,
  { name: "skipLogo", long: "--skip-logo", hidden: true, description: "Do not print the logo" },
  ...GLOBAL_FLAGS,
] as const satisfies FlagSpec[];

function login<const Id extends string>(id: Id, summary: string, examples: string[]) {
  return {
    kind: "command",
    id,
    component: "accountLogin",
    name: "login",
    summary,
    args: [],
    secretArgs: true,
    secretArgsHint:
      "To log in with a token, pipe it to --token - (printf '%s' \"$TOKEN\" | ably login --token -) or set ABLY_ACCESS_TOKEN.",
    flags: LOGIN_FLAGS,
    examples,
    cancelled: "Login cancelled; nothing was stored.",
  } as const satisfies CommandSpec;
}

export const CURRENT = {
  kind: "command",
  id: "accounts:current",
  component: "accountCurrent",
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
  component: "accountList",
  name: "list",
  summary: "List locally configured Ably accounts",
  args: [],
  flags: GLOBAL_FLAGS,
  examples: ["ably accounts list", "ably accounts list --json"],
} as const satisfies CommandSpec;

export const MOVE = {
  kind: "command",
  id: "accounts:keychain",
  component: "accountKeychain",
  name: "keychain",
  summary: "Move an account's tokens and API keys into the OS keychain, or back to the config file",
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
      description:
        "Move the tokens and API keys back to the config file (the official CLI can then read them)",
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
  component: "accountLogout",
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
  component: "accountSwitch",
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
  component: "accountStatus",
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
  component: "accountToken",
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

/** The forms `accounts env` prints the variables in. */
export const ENV_FORMATS = ["sh", "bash", "zsh", "fish", "powershell", "dotenv", "json"] as const;

export const ENV = {
  kind: "command",
  id: "accounts:env",
  component: "accountEnv",
  name: "env",
  summary:
    "Print the account's ABLY_ACCESS_TOKEN and ABLY_API_KEY for a shell, for the official CLI and scripts",
  args: [{
    name: "accountAliasOrId",
    description: "Alias or ID of the account (defaults to current account)",
    account: true,
  }],
  flags: [
    {
      name: "app",
      long: "--app",
      value: "required",
      description: "The app whose API key to print (default: the account's current app)",
    },
    {
      name: "format",
      long: "--format",
      value: "required",
      choices: ENV_FORMATS,
      description:
        "How to print them: sh (the same as bash and zsh), fish, powershell, dotenv or json (default: sh)",
      conflicts: ["json", "prettyJson"],
    },
    ...GLOBAL_FLAGS,
  ],
  examples: [
    'eval "$(ably accounts env)"',
    "ably accounts env mycompany --app aBcDeF",
    "ably accounts env --format fish | source",
    "ably accounts env --format powershell | Invoke-Expression",
    "ably accounts env --format json",
  ],
  cancelled: "Token refresh cancelled.",
} as const satisfies CommandSpec;

export type CurrentOptions = OptionsOf<typeof CURRENT>;
export type EnvOptions = OptionsOf<typeof ENV>;
export type ListOptions = OptionsOf<typeof LIST>;
export type KeychainOptions = OptionsOf<typeof MOVE>;
export type LoginOptions = OptionsOf<typeof ACCOUNTS_LOGIN>;
export type LogoutOptions = OptionsOf<typeof LOGOUT>;
export type SwitchOptions = OptionsOf<typeof SWITCH>;
export type StatusOptions = OptionsOf<typeof STATUS>;
export type TokenOptions = OptionsOf<typeof TOKEN>;
