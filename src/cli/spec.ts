/**
 * The shapes of the declarative command tree (`tree.ts`): what a command is
 * called, what it takes, how it is documented, and how its behaviour is
 * loaded. Help, parsing, usage errors, suggestions and completions all read
 * these; nothing here runs a command.
 */
import type { Context } from "../context.ts";

/** A flag: `--pretty-json`, `-f, --force`, `--alias <value>`, `--token [<value>]`. */
export interface FlagSpec {
  /** The key in the parsed options, e.g. `prettyJson`. */
  name: string;
  long: string;
  short?: string;
  description: string;
  /** Whether it takes a value: always (`<value>`) or when one follows (`[<value>]`). */
  value?: "required" | "optional";
  /** `--no-browser`: its presence sets `browser` to false. */
  negated?: boolean;
  /** Shown only with ABLY_SHOW_DEV_FLAGS=true. */
  hidden?: boolean;
  /** Flags (by name) that cannot be given with this one. */
  conflicts?: string[];
}

export interface ArgSpec {
  /** The key in the parsed options, e.g. `accountAliasOrId` (help shows ACCOUNT_ALIAS_OR_ID). */
  name: string;
  description: string;
  required?: boolean;
  /** The only values allowed, e.g. the shells. */
  choices?: readonly string[];
  /** Names an account: completions offer the configured aliases here. */
  account?: boolean;
}

/** What the parser hands a command: flags and arguments by name. */
export type Options = Record<string, string | boolean | undefined>;

/** A command's behaviour, loaded only when it runs. */
export interface CommandModule {
  // A method, so each command may narrow `options` to its own typed shape.
  run(ctx: Context, options: Options, root: GroupSpec): Promise<number | void>;
}

interface NodeSpec {
  name: string;
  summary: string;
  aliases?: string[];
  hidden?: boolean;
  examples?: string[];
  flags: FlagSpec[];
}

export interface CommandSpec extends NodeSpec {
  kind: "command";
  /** `accounts:logout`: the `command` of every JSON record. */
  id: string;
  args: ArgSpec[];
  /** Usage errors never echo what was typed (it may be a token pasted in the wrong place). */
  secretArgs?: boolean;
  /** Never prints an error: shells call it on every Tab. */
  silent?: boolean;
  load(): Promise<CommandModule>;
}

export interface GroupSpec extends NodeSpec {
  kind: "group";
  id: string;
  commands: (CommandSpec | GroupSpec)[];
  /** Run bare, it lists its commands (as the official `ably accounts` does) instead of help. */
  listing?: boolean;
}

export type Spec = CommandSpec | GroupSpec;

/** Words from the root to `node`, e.g. `ably accounts logout`. */
export function pathOf(node: Spec): string {
  return node.id === "ably" ? "ably" : `ably ${node.id.replaceAll(":", " ")}`;
}

export function visibleFlags(node: Spec, showDevFlags: boolean): FlagSpec[] {
  return node.flags.filter((flag) => showDevFlags || !flag.hidden);
}
