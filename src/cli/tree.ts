/**
 * Every command the CLI has, in one place: the groups, assembled from the entries
 * each command declares beside itself (a `specs.ts` in each folder of
 * `src/commands`), and the two answered by the parser (help, version). Each command's behaviour is a `run(ctx, options)` in
 * `src/commands/`, loaded only when it runs (`load.ts`), so `--help`, `--version` and the
 * parser never pay for it.
 */
import type { CommandSpec, GroupSpec } from "../commands/spec.ts";
import { JSON_FLAGS } from "../commands/flags.ts";
import {
  ACCOUNTS_LOGIN,
  CURRENT,
  ENV,
  LIST,
  LOGIN,
  LOGOUT,
  MOVE,
  STATUS,
  SWITCH,
  TOKEN,
} from "../commands/accounts/specs.ts";
import { CONFIG_PATH, CONFIG_SHOW } from "../commands/config/specs.ts";
import {
  COMPLETE,
  COMPLETIONS_BASH,
  COMPLETIONS_FISH,
  COMPLETIONS_INSTALL,
  COMPLETIONS_ZSH,
} from "../commands/completions/specs.ts";

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

/** Every command that has a behaviour to load (help and version are the parser's). */
export const COMMANDS = [
  CURRENT,
  ENV,
  MOVE,
  LIST,
  ACCOUNTS_LOGIN,
  LOGIN,
  LOGOUT,
  STATUS,
  SWITCH,
  TOKEN,
  CONFIG_PATH,
  CONFIG_SHOW,
  COMPLETIONS_BASH,
  COMPLETIONS_ZSH,
  COMPLETIONS_FISH,
  COMPLETIONS_INSTALL,
  COMPLETE,
] as const satisfies readonly CommandSpec[];

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
      commands: [CURRENT, ENV, MOVE, LIST, ACCOUNTS_LOGIN, LOGOUT, STATUS, SWITCH, TOKEN],
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
