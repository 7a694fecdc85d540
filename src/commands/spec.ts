/**
 * The shapes of the declarative command tree (`tree.ts`): what a command is
 * called, what it takes, how it is documented, and how its behaviour is
 * loaded. Help, parsing, usage errors, suggestions and completions all read
 * these; nothing here runs a command.
 */
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
  conflicts?: readonly string[];
  /** With `value`: the only values allowed (its description names them and the default). */
  choices?: readonly string[];
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

type FlagValue<F> = F extends { value: "required"; choices: readonly (infer C)[] } ? C
  : F extends { value: "required" } ? string
  : F extends { value: "optional" } ? string | true
  : boolean;
type ArgValue<A> = A extends { choices: readonly (infer C)[] } ? C : string;

/**
 * A command's options as its tree entry declares them: renaming a flag or an argument
 * in the tree without the command that reads it fails `deno check`.
 */
export type OptionsOf<C extends { flags: readonly FlagSpec[]; args: readonly ArgSpec[] }> =
  & { [F in C["flags"][number] as F["name"]]?: FlagValue<F> }
  & {
    [A in C["args"][number] as A["name"]]: A extends { required: true } ? ArgValue<A>
      : ArgValue<A> | undefined;
  };

interface NodeSpec {
  name: string;
  summary: string;
  aliases?: string[];
  hidden?: boolean;
  examples?: readonly string[];
  flags: readonly FlagSpec[];
}

export interface CommandSpec extends NodeSpec {
  kind: "command";
  /** `accounts:logout`: the `command` of every JSON record. */
  id: string;
  /** Names its failures in verbose output (`[accountLogout] Error: …`), as the official CLI does. */
  component?: string;
  args: readonly ArgSpec[];
  /** Usage errors never echo what was typed (it may be a token pasted in the wrong place). */
  secretArgs?: boolean;
  /** With `secretArgs`: how the value should have been given, said after such an error. */
  secretArgsHint?: string;
  /** Never prints an error: shells call it on every Tab. */
  silent?: boolean;
  /** Answered by the parser, never loaded: `ably help [COMMAND]`, `ably version`. */
  builtin?: "help" | "version";
  /** Said when the user stops it (Ctrl-C, Esc, Ctrl-D at a question), e.g. "Logout cancelled." */
  cancelled?: string;
  /** Added to the hint when a question found standard input empty, e.g. "Use --force …". */
  noAnswer?: string;
  /** Said when Ctrl-C came while it finished what it had started (exit 130). */
  interrupted?: string;
}

export interface GroupSpec extends NodeSpec {
  kind: "group";
  id: string;
  commands: readonly (CommandSpec | GroupSpec)[];
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
